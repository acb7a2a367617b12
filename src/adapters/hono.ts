import type { Context } from 'hono';
import { routePath } from 'hono/route';
import type { HttpApp } from '../http/app.js';

export interface HonoOptions {
  /** What tools see as `ctx.auth`. Default: the context variable `auth` (`c.set('auth', ...)`). */
  auth?: (c: Context) => unknown;
}

/**
 * A Hono handler for a Wharf app, on Node or any fetch runtime. Register it on a wildcard route;
 * the prefix before `/*` (sub-apps included) is where the app is mounted.
 *
 * @example
 * ```ts
 * import { Hono } from 'hono';
 * import { toHono } from 'wharf/hono';
 * const hono = new Hono();
 * hono.all('/mcp-server/*', toHono(server.httpApp()));   // Streamable HTTP at /mcp-server/mcp
 * ```
 */
export function toHono(app: HttpApp, options: HonoOptions = {}) {
  const auth = options.auth ?? ((c: Context) => c.get('auth' as never));
  return (c: Context): Promise<Response> => {
    const basePath = routePath(c).replace(/\/?\*$/, '');
    return app.handleFetch(c.req.raw, { basePath, auth: auth(c) });
  };
}
