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
 * A plain node:http handler for a Wharf app under a prefix of your server. Paths the app does not
 * own go to `next` (your own routing), or get a 404.
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
    if (
      basePath &&
      !(path === basePath || path.startsWith(`${basePath}/`) || path.startsWith(`${basePath}?`))
    ) {
      if (next) next();
      else {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('Not Found');
      }
      return Promise.resolve();
    }
    return app.handleNode(req, res, next, { basePath, stripBasePath: true, auth: options.auth?.(req) });
  };
}
