import type { Exchange } from './exchange.js';
import { RouteTable } from './route-table.js';

/**
 * A route an app serves at the host's root, outside its mount, at a path computed from where it is
 * mounted: RFC 9728 puts OAuth protected-resource metadata for `https://host/mcp` at
 * `/.well-known/oauth-protected-resource/mcp`. Internal: features register them (`addRootRoute`),
 * adapters serve them (`handleNode`/`handleFetch` with `root: true`, `rootPaths()`).
 */
export interface RootRoute {
  method: string;
  /** The path at the host's root for an app mounted at `mountPath` ("" at the root, else "/mcp"). */
  path(mountPath: string): string;
  handler(exchange: Exchange, mountPath: string): void | Promise<void>;
}

/** Tables kept per mount path; a bound, since `app.fetch(request, basePath)` takes any string. */
const MAX_MOUNTS = 32;

/** The app's root routes, and the table they make for each mount path (built on first use). */
export class RootRoutes {
  private readonly routes: RootRoute[] = [];
  private readonly tables = new Map<string, RouteTable>();

  get size(): number {
    return this.routes.length;
  }

  add(route: RootRoute): void {
    this.routes.push(route);
    this.tables.clear();
  }

  /** The root routes of an app mounted at `basePath` (a trailing slash ignored). */
  tableFor(basePath: string): RouteTable {
    const mountPath = basePath.replace(/\/+$/, '');
    let table = this.tables.get(mountPath);
    if (!table) {
      table = new RouteTable();
      for (const route of this.routes) {
        table.add(route.method, route.path(mountPath), (exchange) => route.handler(exchange, mountPath), {
          headToo: true,
        });
      }
      if (this.tables.size < MAX_MOUNTS) this.tables.set(mountPath, table);
    }
    return table;
  }
}
