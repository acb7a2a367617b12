import type { Context, Middleware } from 'koa';
import type { HttpApp } from '../http/app.js';
import type { AuthOf, ServerEnv } from '../server/context.js';

export interface KoaOptions<E extends ServerEnv = ServerEnv> {
  /** What tools see as `ctx.auth`. Default: `ctx.state.auth ?? ctx.state.user`. */
  auth?: (ctx: Context) => AuthOf<E> | undefined;
}

/**
 * Koa middleware for a Wharf app. Mount it with `koa-mount` at any prefix; paths the app does not
 * own go on with `next()`. Sets `ctx.respond = false` for what it answers, since it writes the
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
  return async (ctx, next) => {
    if (!app.owns(ctx.path) && ctx.method !== 'OPTIONS') return next();
    ctx.respond = false;
    // A Koa body parser leaves its result on ctx.request; the stream itself is used up.
    const parsed = (ctx.request as { body?: unknown }).body;
    if (parsed !== undefined) (ctx.req as { body?: unknown }).body = parsed;
    // koa-mount strips its prefix from ctx.path (nested mounts, each theirs): what was cut is the base.
    const original = ctx.originalUrl.split('?')[0] ?? '';
    const basePath = original.endsWith(ctx.path)
      ? original.slice(0, original.length - ctx.path.length)
      : ctx.path === '/'
        ? original
        : '';
    await app.handleNode(ctx.req, ctx.res, undefined, { basePath, auth: auth(ctx) });
  };
}
