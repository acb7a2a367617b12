/**
 * The everything server on stdio, for the official SDK client in `test/stdio.test.ts` and for any
 * stdio MCP client:
 *   node --import tsx examples/everything/stdio.ts
 */
import { StdioTransport } from 'wharf-mcp/stdio';
import { createEverythingServer } from './server.js';

await createEverythingServer().connect(new StdioTransport());

// stdout carries the protocol; anything for people goes to stderr.
process.stderr.write('Wharf everything server on stdio (one JSON-RPC message per line).\n');
