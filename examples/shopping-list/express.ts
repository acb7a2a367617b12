/**
 * The shopping list on Express 5: REST routes at /items beside MCP mounted at /mcp (Streamable HTTP
 * at /mcp, legacy SSE at /mcp/sse), both over one store.
 *   PORT=3000 npx tsx examples/shopping-list/express.ts
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import express, { type NextFunction, type Request, type Response } from 'express';
import { toExpress } from '../../src/adapters/express.js'; // in your app: 'wharf/express'
import { createShoppingServer } from './mcp.js';
import { addItemFromBody } from './rest.js';
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

  const listen = (port: number) =>
    new Promise<{ port: number; close(): Promise<void> }>((resolve, reject) => {
      const server: Server = app.listen(port, '127.0.0.1', (error) => {
        if (error) return reject(error);
        resolve({ port: (server.address() as AddressInfo).port, close: () => closeAll(server) });
      });
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
  console.log(`Shopping list on Express:
  REST                   ${url}/items
  MCP (Streamable HTTP)  ${url}/mcp
  MCP (legacy SSE)       ${url}/mcp/sse
Stop with Ctrl+C.`);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void close().then(() => process.exit(0)));
  }
}
