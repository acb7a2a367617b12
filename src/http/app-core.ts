import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BaseMcpServer } from '../server/base-server.js';
import { applyCors } from './cors.js';
import type { Exchange } from './exchange.js';
import { checkHostAndOrigin, type GuardOptions } from './guard.js';
import { AppLifecycle } from './lifecycle.js';
import { addMcpRoutes, type McpEndpoints } from './mcp/routes.js';
import { compose, type Middleware } from './middleware.js';
import type { FetchMountOptions, NodeMountOptions } from './mount.js';
import { NodeExchange } from './node-exchange.js';
import type { ResolvedOptions } from './options.js';
import { HttpRefusal, refuse } from './refusals.js';
import { respondJson } from './respond.js';
import { type RootRoute, RootRoutes } from './root-routes.js';
import { type PathRoutes, RouteTable } from './route-table.js';
import { type CustomRoute, type CustomRoutes, runRoute } from './routes.js';
import { type ListenOptions, StandaloneServer } from './standalone.js';
import { WebExchange } from './web-exchange.js';

type NodeNext = (error?: unknown) => void;
const DONE = Promise.resolve();

/**
 * The app behind `HttpApp`: one route table under the mount (MCP, legacy SSE, health, custom
 * routes; server routes read live), root routes outside it, and the request flow. A request is
 * looked up once: a path the table lacks goes back to the host before anything else runs.
 */
export class AppCore {
  readonly table = new RouteTable();
  readonly rootRoutes = new RootRoutes();
  private readonly mcp: McpEndpoints;
  private readonly middleware: Middleware[];
  private readonly pipeline: ReturnType<typeof compose>;
  private readonly guard: GuardOptions;
  private readonly detachServerRoutes: () => void;
  private readonly standalone = new StandaloneServer();
  private started = false;
  private readonly lifecycle = new AppLifecycle();

  constructor(
    readonly server: BaseMcpServer,
    private readonly config: ResolvedOptions,
    serverRoutes: CustomRoutes | undefined,
  ) {
    this.mcp = addMcpRoutes(this.table, server, config);
    if (config.healthPath) {
      const health = (exchange: Exchange) => respondJson(exchange, 200, { status: 'ok' });
      this.table.add('GET', config.healthPath, health, {
        builtIn: true,
        label: 'the health route',
        headToo: true,
      });
    }
    this.middleware = [...config.middleware];
    this.pipeline = compose(this.middleware);
    // Origins the CORS option names explicitly are allowed past the DNS-rebinding guard too: naming
    // them is the deliberate choice the guard otherwise asks for.
    const corsOrigins = Array.isArray(config.cors?.origin) ? config.cors.origin : [];
    this.guard =
      corsOrigins.length > 0
        ? { ...config.guard, allowedOrigins: [...(config.guard.allowedOrigins ?? []), ...corsOrigins] }
        : config.guard;
    this.detachServerRoutes =
      serverRoutes?.attach({
        check: (route) => this.table.check(route.method, route.path),
        add: (route) => this.addRoute(route),
      }) ?? (() => undefined);
  }

  addRoute({ method, path, handler }: CustomRoute): void {
    const limit = this.config.maxBodyBytes;
    const trustProxy = this.config.guard.trustProxy === true;
    const run = (exchange: Exchange) => runRoute(exchange, handler, { limit, trustProxy });
    this.table.add(method, path, run, { headToo: true });
  }

  addRootRoute(route: RootRoute): void {
    this.rootRoutes.add(route);
  }

  use(middleware: Middleware): void {
    this.middleware.push(middleware);
  }

  handleNode(
    req: IncomingMessage,
    res: ServerResponse,
    next: NodeNext | undefined,
    options: NodeMountOptions,
  ) {
    const root = options.root === true;
    const exchange = new NodeExchange(req, res, {
      basePath: options.basePath ?? (req as { baseUrl?: string }).baseUrl ?? '',
      stripBasePath: options.stripBasePath === true && !root,
      maxBodyBytes: this.config.maxBodyBytes,
      body: options.body,
      maxStreamBufferBytes: this.config.maxStreamBufferBytes,
    });
    if (options.auth !== undefined) exchange.auth = options.auth;
    const served = this.dispatch(exchange, root);
    if (served) return served;
    // Not the app's: back to the host before anything ran (`next` is called before this returns).
    if (next) next();
    else this.notFound(exchange);
    return DONE;
  }

  handleFetch(request: Request, options: FetchMountOptions): Promise<Response> {
    const root = options.root === true;
    const exchange = new WebExchange(request, {
      basePath: options.basePath ?? '',
      stripBasePath: !root,
      maxBodyBytes: this.config.maxBodyBytes,
      body: options.body,
      maxStreamBufferBytes: this.config.maxStreamBufferBytes,
    });
    if (options.auth !== undefined) exchange.auth = options.auth;
    if (!this.dispatch(exchange, root)) {
      if (options.next) return Promise.resolve(options.next());
      this.notFound(exchange);
    }
    return exchange.response;
  }

  /** Serves the request when a route of the app names its path; undefined when none does. */
  private dispatch(exchange: Exchange, root: boolean): Promise<void> | undefined {
    const own = root ? undefined : this.table.find(exchange.path);
    if (own) return this.serve(exchange, own, true).catch((error) => this.fail(exchange, error));
    // At the host's root (a root request, or an app mounted at ""): the app's root routes.
    if ((!root && exchange.basePath !== '') || this.rootRoutes.size === 0) return undefined;
    const atRoot = this.rootRoutes.tableFor(exchange.basePath).find(exchange.path);
    return atRoot && this.serve(exchange, atRoot, false).catch((error) => this.fail(exchange, error));
  }

  /**
   * The Host/Origin guard, CORS, then the route's handler (or the path's 405). Routes under the
   * mount also start the server (once, lazily) and run behind the middleware; root routes do not:
   * they are public documents a client reads before it can authenticate (RFC 9728, section 3).
   */
  private async serve(exchange: Exchange, routes: PathRoutes, mounted: boolean): Promise<void> {
    const lifecycle = this.lifecycle;
    if (lifecycle.phase !== 'open') {
      // Closing: the calls in flight finish, nothing new starts, and the client should go elsewhere.
      // Closed, but mounted in a host that keeps running: the app is gone.
      refuse(exchange, lifecycle.phase === 'closing' ? HttpRefusal.ShuttingDown : HttpRefusal.AppClosed);
      return;
    }
    // Counted until the handler is done (for an SSE answer, after its last event), so close() can
    // wait for the calls in flight.
    lifecycle.enter();
    try {
      const stranger = checkHostAndOrigin(exchange, this.guard);
      if (stranger) {
        if ('host' in stranger) refuse(exchange, HttpRefusal.HostNotAllowed, stranger.host);
        else refuse(exchange, HttpRefusal.OriginNotAllowed, stranger.origin);
        return;
      }
      if (this.config.cors && applyCors(exchange, this.config.cors)) return;
      const handler = routes.handler(exchange.method) ?? ((ex: Exchange) => methodNotAllowed(ex, routes));
      if (!mounted) {
        await handler(exchange);
        return;
      }
      if (!this.started) {
        await this.server.start();
        this.started = true;
        this.mcp.startKeepAlive();
      }
      await this.pipeline(exchange, handler);
      if (!exchange.answered) {
        refuse(exchange, HttpRefusal.MiddlewareNoAnswer);
      }
    } finally {
      lifecycle.leave();
    }
  }

  private fail(exchange: Exchange, error: unknown): void {
    this.server.reportError(error);
    if (!exchange.answered) refuse(exchange, HttpRefusal.InternalError);
  }

  private notFound(exchange: Exchange): void {
    const endpoint = `${exchange.basePath}${this.config.mcpPath}`;
    refuse(exchange, HttpRefusal.NotFound, { path: exchange.path, endpoint });
  }

  async listen(handler: (req: IncomingMessage, res: ServerResponse) => void, options: ListenOptions) {
    const address = await this.standalone.listen(handler, options, this.config.mcpPath);
    // The app owns the process now: a termination signal closes it gracefully first. (Not once
    // closing: close() has removed its handlers already, and would not again.)
    if (options.handleSignals !== false && this.lifecycle.phase === 'open') {
      this.standalone.closeOnSignals(() => this.close().catch((error) => this.server.reportError(error)));
    }
    return address;
  }

  /** Shuts down once (see `HttpApp.close`); every call returns the same promise. */
  close(): Promise<void> {
    return this.lifecycle.close({
      graceMs: this.config.shutdownGraceMs,
      interrupt: (error) => this.mcp.interrupt(error),
      finish: async () => {
        this.detachServerRoutes();
        // Sessions end, and with them their GET and legacy streams: cleanly, after the last answer.
        this.mcp.close();
        await this.standalone.close();
        await this.server.close();
      },
      always: () => this.standalone.ignoreSignals(),
    });
  }
}

/** A path the app serves, but not with this method (say, PUT on a custom GET route). */
function methodNotAllowed(exchange: Exchange, routes: PathRoutes): void {
  const { label: what, listed: methods, allow } = routes;
  refuse(exchange, HttpRefusal.MethodNotAllowed, { what, methods, method: exchange.method, allow });
}
