/**
 * The shopping list on Koa 3: REST routes at /items (ctx.path checks, @koa/bodyparser) beside MCP
 * mounted with koa-mount at /mcp (Streamable HTTP at /mcp, legacy SSE at /mcp/sse), over one store.
 *   PORT=3000 npx tsx examples/shopping-list/koa.ts
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { bodyParser } from '@koa/bodyparser';
import Koa from 'koa';
import mount from 'koa-mount';
import { toKoa } from '../../src/adapters/koa.js'; // in your app: 'wharf/koa'
import { createShoppingServer } from './mcp.js';
import { addItemFromBody } from './rest.js';
import { ShoppingList } from './store.js';

export function createApp(store = new ShoppingList()) {
  const mcp = createShoppingServer(store).httpApp({ path: '/' });
  const app = new Koa();

  // @koa/bodyparser throws a SyntaxError for a body that is not JSON: answer it in JSON, like the routes.
  app.use(async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      if (!(error instanceof SyntaxError)) throw error;
      ctx.status = 400;
      ctx.body = { error: `The body is not valid JSON: ${error.message}` };
    }
  });
  app.use(bodyParser());

  app.use(async (ctx, next) => {
    if (ctx.method === 'GET' && ctx.path === '/items') {
      ctx.body = store.list();
    } else if (ctx.method === 'POST' && ctx.path === '/items') {
      const { status, body } = await addItemFromBody(store, ctx.request.body);
      ctx.status = status;
      ctx.body = body;
    } else await next();
  });

  app.use(mount('/mcp', toKoa(mcp))); // the MCP mount: one line

  const listen = (port: number) =>
    new Promise<{ port: number; close(): Promise<void> }>((resolve, reject) => {
      const server: Server = app.listen(port, '127.0.0.1', () =>
        resolve({ port: (server.address() as AddressInfo).port, close: () => closeAll(server) }),
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
  console.log(`Shopping list on Koa:
  REST                   ${url}/items
  MCP (Streamable HTTP)  ${url}/mcp
  MCP (legacy SSE)       ${url}/mcp/sse
Stop with Ctrl+C.`);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void close().then(() => process.exit(0)));
  }
}
