// The newcomer's first agent call: the official SDK client adds an item over Streamable HTTP, and
// the REST route beside MCP shows it. Usage: node newcomer-client.mjs http://127.0.0.1:PORT
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

const base = process.argv[2];
const client = new Client({ name: 'newcomer', version: '1.0.0' });
await client.connect(new StreamableHTTPClientTransport(new URL('/mcp', base)));
const result = await client.callTool({ name: 'add_item', arguments: { name: 'newcomer-milk', quantity: 2 } });
if (result.isError) throw new Error(`add_item failed: ${JSON.stringify(result.content)}`);
await client.close();
const items = await (await fetch(new URL('/items', base))).json();
if (!JSON.stringify(items).includes('newcomer-milk'))
  throw new Error(`GET /items lacks the item: ${JSON.stringify(items)}`);
console.log(`newcomer: add_item over MCP answered and GET /items shows it (${items.length} item(s))`);
