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
 * serve go on to the next handler (and Hono's notFound).
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
  return async (c: Context, next: Next): Promise<Response> => {
    const basePath = routePath(c).replace(/\/?\*$/, '');
    // A middleware (a validator, say) already read the body: Hono keeps a copy we can ask for (none
    // when it read `c.req.raw` itself; the app then says so).
    const body = c.req.raw.bodyUsed ? await c.req.arrayBuffer().catch(() => undefined) : undefined;
    return app.handleFetch(c.req.raw, { basePath, auth: auth(c), body, next: goOn(c, next) });
  };
}

/**
 * Hono middleware serving the app's root routes (routes that must live at the host's root, such as
 * OAuth metadata) for the app mounted at `basePath`. Use it outside the mount; others go on.
 *
 * @example
 * ```ts
 * hono.all('/mcp-server/*', toHono(app));
 * hono.use(toHonoRoot(app, { basePath: '/mcp-server' }));
 * ```
 */
export function toHonoRoot<E extends ServerEnv>(app: HttpApp<E>, options: { basePath: string }) {
  return (c: Context, next: Next): Promise<Response> =>
    app.handleFetch(c.req.raw, { basePath: options.basePath, root: true, next: goOn(c, next) });
}

/** Hono's next handler, for a path the app does not serve: its response is the answer. */
function goOn(c: Context, next: Next) {
  return async () => {
    await next();
    return c.res;
  };
}
