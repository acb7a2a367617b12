import type { ServerEnv } from '../server/context.js';
import type { Exchange } from './exchange.js';

/**
 * HTTP middleware: runs before every route the app owns (MCP, legacy SSE, health, custom routes).
 * Answer early with `request.respond()` to stop the request (auth, rate limits), set
 * `request.auth` to hand identity to tools (`ctx.auth`), or `await next()` to go on. `E` is the
 * server's env: with `McpServer<{ auth: User }>`, `request.auth` takes a `User`.
 *
 * @example
 * ```ts
 * const requireKey: Middleware = async (request, next) => {
 *   if (request.header('x-api-key') !== process.env.API_KEY) {
 *     return request.respond(401, { 'content-type': 'text/plain' }, 'Unauthorized');
 *   }
 *   request.auth = { key: 'ok' };
 *   await next();
 * };
 * ```
 */
export type Middleware<E extends ServerEnv = ServerEnv> = (
  request: MiddlewareRequest<E>,
  next: () => Promise<void>,
) => void | Promise<void>;

/**
 * What middleware sees of a request: read it (method, path, headers, the one cached body, the
 * host's own object), answer it, add response headers, or hand identity on as `auth`.
 */
export type MiddlewareRequest<E extends ServerEnv = ServerEnv> = Pick<
  Exchange<E>,
  | 'method'
  | 'path'
  | 'query'
  | 'basePath'
  | 'header'
  | 'body'
  | 'raw'
  | 'auth'
  | 'loopback'
  | 'remoteAddress'
  | 'setHeader'
  | 'signal'
  | 'respond'
  | 'answered'
  | 'onClose'
>;

/**
 * Runs middleware in order around `last`, the route's handler; each `next` may be called once. The
 * list is read at each call, so middleware added later (`app.use()`) runs from the next request.
 */
export function compose(middleware: readonly Middleware[]) {
  return (request: Exchange, last: (request: Exchange) => Promise<void> | void): Promise<void> | void => {
    if (middleware.length === 0) return last(request);
    let index = -1;
    const run = async (i: number): Promise<void> => {
      if (i <= index)
        throw new Error('next() was called twice in one middleware. Call it once, and await it.');
      index = i;
      const fn = middleware[i];
      if (fn) await fn(request, () => run(i + 1));
      else await last(request);
    };
    return run(0);
  };
}
