/**
 * The shopping list on Hono 4 (served on Node by @hono/node-server): REST routes at /items beside
 * MCP at /mcp/* (Streamable HTTP at /mcp, legacy SSE at /mcp/sse), both over one store.
 *   PORT=3000 npx tsx examples/shopping-list/hono.ts
 */
import type { Server } from 'node:http';
import { pathToFileURL } from 'node:url';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { toHono } from '../../src/adapters/hono.js'; // in your app: 'wharf/hono'
import { createShoppingServer } from './mcp.js';
import { addItemFromBody } from './rest.js';
import { ShoppingList } from './store.js';

export function createApp(store = new ShoppingList()) {
  const mcp = createShoppingServer(store).httpApp({ path: '/' });
  const app = new Hono();

  app.get('/items', (c) => c.json(store.list()));
  app.post('/items', async (c) => {
    let json: unknown;
    try {
      json = await c.req.json();
    } catch (error) {
      return c.json({ error: `The body is not valid JSON: ${(error as Error).message}` }, 400);
    }
    const { status, body } = await addItemFromBody(store, json);
    return c.json(body, status);
  });

  app.all('/mcp/*', toHono(mcp)); // the MCP mount: one line

  const listen = (port: number) =>
    new Promise<{ port: number; close(): Promise<void> }>((resolve, reject) => {
      const server = serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, (info) =>
        resolve({ port: info.port, close: () => closeAll(server as Server) }),
      );
      server.once('error', reject);
    });
  // The Wharf app first (it ends MCP sessions and their streams), then the HTTP server.
  const closeAll = async (server: Server) => {
    await mcp.close();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  };

  return { app, mcp, listen };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { port, close } = await createApp().listen(Number(process.env.PORT ?? 3000));
  const url = `http://127.0.0.1:${port}`;
  console.log(`Shopping list on Hono:
  REST                   ${url}/items
  MCP (Streamable HTTP)  ${url}/mcp
  MCP (legacy SSE)       ${url}/mcp/sse
Stop with Ctrl+C.`);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void close().then(() => process.exit(0)));
  }
}
