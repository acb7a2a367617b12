/**
 * The shopping list on plain node:http: a small `if` router for /items, and everything under /mcp
 * handed to Wharf (Streamable HTTP at /mcp, legacy SSE at /mcp/sse), both over one store.
 *   PORT=3000 npx tsx examples/shopping-list/node.ts
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { text } from 'node:stream/consumers';
import { toNodeHandler } from 'wharf-mcp/node';
import { createShoppingServer } from './mcp.js';
import { addItemFromBody } from './rest.js';
import { listenNode, runIfMain } from './serve.js';
import { ShoppingList } from './store.js';

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

export function createApp(store = new ShoppingList()) {
  const mcp = createShoppingServer(store).httpApp({ path: '/' });
  const toMcp = toNodeHandler(mcp, { basePath: '/mcp' }); // the MCP mount: one line

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method === 'GET' && path === '/items') return sendJson(res, 200, store.list());
    if (req.method === 'POST' && path === '/items') {
      let json: unknown;
      try {
        json = JSON.parse(await text(req));
      } catch (error) {
        return sendJson(res, 400, { error: `The body is not valid JSON: ${(error as Error).message}` });
      }
      const { status, body } = await addItemFromBody(store, json);
      return sendJson(res, status, body);
    }
    await toMcp(req, res); // /mcp and below; a 404 for anything else
  }

  const server = createServer((req, res) => void handle(req, res));
  const listen = (port: number) => listenNode(server, mcp, port);

  return { handle, server, mcp, listen };
}

await runIfMain(import.meta.url, 'node:http', (port) => createApp().listen(port));
