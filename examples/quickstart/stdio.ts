/**
 * The quickstart server on stdio (`npx tsx examples/quickstart/stdio.ts`). Point any MCP client at
 * that command, e.g.
 *   npx @modelcontextprotocol/inspector --cli npx tsx examples/quickstart/stdio.ts --method tools/list
 * or type JSON-RPC lines yourself (one message per line).
 */
import { StdioTransport } from 'wharf-mcp/stdio';
import { createQuickstartServer } from './server.js';

const server = createQuickstartServer();
await server.connect(new StdioTransport());

// stdout carries the protocol, so people get their hints on stderr.
process.stderr.write(`Wharf quickstart server on stdio (protocol lines on stdin/stdout). Try pasting:
{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"me","version":"0"}}}
{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"add","arguments":{"a":2,"b":3}}}
Press Ctrl+D to stop.
`);
