/**
 * The shopping list on Express 5: REST routes at /items beside MCP mounted at /mcp (Streamable HTTP
 * at /mcp, legacy SSE at /mcp/sse), both over one store.
 *   PORT=3000 npx tsx examples/shopping-list/express.ts
 */
import { createServer } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import { toExpress } from 'wharf-mcp/express';
import { createShoppingServer } from './mcp.js';
import { addItemFromBody } from './rest.js';
import { listenNode, runIfMain } from './serve.js';
import { ShoppingList } from './store.js';

export function createApp(store = new ShoppingList()) {
  const mcp = createShoppingServer(store).httpApp({ path: '/' });
  const app = express();
  app.use(express.json());

  app.get('/items', (_req, res) => {
    res.json(store.list());
  });
  app.post('/items', async (req, res) => {
    const { status, body } = await addItemFromBody(store, req.body);
    res.status(status).json(body);
  });

  app.use('/mcp', toExpress(mcp)); // the MCP mount: one line

  // express.json() hands a body that is not JSON to the error handlers: answer it in JSON too.
  app.use((error: Error & { type?: string }, _req: Request, res: Response, next: NextFunction) => {
    if (error.type !== 'entity.parse.failed') return next(error);
    res.status(400).json({ error: `The body is not valid JSON: ${error.message}` });
  });

  const listen = (port: number) => listenNode(createServer(app), mcp, port);

  return { app, mcp, listen };
}

await runIfMain(import.meta.url, 'Express', (port) => createApp().listen(port));
