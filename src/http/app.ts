import type { IncomingMessage, ServerResponse } from 'node:http';
import { WharfError, WharfErrorCode } from '../protocol/errors.js';
import type { BaseMcpServer } from '../server/base-server.js';
import type { ServerEnv } from '../server/context.js';
import { AppCore } from './app-core.js';
import type { Middleware } from './middleware.js';
import type { FetchMountOptions, NodeMountOptions } from './mount.js';
import { type HttpAppOptions, resolveOptions } from './options.js';
import type { RootRoute } from './root-routes.js';
import type { CustomRoutes, RouteHandler } from './routes.js';
import type { ListenOptions } from './standalone.js';

type NodeNext = (error?: unknown) => void;

export type { FetchMountOptions, MountOptions, NodeMountOptions } from './mount.js';
export type { ListenOptions } from './standalone.js';

/**
 * The web app of an MCP server. Callable as a Node handler `(req, res, next?)` (so it mounts in
 * Express or serves `http.createServer(app)`), with `fetch` for fetch runtimes and `listen` to run
 * on its own. `E` is the server's env (`McpServer<E>`): it types `auth` in middleware and mounts.
 */
export interface HttpApp<E extends ServerEnv = ServerEnv> {
  (req: IncomingMessage, res: ServerResponse, next?: NodeNext): void;
  /** The MCP server this app serves. */
  readonly server: BaseMcpServer<E>;
  /**
   * Fetch-runtime entry (Bun, Deno, Workers): `export default { fetch: app.fetch }`. A string second
   * argument is the prefix the app is mounted under; anything else a runtime passes is ignored.
   */
  fetch(request: Request, basePath?: unknown): Promise<Response>;
  /** For adapters on fetch hosts (Hono, Next.js): the mount prefix, the host's auth, its `next`. */
  handleFetch(request: Request, options?: FetchMountOptions<E>): Promise<Response>;
  /**
   * The Node entry point; calling the app does the same. The mount prefix defaults to Express's
   * `req.baseUrl`. For a path the app does not serve it calls `next` (or answers 404) before it
   * returns, so a host can tell at once; otherwise it resolves when the app has answered.
   */
  handleNode(
    req: IncomingMessage,
    res: ServerResponse,
    next?: NodeNext,
    options?: NodeMountOptions<E>,
  ): Promise<void>;
  /** Whether the app answers this path (relative to its mount point), whatever the method. */
  owns(path: string): boolean;
  /**
   * The routes the app serves at the host's root when mounted at `basePath` (none unless a feature
   * adds them), for hosts that register routes one by one (Fastify).
   */
  rootPaths(basePath: string): { method: string; path: string }[];
  /**
   * Adds a custom route (`(Request) => Response`) to this app; it runs behind the app's middleware,
   * replaces a route with the same method and path, and (for GET) answers HEAD too. Throws a
   * `WharfError` for a path the app serves itself (its MCP endpoint, legacy pair or health route).
   */
  route(method: string, path: string, handler: RouteHandler): HttpApp<E>;
  /** Adds HTTP middleware. */
  use(middleware: Middleware<E>): HttpApp<E>;
  /**
   * Runs the app on its own HTTP server (127.0.0.1 and any free port unless told), with timeouts
   * that cut off clients too slow to send a request (`headersTimeout`, `requestTimeout`). The app
   * then owns the process: SIGTERM and SIGINT close it gracefully, then end the process by the same
   * signal (`handleSignals: false` leaves signals to you). Resolves with the bound address.
   *
   * @example
   * ```ts
   * const { url } = await server.httpApp().listen({ port: 3000 });
   * ```
   */
  listen(options?: ListenOptions): Promise<{ port: number; host: string; url: string }>;
  /**
   * Shuts the app down gracefully. New requests get 503 (`WHARF_SHUTTING_DOWN`, `Connection:
   * close`) while calls in flight get `shutdownGraceMs` to finish; each call still running then is
   * answered with a JSON-RPC error (`data.code: 'WHARF_SHUTTING_DOWN'`) and its handler's
   * `ctx.signal` aborts. Then every session ends (their streams end cleanly), the standalone
   * server stops and the server's shutdown hook runs. Later requests get 503 `WHARF_APP_CLOSED`.
   * Calling it again returns the same promise.
   */
  close(): Promise<void>;
}

/** The core behind each app, for internal features (`addRootRoute`). */
const cores = new WeakMap<HttpApp, AppCore>();

/**
 * Builds the app. `serverRoutes` are the server's own custom routes (`server.route()`), read live:
 * one added after `httpApp()` is served too.
 */
export function createHttpApp(
  server: BaseMcpServer,
  options: HttpAppOptions = {},
  serverRoutes?: CustomRoutes,
): HttpApp {
  const core = new AppCore(server, resolveOptions(options), serverRoutes);
  const app = ((req: IncomingMessage, res: ServerResponse, next?: NodeNext) => {
    void core.handleNode(req, res, next, {});
  }) as HttpApp;
  Object.defineProperty(app, 'server', { value: server, enumerable: true });
  Object.assign(app, {
    handleNode: (req: IncomingMessage, res: ServerResponse, next?: NodeNext, mount: NodeMountOptions = {}) =>
      core.handleNode(req, res, next, mount),
    handleFetch: (request: Request, mount: FetchMountOptions = {}) => core.handleFetch(request, mount),
    fetch: (request: Request, basePath?: unknown) =>
      core.handleFetch(request, { basePath: typeof basePath === 'string' ? basePath : '' }),
    owns: (path: string) => core.table.find(path) !== undefined,
    rootPaths: (basePath: string) => [...core.rootRoutes.tableFor(basePath).entries()],
    route(method: string, path: string, handler: RouteHandler) {
      core.addRoute({ method, path, handler });
      return app;
    },
    use(middleware: Middleware) {
      core.use(middleware);
      return app;
    },
    listen: (listenOptions: ListenOptions = {}) => core.listen(app, listenOptions),
    close: () => core.close(),
  });
  cores.set(app, core);
  return app;
}

/**
 * Internal: adds a route the app serves at the host's root, outside its mount, at a path computed
 * from the mount path (OAuth protected-resource metadata, RFC 9728). Features call it when they
 * build the app; adapters serve it through `root: true` and `rootPaths()`.
 */
export function addRootRoute(app: HttpApp, route: RootRoute): void {
  const core = cores.get(app);
  if (!core)
    throw new WharfError(WharfErrorCode.InvalidOption, 'addRootRoute() needs an app made by httpApp().');
  core.addRootRoute(route);
}
