/**
 * The REST half every host example exposes beside MCP, written once so each host file stays about
 * wiring: `POST /items` with `{ "name", "quantity"? }` (the hosts parse the body their own way).
 */
import type { ShoppingList } from './store.js';

export async function addItemFromBody(
  store: ShoppingList,
  body: unknown,
): Promise<{ status: 201 | 400; body: unknown }> {
  const { name, quantity } = (body ?? {}) as { name?: unknown; quantity?: unknown };
  if (typeof name !== 'string' || name.trim() === '') {
    return { status: 400, body: { error: 'Send JSON like {"name": "milk", "quantity": 2}.' } };
  }
  if (
    quantity !== undefined &&
    (typeof quantity !== 'number' || !Number.isInteger(quantity) || quantity < 1)
  ) {
    return { status: 400, body: { error: '"quantity" must be a positive whole number.' } };
  }
  return { status: 201, body: store.add(name.trim(), quantity ?? 1) };
}
