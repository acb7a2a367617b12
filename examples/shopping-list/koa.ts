/**
 * The shopping list on Koa 3: REST routes at /items (ctx.path checks, @koa/bodyparser) beside MCP
 * mounted with koa-mount at /mcp (Streamable HTTP at /mcp, legacy SSE at /mcp/sse), over one store.
 *   PORT=3000 npx tsx examples/shopping-list/koa.ts
 */
import { createServer } from 'node:http';
import { bodyParser } from '@koa/bodyparser';
import Koa from 'koa';
import mount from 'koa-mount';
import { toKoa } from 'wharf-mcp/koa';
import { createShoppingServer } from './mcp.js';
import { addItemFromBody } from './rest.js';
import { listenNode, runIfMain } from './serve.js';
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

  const listen = (port: number) => listenNode(createServer(app.callback()), mcp, port);

  return { app, mcp, listen };
}

await runIfMain(import.meta.url, 'Koa', (port) => createApp().listen(port));
