import { WharfError, WharfErrorCode } from '../protocol/errors.js';
import type { Exchange } from './exchange.js';

/** What answers a request the table routed to it. */
export type Handler = (exchange: Exchange) => void | Promise<void>;

/** Order of the `Allow` header: RFC 9110's order of definition, so it reads the same however routes were added. */
const METHOD_ORDER = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/** The routes of one path: a handler per method, and what a 405 there says. */
export class PathRoutes {
  private readonly handlers = new Map<string, Handler>();
  /** A HEAD that only mirrors GET, replaced by a HEAD route of its own. */
  private mirroredHead = false;
  /** Every method served here, in RFC 9110's order. */
  methods: readonly string[] = [];
  /** The `Allow` header value. */
  allow = '';
  /** The methods in the order they were added, for messages ("POST, GET and DELETE"). */
  listed = '';

  constructor(
    readonly path: string,
    /** How messages name the path: "the MCP endpoint", or the path itself. */
    readonly label: string,
    /** Built by the app (MCP, legacy SSE, health): custom routes may not take the path. */
    readonly builtIn: boolean,
  ) {}

  handler(method: string): Handler | undefined {
    return this.handlers.get(method);
  }

  set(method: string, handler: Handler, headToo: boolean): void {
    if (method === 'HEAD') this.mirroredHead = false;
    this.handlers.set(method, handler);
    // GET answers HEAD too (the host drops the body), until HEAD gets a route of its own.
    if (headToo && method === 'GET' && (this.mirroredHead || !this.handlers.has('HEAD'))) {
      this.handlers.set('HEAD', handler);
      this.mirroredHead = true;
    }
    const added = [...this.handlers.keys()];
    this.methods = [...added].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
    this.allow = this.methods.join(', ');
    const named = added.filter((m) => !(m === 'HEAD' && this.mirroredHead));
    this.listed =
      named.length === 1 ? named[0]! : `${named.slice(0, -1).join(', ')} and ${named[named.length - 1]}`;
  }
}

function rank(method: string): number {
  const index = METHOD_ORDER.indexOf(method);
  return index === -1 ? METHOD_ORDER.length : index;
}

/**
 * One table of `(method, path) → handler` for everything an app serves: it answers `owns()`
 * (is the path in it?), dispatch (the handler for the method) and 405s (the path's `Allow`). Paths
 * are kept without a trailing slash, so `/mcp` and `/mcp/` are one route, never a redirect.
 */
export class RouteTable {
  private readonly paths = new Map<string, PathRoutes>();

  /**
   * Adds a route. Built-in routes claim their path whole; a custom route may not take one (it would
   * never be served), and replaces an earlier custom route with the same method and path.
   */
  add(
    method: string,
    path: string,
    handler: Handler,
    options: { label?: string; builtIn?: boolean; headToo?: boolean } = {},
  ): void {
    const key = normalizePath(path);
    if (!options.builtIn) this.check(method, key);
    let routes = this.paths.get(key);
    if (!routes) {
      routes = new PathRoutes(key, options.label ?? key, options.builtIn === true);
      this.paths.set(key, routes);
    }
    routes.set(method.toUpperCase(), handler, options.headToo === true);
  }

  /** Throws when a custom route would take a built-in path (where it would never be served). */
  check(method: string, path: string): void {
    checkRoutePath(path);
    const routes = this.find(path);
    if (routes?.builtIn) {
      throw new WharfError(
        WharfErrorCode.InvalidOption,
        `The route ${method.toUpperCase()} ${routes.path} takes a path the app serves itself (${routes.label}). Give the route another path, or move or turn off that built-in route in httpApp()'s options.`,
      );
    }
  }

  /** The routes at `path` (a trailing slash ignored), or undefined when the table has none there. */
  find(path: string): PathRoutes | undefined {
    return this.paths.get(normalizePath(path));
  }

  /** Every route, for hosts that register them one by one. */
  *entries(): IterableIterator<{ method: string; path: string }> {
    for (const routes of this.paths.values()) {
      for (const method of routes.methods) yield { method, path: routes.path };
    }
  }
}

/** Paths are compared without a trailing slash, so `/mcp` and `/mcp/` are one route (never a redirect). */
export function normalizePath(path: string): string {
  if (path === '') return '/';
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

/** A route's path is relative to the app's mount and starts with "/". */
export function checkRoutePath(path: string): void {
  if (!path.startsWith('/')) {
    throw new WharfError(WharfErrorCode.InvalidOption, `The route path must start with "/" (got "${path}").`);
  }
}
