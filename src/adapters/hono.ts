import type { Context, Next } from 'hono';
import { routePath } from 'hono/route';
import type { HttpApp } from '../http/app.js';
import type { AuthOf, ServerEnv } from '../server/context.js';

export interface HonoOptions<E extends ServerEnv = ServerEnv> {
  /** What tools see as `ctx.auth`. Default: the context variable `auth` (`c.set('auth', ...)`). */
  auth?: (c: Context) => AuthOf<E> | undefined;
}

/**
 * A Hono handler for a Wharf app, on Node or any fetch runtime. Register it on a wildcard route;
 * the prefix before `/*` (sub-apps included) is where the app is mounted. Paths the app does not
 * own go on to the next handler (and Hono's notFound).
 *
 * @example
 * ```ts
 * import { Hono } from 'hono';
 * import { toHono } from 'wharf-mcp/hono';
 * const hono = new Hono();
 * hono.all('/mcp-server/*', toHono(server.httpApp()));   // Streamable HTTP at /mcp-server/mcp
 * ```
 */
export function toHono<E extends ServerEnv>(app: HttpApp<E>, options: HonoOptions<E> = {}) {
  // The default trusts the host's auth middleware to have stored the app's auth type there.
  const auth = options.auth ?? ((c: Context) => c.get('auth' as never) as AuthOf<E> | undefined);
  return async (c: Context, next: Next): Promise<Response | undefined> => {
    const basePath = routePath(c).replace(/\/?\*$/, '');
    if (!app.owns(c.req.path.slice(basePath.length) || '/')) {
      await next();
      return undefined;
    }
    let request = c.req.raw;
    // A middleware (a validator, say) already read the body; Hono keeps a copy we can ask for.
    if (request.bodyUsed) {
      request = new Request(request.url, {
        method: request.method,
        headers: request.headers,
        body: await c.req.text(),
      });
    }
    return app.handleFetch(request, { basePath, auth: auth(c) });
  };
}
