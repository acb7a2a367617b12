/**
 * Every path under `/mcp` reaches Wharf: Streamable HTTP at `/mcp`, legacy SSE at `/mcp/sse` and
 * `/mcp/messages`, health at `/mcp/health`.
 */
import { toNextHandlers } from 'wharf-mcp/next';
import { shopping } from '../../../shopping.js';

export const { GET, POST, DELETE, OPTIONS, HEAD } = toNextHandlers(shopping.app, { basePath: '/mcp' });

// Never prerendered or cached: every request is a live MCP exchange (SSE streams included).
export const dynamic = 'force-dynamic';
