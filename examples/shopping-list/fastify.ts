/**
 * The shopping list on Fastify 5: REST routes at /items beside MCP registered under /mcp
 * (Streamable HTTP at /mcp, legacy SSE at /mcp/sse), both over one store.
 *   PORT=3000 npx tsx examples/shopping-list/fastify.ts
 */
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { toFastify } from 'wharf-mcp/fastify';
import { createShoppingServer } from './mcp.js';
import { addItemFromBody } from './rest.js';
import { runIfMain } from './serve.js';
import { ShoppingList } from './store.js';

export function createApp(store = new ShoppingList()) {
  const mcp = createShoppingServer(store).httpApp({ path: '/' });
  const fastify = Fastify();

  fastify.get('/items', async () => store.list());
  fastify.post('/items', async (request, reply) => {
    const { status, body } = await addItemFromBody(store, request.body);
    return reply.code(status).send(body);
  });

  fastify.register(toFastify(mcp), { prefix: '/mcp' }); // the MCP mount: one line
  fastify.addHook('preClose', () => mcp.close()); // ends MCP sessions and their streams first

  // Fastify's JSON parser refuses a body that is not JSON (FST_ERR_CTP_*): answer like the routes do.
  fastify.setErrorHandler((error: Error & { code?: string; statusCode?: number }, _request, reply) => {
    if (error.statusCode !== 400 || !error.code?.startsWith('FST_ERR_CTP_')) throw error;
    return reply.code(400).send({ error: error.message });
  });

  const listen = async (port: number) => {
    await fastify.listen({ port, host: '127.0.0.1' });
    const close = async () => {
      await fastify.close();
    };
    return { port: (fastify.server.address() as AddressInfo).port, close };
  };

  return { fastify, mcp, listen };
}

await runIfMain(import.meta.url, 'Fastify', (port) => createApp().listen(port));
