import type { HttpApp } from '../http/app.js';
import type { AuthOf, ServerEnv } from '../server/context.js';

export interface NextOptions<E extends ServerEnv = ServerEnv> {
  /** Where the route lives: for `app/mcp/[[...path]]/route.ts`, `/mcp`. */
  basePath: string;
  /** What tools see as `ctx.auth`, from the request (e.g. a verified session cookie or token). */
  auth?: (request: Request) => AuthOf<E> | undefined | Promise<AuthOf<E> | undefined>;
}

type RouteHandler = (request: Request) => Promise<Response>;

/**
 * Next.js App Router route handlers for a Wharf app. Put them in an optional catch-all route so
 * every path of the app (`/mcp`, `/sse`, `/messages`) reaches it.
 *
 * @example
 * ```ts
 * // app/mcp/[[...path]]/route.ts
 * import { toNextHandlers } from 'wharf-mcp/next';
 * export const { GET, POST, DELETE, OPTIONS } = toNextHandlers(app, { basePath: '/mcp' });
 * export const dynamic = 'force-dynamic';
 * ```
 */
export function toNextHandlers<E extends ServerEnv>(app: HttpApp<E>, options: NextOptions<E>) {
  const handler: RouteHandler = async (request) =>
    app.handleFetch(request, { basePath: options.basePath, auth: await options.auth?.(request) });
  return { GET: handler, POST: handler, DELETE: handler, OPTIONS: handler, HEAD: handler };
}

/**
 * Route handlers for the app's root routes (routes that must live at the host's root, such as OAuth
 * metadata at `/.well-known/oauth-protected-resource/<basePath>/mcp`), for the app whose handlers
 * live at `basePath`. Put them in a route file at that root path, e.g.
 * `app/.well-known/oauth-protected-resource/[...path]/route.ts`.
 */
export function toNextRootHandlers<E extends ServerEnv>(app: HttpApp<E>, options: { basePath: string }) {
  const handler: RouteHandler = (request) =>
    app.handleFetch(request, { basePath: options.basePath, root: true });
  return { GET: handler, HEAD: handler, OPTIONS: handler };
}
