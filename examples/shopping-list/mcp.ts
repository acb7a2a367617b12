/**
 * The shopping list's MCP server: four tools and a resource over the shared store. Each host
 * example mounts `server.httpApp({ path: '/' })` at `/mcp`, so Streamable HTTP is at `/mcp` and
 * legacy SSE at `/mcp/sse`, beside the host's own REST routes.
 */

import { McpServer } from 'wharf-mcp';
import { z } from 'zod';
import type { ShoppingList } from './store.js';

export const LIST_URI = 'shopping://list';

export function createShoppingServer(store: ShoppingList): McpServer {
  const server = new McpServer({
    name: 'shopping-list',
    version: '1.0.0',
    instructions: 'Keeps a shopping list: add and remove items, read the list, place the order.',
  });

  server.tool(
    'add_item',
    {
      description: 'Add an item to the shopping list (adds to the quantity if it is already there)',
      inputSchema: z.object({ name: z.string().min(1), quantity: z.number().int().positive().default(1) }),
    },
    async ({ name, quantity }, ctx) => {
      const item = store.add(name, quantity);
      await ctx.log('info', `added ${quantity} × ${name}`);
      return `Added ${quantity} × ${item.name} (now ${item.quantity}).`;
    },
  );

  server.tool(
    'remove_item',
    {
      description: 'Remove an item from the shopping list',
      inputSchema: z.object({ name: z.string().min(1) }),
    },
    ({ name }) => {
      const removed = store.remove(name);
      if (!removed) throw new Error(`"${name}" is not on the list. Call list_items to see what is.`);
      return `Removed ${removed.name}.`;
    },
  );

  server.tool(
    'list_items',
    {
      description: 'List what is on the shopping list',
      outputSchema: z.object({
        items: z.array(z.object({ id: z.number(), name: z.string(), quantity: z.number() })),
      }),
      annotations: { readOnlyHint: true },
    },
    () => ({ items: store.list() }),
  );

  server.tool(
    'place_order',
    { description: 'Order everything on the list and empty it', annotations: { destructiveHint: true } },
    async (_args, ctx) => {
      const items = store.list();
      for (const [index, item] of items.entries()) {
        await ctx.progress(index + 1, items.length, `ordering ${item.name}`);
        await new Promise((resolve) => setTimeout(resolve, 50)); // Ordering takes a moment per item.
      }
      const order = store.placeOrder();
      if (!order) throw new Error('The list is empty: add items before ordering.');
      return `Order #${order.id} placed: ${order.items.map((item) => `${item.quantity} × ${item.name}`).join(', ')}.`;
    },
  );

  server.resource(
    'shopping-list',
    LIST_URI,
    { description: 'The current shopping list as JSON', mimeType: 'application/json' },
    () => JSON.stringify(store.list()),
  );
  store.onChange(() => server.notifyResourceUpdated(LIST_URI));

  return server;
}
