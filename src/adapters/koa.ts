import type { Context, Middleware } from 'koa';
import type { HttpApp, NodeMountOptions } from '../http/app.js';
import type { AuthOf, ServerEnv } from '../server/context.js';

export interface KoaOptions<E extends ServerEnv = ServerEnv> {
  /** What tools see as `ctx.auth`. Default: `ctx.state.auth ?? ctx.state.user`. */
  auth?: (ctx: Context) => AuthOf<E> | undefined;
}

/**
 * Koa middleware for a Wharf app. Mount it with `koa-mount` at any prefix; paths the app does not
 * serve go on with `next()`. Sets `ctx.respond = false` for what it answers, since it writes the
 * response (SSE streams included) itself.
 *
 * @example
 * ```ts
 * import Koa from 'koa';
 * import mount from 'koa-mount';
 * import { toKoa } from 'wharf-mcp/koa';
 * new Koa().use(mount('/mcp-server', toKoa(server.httpApp()))).listen(3000);
 * ```
 */
export function toKoa<E extends ServerEnv>(app: HttpApp<E>, options: KoaOptions<E> = {}): Middleware {
  // The default trusts the host's auth middleware to have stored the app's auth type there.
  const auth =
    options.auth ?? ((ctx: Context) => (ctx.state.auth ?? ctx.state.user) as AuthOf<E> | undefined);
  return (ctx, next) => {
    // koa-mount strips its prefix from ctx.path (nested mounts, each theirs): what was cut is the base.
    const original = ctx.originalUrl.split('?')[0] ?? '';
    const basePath = original.endsWith(ctx.path)
      ? original.slice(0, original.length - ctx.path.length)
      : ctx.path === '/'
        ? original
        : '';
    return serve(app, ctx, next, { basePath, auth: auth(ctx), body: hostBody(ctx) });
  };
}

/**
 * Koa middleware serving the app's root routes (routes that must live at the host's root, such as
 * OAuth metadata) for the app mounted at `basePath`. Use it outside the mount; other requests go on.
 *
 * @example
 * ```ts
 * koa.use(mount('/mcp-server', toKoa(app)));
 * koa.use(toKoaRoot(app, { basePath: '/mcp-server' }));
 * ```
 */
export function toKoaRoot<E extends ServerEnv>(app: HttpApp<E>, options: { basePath: string }): Middleware {
  return (ctx, next) => serve(app, ctx, next, { basePath: options.basePath, root: true });
}

/** Hands the request to the app; it calls back at once for a path it does not serve. */
async function serve<E extends ServerEnv>(
  app: HttpApp<E>,
  ctx: Context,
  next: () => Promise<unknown>,
  options: NodeMountOptions<E>,
): Promise<unknown> {
  let passed = false;
  const served = app.handleNode(ctx.req, ctx.res, () => (passed = true), options);
  if (passed) return next();
  // The app writes the response itself (SSE streams included): Koa must not.
  ctx.respond = false;
  return served;
}

/**
 * What a Koa body parser (@koa/bodyparser, koa-bodyparser) read: the raw text when it kept it, so
 * custom routes get the bytes the client sent, else its parsed value. The stream itself is used up.
 */
function hostBody(ctx: Context): unknown {
  const request = ctx.request as { body?: unknown; rawBody?: unknown };
  return typeof request.rawBody === 'string' ? request.rawBody : request.body;
}
