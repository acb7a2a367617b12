/**
 * The one store and MCP app both route handlers use. Next gives no promise that a module is
 * evaluated once per server process: each route is its own bundle entry (a bundler may give each
 * its own copy of this module, as Turbopack's per-route runtimes can), and `next dev` evaluates
 * server modules afresh after every edit. A module-level `const` could then leave `/items` and
 * `/mcp` with different shopping lists, and a reload would drop every MCP session. So the pair
 * lives on `globalThis`, which all copies share, under a `Symbol.for` key: the global symbol
 * registry returns the same symbol to every copy, and no other code's global can clash with it.
 */
import type { HttpApp } from 'wharf-mcp';
import { createShoppingServer } from '../mcp.js';
import { ShoppingList } from '../store.js';

interface Shopping {
  store: ShoppingList;
  app: HttpApp;
}

const KEY = Symbol.for('wharf.examples.shopping-list.next');

function create(): Shopping {
  const store = new ShoppingList();
  // Mounted at `/mcp` by app/mcp/[[...path]]/route.ts: Streamable HTTP at `/mcp`, legacy SSE at `/mcp/sse`.
  const app = createShoppingServer(store).httpApp({ path: '/' });
  return { store, app };
}

const holder = globalThis as typeof globalThis & { [KEY]?: Shopping };
holder[KEY] ??= create();
export const shopping: Shopping = holder[KEY];
