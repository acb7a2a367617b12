import type { NextFunction, Request, Response } from 'express';
import type { HttpApp } from '../http/app.js';
import type { AuthOf, ServerEnv } from '../server/context.js';

export interface ExpressOptions<E extends ServerEnv = ServerEnv> {
  /**
   * What tools see as `ctx.auth`, from the request your auth middleware has seen. Default:
   * `req.auth ?? req.user` (express-oauth2-jwt-bearer, express-jwt and Passport put it there).
   */
  auth?: (req: Request) => AuthOf<E> | undefined;
}

/**
 * Mounts a Wharf app in Express 4 or 5, at any path, nested in routers. The prefix comes from
 * `req.baseUrl`; a body that `express.json()` already parsed is used as it is; paths the app does
 * not own go on to the next Express handler.
 *
 * @example
 * ```ts
 * import express from 'express';
 * import { toExpress } from 'wharf-mcp/express';
 * const web = express();
 * web.use('/mcp-server', toExpress(server.httpApp()));   // Streamable HTTP at /mcp-server/mcp
 * ```
 */
export function toExpress<E extends ServerEnv>(app: HttpApp<E>, options: ExpressOptions<E> = {}) {
  // The default trusts the host's auth middleware to have stored the app's auth type there.
  const auth = options.auth ?? (defaultAuth as (req: Request) => AuthOf<E> | undefined);
  return (req: Request, res: Response, next: NextFunction): void => {
    // `req.body` is what express.json() (or another parser) read; the app uses it only if the
    // stream was read to its end, so Express 4's `{}` for a skipped request is not mistaken for it.
    void app.handleNode(req, res, next, { basePath: req.baseUrl, auth: auth(req), body: req.body });
  };
}

function defaultAuth(req: Request): unknown {
  const withAuth = req as Request & { auth?: unknown; user?: unknown };
  return withAuth.auth ?? withAuth.user;
}

/**
 * Serves the app's root routes: routes that must live at the host's root, outside the mount (OAuth
 * metadata at `/.well-known/oauth-protected-resource/<mount>/mcp`), for the app mounted at
 * `basePath`. Use it at the root of the Express app; every other request goes on.
 *
 * @example
 * ```ts
 * web.use('/mcp-server', toExpress(app));
 * web.use(toExpressRoot(app, { basePath: '/mcp-server' }));
 * ```
 */
export function toExpressRoot<E extends ServerEnv>(app: HttpApp<E>, options: { basePath: string }) {
  return (req: Request, res: Response, next: NextFunction): void => {
    void app.handleNode(req, res, next, { basePath: options.basePath, root: true });
  };
}
