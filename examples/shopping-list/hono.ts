/**
 * The shopping list on Hono 4 (served on Node by @hono/node-server): REST routes at /items beside
 * MCP at /mcp/* (Streamable HTTP at /mcp, legacy SSE at /mcp/sse), both over one store.
 *   PORT=3000 npx tsx examples/shopping-list/hono.ts
 */
import type { Server } from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import { Hono } from 'hono';
import { toHono } from 'wharf-mcp/hono';
import { createShoppingServer } from './mcp.js';
import { addItemFromBody } from './rest.js';
import { listenNode, runIfMain } from './serve.js';
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

  const listen = (port: number) => listenNode(createAdaptorServer({ fetch: app.fetch }) as Server, mcp, port);

  return { app, mcp, listen };
}

await runIfMain(import.meta.url, 'Hono', (port) => createApp().listen(port));
