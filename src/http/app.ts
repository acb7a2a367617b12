import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AuthOf, ServerEnv } from '../server/context.js';
import type { BaseMcpServer } from '../server/mcp-server.js';
import { LegacySseTransport } from '../transports/legacy-sse.js';
import { StreamableHttpTransport } from '../transports/streamable-http.js';
import { applyCors } from './cors.js';
import type { Exchange } from './exchange.js';
import { checkHostAndOrigin } from './guard.js';
import { compose, type Middleware } from './middleware.js';
import { NodeExchange } from './node-exchange.js';
import { type HttpAppOptions, normalizePath, resolveOptions } from './options.js';
import { refuse, respondJson } from './respond.js';
import { type RouteHandler, runRoute } from './routes.js';
import { SessionTable } from './sessions.js';
import { WebExchange } from './web-exchange.js';

type NodeNext = (error?: unknown) => void;

/** How a host hands a request to the app; `E` is the server's env. */
export interface MountOptions<E extends ServerEnv = ServerEnv> {
  /** The prefix the app is mounted under, e.g. `/mcp-server`; URLs the app gives out include it. */
  basePath?: string;
  /** What the host's authentication established; tools see it as `ctx.auth`. */
  auth?: AuthOf<E> | undefined;
}

export interface NodeMountOptions<E extends ServerEnv = ServerEnv> extends MountOptions<E> {
  /** `req.url` still starts with `basePath` (Fastify, Koa, plain node:http) and the app should strip it. */
  stripBasePath?: boolean;
}

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
  /** For adapters on fetch hosts (Hono, Next.js): the mount prefix and the host's auth. */
  handleFetch(request: Request, options?: MountOptions<E>): Promise<Response>;
  /**
   * The Node entry point; calling the app does the same. The mount prefix defaults to Express's
   * `req.baseUrl`. Resolves when the app has answered, or at once when it called `next()`.
   */
  handleNode(
    req: IncomingMessage,
    res: ServerResponse,
    next?: NodeNext,
    options?: NodeMountOptions<E>,
  ): Promise<void>;
  /** Whether the app answers this path (relative to its mount point): adapters ask before handing over. */
  owns(path: string): boolean;
  /** Adds a custom route (`(Request) => Response`); it runs behind the app's middleware. */
  route(method: string, path: string, handler: RouteHandler): HttpApp<E>;
  /** Adds HTTP middleware. */
  use(middleware: Middleware<E>): HttpApp<E>;
  /** Runs the app on its own HTTP server. Resolves with the bound address. */
  listen(options?: { port?: number; host?: string }): Promise<{ port: number; host: string; url: string }>;
  /** Ends every session, stops the standalone server, runs the server's shutdown hook. */
  close(): Promise<void>;
}

export function createHttpApp(
  server: BaseMcpServer,
  options: HttpAppOptions = {},
  serverRoutes: ReadonlyMap<string, RouteHandler> = new Map(),
): HttpApp {
  const config = resolveOptions(options);
  const sessions = new SessionTable(server, {
    idleMs: config.sessionIdleMs,
    maxSessions: config.maxSessions,
  });
  const streamable = new StreamableHttpTransport(server, sessions, {
    jsonResponse: config.jsonResponse,
    stateless: config.stateless,
    eventStore: config.eventStore,
    retryMs: config.retryMs,
    maxBodyBytes: config.maxBodyBytes,
  });
  const legacy =
    config.ssePath && config.messagesPath
      ? new LegacySseTransport(sessions, {
          ssePath: config.ssePath,
          messagesPath: config.messagesPath,
          maxBodyBytes: config.maxBodyBytes,
          publicUrl: config.publicUrl,
        })
      : undefined;
  const routes = new Map<string, RouteHandler>();
  /** Every path the app answers, whatever the method: what `owns()` asks, once per request. */
  const ownedPaths = new Set(
    [config.mcpPath, config.ssePath, config.messagesPath, config.healthPath].filter(
      (path): path is string => path !== undefined,
    ),
  );

  function addRoute(key: string, handler: RouteHandler): void {
    routes.set(key, handler);
    ownedPaths.add(key.slice(key.indexOf(' ') + 1));
  }
  // Origins the CORS option names explicitly are allowed past the DNS-rebinding guard too: naming
  // them is the deliberate choice the guard otherwise asks for.
  const corsOrigins = Array.isArray(config.cors?.origin) ? config.cors.origin : [];
  const guard =
    corsOrigins.length > 0
      ? { ...config.guard, allowedOrigins: [...(config.guard.allowedOrigins ?? []), ...corsOrigins] }
      : config.guard;
  const middleware: Middleware[] = [...config.middleware];
  let pipeline: (exchange: Exchange) => Promise<void> | void = buildPipeline();
  let standalone: Server | undefined;
  let keepAlive: ReturnType<typeof setInterval> | undefined;
  let closed = false;
  let started = false;

  function buildPipeline() {
    return compose(middleware, dispatch);
  }

  function ownsPath(path: string): boolean {
    return ownedPaths.has(normalizePath(path));
  }

  /** Runs the route the request names; the path is known to be the app's own. */
  function dispatch(exchange: Exchange): Promise<void> | void {
    const path = normalizePath(exchange.path);
    const method = exchange.method;
    if (path === config.mcpPath) return streamable.handle(exchange);
    if (legacy && path === config.ssePath) {
      if (method === 'GET') return legacy.openStream(exchange);
      return refuse(exchange, 405, 'Method Not Allowed: the SSE endpoint takes GET.', {
        headers: { allow: 'GET' },
      });
    }
    if (legacy && path === config.messagesPath) {
      if (method === 'POST') return legacy.post(exchange);
      return refuse(exchange, 405, 'Method Not Allowed: the messages endpoint takes POST.', {
        headers: { allow: 'POST' },
      });
    }
    if (path === config.healthPath && (method === 'GET' || method === 'HEAD')) {
      return respondJson(exchange, 200, { status: 'ok' });
    }
    const custom =
      routes.get(`${method} ${path}`) ?? (method === 'HEAD' ? routes.get(`GET ${path}`) : undefined);
    if (custom)
      return runRoute(exchange, custom, {
        limit: config.maxBodyBytes,
        trustProxy: config.guard.trustProxy === true,
      });
    // A path the app owns, but not with this method (say, PUT on a custom GET route).
    refuse(exchange, 405, `Method Not Allowed: ${method} is not served at ${exchange.path}.`);
  }

  /**
   * Paths the app does not own go back to the host untouched (OPTIONS included). For its own: the
   * Host/Origin guard, CORS, the startup hook (once, lazily), then middleware and the route.
   */
  async function serve(exchange: Exchange, notOwned: () => void): Promise<void> {
    if (!ownsPath(exchange.path)) return notOwned();
    if (closed) {
      // Mounted in a host that keeps running: the app is gone, so no new sessions start.
      refuse(exchange, 503, 'Service Unavailable: this MCP app was closed. Connect to a running instance.');
      return;
    }
    const refusal = checkHostAndOrigin(exchange, guard);
    if (refusal) {
      refuse(
        exchange,
        403,
        `Forbidden: ${refusal}. If this server is meant to be reached under that name, add it to allowedHosts / allowedOrigins.`,
      );
      return;
    }
    if (config.cors && applyCors(exchange, config.cors)) return;
    if (!started) {
      await server.start();
      started = true;
      ensureKeepAlive();
    }
    await pipeline(exchange);
    if (!exchange.answered) {
      refuse(exchange, 500, 'Internal Server Error: a middleware neither answered nor called next().');
    }
  }

  function fail(exchange: Exchange, error: unknown) {
    server.reportError(error);
    if (!exchange.answered)
      refuse(exchange, 500, 'Internal Server Error: the request failed; the server logged why.');
  }

  function handleNode(
    req: IncomingMessage,
    res: ServerResponse,
    next?: NodeNext,
    options: NodeMountOptions = {},
  ): Promise<void> {
    const base = options.basePath ?? (req as { baseUrl?: string }).baseUrl ?? '';
    const exchange = new NodeExchange(req, res, base, options.stripBasePath === true);
    if (options.auth !== undefined) exchange.auth = options.auth;
    return serve(exchange, () => (next ? next() : notFound(exchange, base))).catch((error) =>
      fail(exchange, error),
    );
  }

  function handleFetch(request: Request, options: MountOptions = {}): Promise<Response> {
    const base = options.basePath ?? '';
    const exchange = new WebExchange(request, base);
    if (options.auth !== undefined) exchange.auth = options.auth;
    serve(exchange, () => notFound(exchange, base)).catch((error) => fail(exchange, error));
    return exchange.response;
  }

  function notFound(exchange: Exchange, base: string): void {
    refuse(
      exchange,
      404,
      `Not Found: nothing is served at ${exchange.path}. The MCP endpoint is ${base}${config.mcpPath}.`,
    );
  }

  function ensureKeepAlive() {
    if (keepAlive || config.keepAliveMs === 0 || config.stateless) return;
    keepAlive = setInterval(() => {
      for (const live of sessions.values()) live.standalone?.keepAlive();
      for (const channel of sessions.channels.values()) channel.keepAlive();
    }, config.keepAliveMs);
    (keepAlive as { unref?: () => void }).unref?.();
  }

  const app = ((req: IncomingMessage, res: ServerResponse, next?: NodeNext) => {
    void handleNode(req, res, next);
  }) as HttpApp;
  Object.defineProperty(app, 'server', { value: server, enumerable: true });
  Object.assign(app, {
    handleNode,
    handleFetch,
    owns: ownsPath,
    fetch(request: Request, basePath?: unknown): Promise<Response> {
      return handleFetch(request, { basePath: typeof basePath === 'string' ? basePath : '' });
    },
    route(method: string, path: string, handler: RouteHandler) {
      addRoute(`${method.toUpperCase()} ${normalizePath(path)}`, handler);
      return app;
    },
    use(fn: Middleware) {
      middleware.push(fn);
      pipeline = buildPipeline();
      return app;
    },
    listen(listenOptions: { port?: number; host?: string } = {}) {
      const host = listenOptions.host ?? '127.0.0.1';
      return new Promise((resolve, reject) => {
        const httpServer = createServer(app);
        httpServer.once('error', reject);
        httpServer.listen(listenOptions.port ?? 0, host, () => {
          standalone = httpServer;
          const { port } = httpServer.address() as AddressInfo;
          const shown = host.includes(':') ? `[${host}]` : host;
          resolve({
            port,
            host,
            url: `http://${shown}:${port}${config.mcpPath === '/' ? '' : config.mcpPath}`,
          });
        });
      });
    },
    async close() {
      closed = true;
      if (keepAlive) clearInterval(keepAlive);
      keepAlive = undefined;
      sessions.closeAll();
      if (standalone) {
        const closing = standalone;
        standalone = undefined;
        await new Promise<void>((resolve) => {
          closing.close(() => resolve());
          closing.closeAllConnections();
        });
      }
      await server.close();
    },
  });
  for (const [key, handler] of serverRoutes) addRoute(key, handler);
  return app;
}
