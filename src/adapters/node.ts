import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpApp } from '../http/app.js';
import type { AuthOf, ServerEnv } from '../server/context.js';

export interface NodeOptions<E extends ServerEnv = ServerEnv> {
  /** The prefix the app lives under in your server, e.g. `/mcp`. Default: none. */
  basePath?: string;
  /** What tools see as `ctx.auth`, from the request. */
  auth?: (req: IncomingMessage) => AuthOf<E> | undefined;
}

/**
 * A plain node:http handler for a Wharf app under a prefix of your server; it also serves the app's
 * root routes (OAuth metadata, say) outside the prefix. Paths the app does not serve go to `next`
 * (your own routing), or get a 404.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * import { toNodeHandler } from 'wharf-mcp/node';
 * const mcp = toNodeHandler(server.httpApp(), { basePath: '/tools' });
 * createServer((req, res) => mcp(req, res, () => myRoutes(req, res))).listen(3000);
 * ```
 */
export function toNodeHandler<E extends ServerEnv>(app: HttpApp<E>, options: NodeOptions<E> = {}) {
  const basePath = options.basePath ?? '';
  return (req: IncomingMessage, res: ServerResponse, next?: () => void): Promise<void> => {
    const path = req.url ?? '/';
    // Outside the prefix, the request is at the host's root: the app serves its root routes there
    // (OAuth metadata, say) and hands every other path to `next`.
    const root =
      basePath !== '' &&
      !(path === basePath || path.startsWith(`${basePath}/`) || path.startsWith(`${basePath}?`));
    return app.handleNode(req, res, next, { basePath, stripBasePath: true, root, auth: options.auth?.(req) });
  };
}
