import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
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

/**
 * The web app of an MCP server. Callable as a Node handler `(req, res, next?)` (so it mounts in
 * Express or serves `http.createServer(app)`), with `fetch` for fetch runtimes and `listen` to run
 * on its own.
 */
export interface HttpApp {
  (req: IncomingMessage, res: ServerResponse, next?: NodeNext): void;
  /** The MCP server this app serves. */
  readonly server: BaseMcpServer;
  /** Fetch-runtime entry (Bun, Deno, Workers, Hono). `basePath` is the prefix the app is mounted under. */
  fetch(request: Request, basePath?: string): Promise<Response>;
  /** The Node entry point, the same as calling the app. `basePath` defaults to Express's `req.baseUrl`. */
  handleNode(req: IncomingMessage, res: ServerResponse, next?: NodeNext, basePath?: string): void;
  /** Adds a custom route (`(Request) => Response`); it runs behind the app's middleware. */
  route(method: string, path: string, handler: RouteHandler): HttpApp;
  /** Adds HTTP middleware. */
  use(middleware: Middleware): HttpApp;
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
      ? new LegacySseTransport(server, sessions, {
          ssePath: config.ssePath,
          messagesPath: config.messagesPath,
          maxBodyBytes: config.maxBodyBytes,
          publicUrl: config.publicUrl,
        })
      : undefined;
  const routes = new Map<string, RouteHandler>();
  const middleware: Middleware[] = [...config.middleware];
  let pipeline: (exchange: Exchange) => Promise<void> | void = buildPipeline();
  let standalone: Server | undefined;
  let keepAlive: ReturnType<typeof setInterval> | undefined;

  function buildPipeline() {
    return compose(middleware, dispatch);
  }

  /** Which of the app's own routes a path is, or undefined when the app does not own it. */
  function routeOf(exchange: Exchange): (() => Promise<void> | void) | undefined {
    const path = normalizePath(exchange.path);
    if (path === config.mcpPath || (config.mcpPath === '/' && path === ''))
      return () => streamable.handle(exchange);
    if (legacy && path === config.ssePath) {
      if (exchange.method === 'GET') return () => legacy.openStream(exchange);
      return () =>
        refuse(exchange, 405, 'Method Not Allowed: the SSE endpoint takes GET.', {
          headers: { allow: 'GET' },
        });
    }
    if (legacy && path === config.messagesPath) {
      if (exchange.method === 'POST') return () => legacy.post(exchange);
      return () =>
        refuse(exchange, 405, 'Method Not Allowed: the messages endpoint takes POST.', {
          headers: { allow: 'POST' },
        });
    }
    if (path === config.healthPath && (exchange.method === 'GET' || exchange.method === 'HEAD')) {
      return () => respondJson(exchange, 200, { status: 'ok' });
    }
    const custom =
      routes.get(`${exchange.method} ${path}`) ??
      (exchange.method === 'HEAD' ? routes.get(`GET ${path}`) : undefined);
    if (custom) return () => runRoute(exchange, custom, config.maxBodyBytes);
    return undefined;
  }

  async function dispatch(exchange: Exchange): Promise<void> {
    const run = routeOf(exchange);
    if (run) await run();
  }

  /** Guard and CORS first (they answer even for the host's routes only when the app owns the path). */
  async function serve(exchange: Exchange, notOwned: () => void): Promise<void> {
    if (!routeOf(exchange) && exchange.method !== 'OPTIONS') return notOwned();
    const refusal = checkHostAndOrigin(exchange, config.guard);
    if (refusal) {
      refuse(
        exchange,
        403,
        `Forbidden: ${refusal}. If this server is meant to be reached under that name, add it to allowedHosts / allowedOrigins.`,
      );
      return;
    }
    if (config.cors && applyCors(exchange, config.cors)) return;
    if (!routeOf(exchange)) return notOwned();
    ensureKeepAlive();
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

  function handleNode(req: IncomingMessage, res: ServerResponse, next?: NodeNext, basePath?: string): void {
    const base = basePath ?? (req as { baseUrl?: string }).baseUrl ?? '';
    const exchange = new NodeExchange(req, res, base);
    const notOwned = () => {
      if (next) next();
      else
        refuse(
          exchange,
          404,
          `Not Found: nothing is served at ${exchange.path}. The MCP endpoint is ${base}${config.mcpPath}.`,
        );
    };
    serve(exchange, notOwned).catch((error) => fail(exchange, error));
  }

  function ensureKeepAlive() {
    if (keepAlive || config.keepAliveMs === 0 || config.stateless) return;
    keepAlive = setInterval(() => {
      for (const live of sessions.values()) {
        live.standalone?.keepAlive();
        for (const channel of live.channels.values()) channel.keepAlive();
      }
    }, config.keepAliveMs);
    (keepAlive as { unref?: () => void }).unref?.();
  }

  const app = ((req: IncomingMessage, res: ServerResponse, next?: NodeNext) =>
    handleNode(req, res, next)) as HttpApp;
  Object.defineProperty(app, 'server', { value: server, enumerable: true });
  Object.assign(app, {
    handleNode,
    async fetch(request: Request, basePath = ''): Promise<Response> {
      const exchange = new WebExchange(request, basePath);
      const notOwned = () =>
        refuse(
          exchange,
          404,
          `Not Found: nothing is served at ${exchange.path}. The MCP endpoint is ${basePath}${config.mcpPath}.`,
        );
      serve(exchange, notOwned).catch((error) => fail(exchange, error));
      return exchange.response;
    },
    route(method: string, path: string, handler: RouteHandler) {
      routes.set(`${method.toUpperCase()} ${normalizePath(path)}`, handler);
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
  for (const [key, handler] of serverRoutes) routes.set(key, handler);
  return app;
}
