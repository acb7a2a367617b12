import type { AuthOf, ServerEnv } from '../server/context.js';

/** How a host hands a request to the app; `E` is the server's env. */
export interface MountOptions<E extends ServerEnv = ServerEnv> {
  /** The prefix the app is mounted under, e.g. `/mcp-server`; URLs the app gives out include it. */
  basePath?: string;
  /** What the host's authentication established; tools see it as `ctx.auth`. */
  auth?: AuthOf<E> | undefined;
  /**
   * The request is at the host's root, outside the mount: the app answers only its root routes
   * (e.g. OAuth metadata at `/.well-known/oauth-protected-resource/<basePath>/mcp`), computed for
   * an app mounted at `basePath`, and hands every other path back.
   */
  root?: boolean;
  /**
   * The body the host already read: its text or bytes, or what its JSON parser produced
   * (`express.json()`'s `req.body`, Fastify's `request.body`). On Node it is used once the request
   * stream has ended (a parser that skipped the request leaves the bytes in the stream).
   */
  body?: unknown;
}

export interface NodeMountOptions<E extends ServerEnv = ServerEnv> extends MountOptions<E> {
  /** `req.url` still starts with `basePath` (Fastify, Koa, plain node:http) and the app should strip it. */
  stripBasePath?: boolean;
}

export interface FetchMountOptions<E extends ServerEnv = ServerEnv> extends MountOptions<E> {
  /** The host's continuation, for a path the app does not serve: its answer is returned. Default: a 404. */
  next?: () => Response | Promise<Response>;
}
