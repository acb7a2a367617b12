/**
 * One Wharf app, mounted in each web framework it has an adapter for, under each mount layout the
 * adapters promise to handle. Every host also serves routes of its own (`GET /items`, `GET /boom`)
 * with its own 404 and error handlers, so tests can show those keep working beside the app.
 *
 * Optional host middleware (`extras`) sits in front of the mount the way an application would put it:
 * the host's JSON body parser, its compression middleware, and an auth check that answers 401 when
 * `Authorization: Bearer <name>` is missing and otherwise hands `{ sub: name, host }` to the app.
 *
 * @example
 * ```ts
 * const running = await hosts[0].start(server.httpApp({ path: layout.appPath }), layout);
 * const transport = new StreamableHTTPClientTransport(running.mcpUrl, running.transportOptions);
 * await running.close();
 * ```
 */

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import fastifyCompress from '@fastify/compress';
import { serve as serveHono } from '@hono/node-server';
import { bodyParser as koaBodyParser } from '@koa/bodyparser';
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';
import compression from 'compression';
import express from 'express';
import Fastify, { type FastifyInstance, type FastifyPluginAsync, type FastifyRequest } from 'fastify';
import { Hono, type Context as HonoContext } from 'hono';
import { compress as honoCompress } from 'hono/compress';
import Koa, { type Middleware as KoaMiddleware } from 'koa';
import koaCompress from 'koa-compress';
import mount from 'koa-mount';
import type { HttpApp } from 'wharf-mcp';
import { toExpress, toExpressRoot } from 'wharf-mcp/express';
import { toFastify, toFastifyRoot } from 'wharf-mcp/fastify';
import { toHono, toHonoRoot } from 'wharf-mcp/hono';
import { toKoa, toKoaRoot } from 'wharf-mcp/koa';
import { toNodeHandler } from 'wharf-mcp/node';

/** Express 4 is installed under the alias `express4`, without types: its API is the one used here. */
const express4 = createRequire(import.meta.url)('express4') as typeof express;

export interface Layout {
  name: 'prefix' | 'lesson' | 'nested';
  /** Where the host mounts the app. Several segments are nested, one host level per segment. */
  mount: string;
  /** The app's `path` option (its Streamable HTTP endpoint, relative to the mount). */
  appPath: string;
}

export const layouts: readonly Layout[] = [
  { name: 'prefix', mount: '/mcp-server', appPath: '/mcp' },
  { name: 'lesson', mount: '/mcp', appPath: '/' },
  { name: 'nested', mount: '/outer/inner', appPath: '/mcp' },
];

export interface HostExtras {
  /** The host's JSON body parser runs before the mount (Fastify always parses JSON). */
  parseBody?: boolean;
  /** The host's compression middleware runs before the mount. */
  compress?: boolean;
  /** Requests without `Authorization: Bearer <name>` get 401 from the host; others carry a user. */
  auth?: boolean;
  /**
   * The host also serves the app's root routes (outside the mount) with its adapter's root handler;
   * the node:http host's `toNodeHandler` always does.
   */
  root?: boolean;
}

/** What the host's own middleware did, for tests to check it really ran. */
export interface HostStats {
  /** JSON-RPC bodies the host had parsed before the app got the request. */
  parsed: number;
  /** Requests the host's auth answered 401. */
  rejected: number;
}

export interface RunningHost {
  /** `http://127.0.0.1:<port>`, or `http://localhost` for the in-process host. */
  readonly baseUrl: string;
  /** The app's Streamable HTTP endpoint in this layout. */
  readonly mcpUrl: URL;
  /** The app's legacy SSE endpoint in this layout. */
  readonly sseUrl: URL;
  /** For raw requests: the global fetch, or the in-process one. */
  readonly fetch: FetchLike;
  /** What the SDK transports need: `{}` on sockets, `{ fetch }` (and the EventSource's) in process. */
  readonly transportOptions: { fetch?: FetchLike; eventSourceInit?: { fetch: FetchLike } };
  readonly stats: HostStats;
  /** Stops the host (never the app: `app.close()` is the test's to call). */
  close(): Promise<void>;
}

export interface Host {
  name: string;
  /** Mounts `app` as `layout` says, behind the `extras` asked for, and starts serving. */
  start(app: HttpApp, layout: Layout, extras?: HostExtras): Promise<RunningHost>;
}

/** The user the host's auth establishes for `Authorization: Bearer <name>`. */
export interface HostUser {
  sub: string;
  host: string;
}

/** The JSON bodies of the host's own routes and handlers. */
export const ITEMS = { items: ['anchor', 'rope'] };
export const HOST_NOT_FOUND = 'host-not-found';
export const HOST_ERROR = 'host-error';

function bearer(header: string | string[] | undefined | null): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  const match = /^Bearer (\S+)$/.exec(value ?? '');
  return match?.[1];
}

function isJsonRpc(body: unknown): boolean {
  if (Array.isArray(body)) return body.length > 0;
  return typeof body === 'object' && body !== null && (body as { jsonrpc?: unknown }).jsonrpc === '2.0';
}

function segmentsOf(path: string): string[] {
  return path.split('/').filter(Boolean);
}

function urls(baseUrl: string, layout: Layout) {
  const appPath = layout.appPath === '/' ? '' : layout.appPath;
  return {
    mcpUrl: new URL(`${baseUrl}${layout.mount}${appPath}`),
    sseUrl: new URL(`${baseUrl}${layout.mount}/sse`),
  };
}

async function listening(server: Server): Promise<string> {
  if (!server.listening) {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
  }
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

function onSocket(
  baseUrl: string,
  layout: Layout,
  stats: HostStats,
  close: () => Promise<void>,
): RunningHost {
  return {
    baseUrl,
    ...urls(baseUrl, layout),
    fetch: (input, init) => fetch(input, init),
    transportOptions: {},
    stats,
    close,
  };
}

// ---------------------------------------------------------------------------------------------
// Express 4 and 5
// ---------------------------------------------------------------------------------------------

function expressHost(name: string, factory: typeof express): Host {
  return {
    name,
    async start(app, layout, extras = {}) {
      const stats: HostStats = { parsed: 0, rejected: 0 };
      const web = factory();
      if (extras.compress) web.use(compression({ threshold: 0 }));
      if (extras.auth) {
        web.use((req, res, next) => {
          const sub = bearer(req.headers.authorization);
          if (!sub) {
            stats.rejected++;
            res.status(401).json({ error: 'unauthorized' });
            return;
          }
          (req as typeof req & { user?: HostUser }).user = { sub, host: name };
          next();
        });
      }
      if (extras.parseBody) {
        web.use(factory.json());
        web.use((req, _res, next) => {
          if (isJsonRpc(req.body)) stats.parsed++;
          next();
        });
      }
      web.get('/items', (_req, res) => {
        res.json(ITEMS);
      });
      web.get('/boom', () => {
        throw new Error('the host route failed');
      });
      // One Router per segment below the first: `/outer/inner` is a Router inside a Router.
      const [first, ...rest] = segmentsOf(layout.mount);
      let handler: express.RequestHandler = toExpress(app);
      for (const segment of rest.reverse()) {
        const router = factory.Router();
        router.use(`/${segment}`, handler);
        handler = router;
      }
      web.use(`/${first}`, handler);
      if (extras.root) web.use(toExpressRoot(app, { basePath: layout.mount }));
      web.use((req, res) => {
        res.status(404).json({ error: HOST_NOT_FOUND, path: req.originalUrl });
      });
      web.use((error: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
        res.status(500).json({ error: HOST_ERROR, message: error.message });
      });
      const server = createServer(web);
      const baseUrl = await listening(server);
      return onSocket(baseUrl, layout, stats, () => closeServer(server));
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Fastify
// ---------------------------------------------------------------------------------------------

const fastifyHost: Host = {
  name: 'fastify',
  async start(app, layout, extras = {}) {
    const stats: HostStats = { parsed: 0, rejected: 0 };
    const fastify: FastifyInstance = Fastify({ forceCloseConnections: true });
    if (extras.compress) await fastify.register(fastifyCompress, { global: true, threshold: 0 });
    if (extras.auth) {
      fastify.decorateRequest('user', null);
      fastify.addHook('onRequest', async (request, reply) => {
        const sub = bearer(request.headers.authorization);
        if (!sub) {
          stats.rejected++;
          return reply.code(401).send({ error: 'unauthorized' });
        }
        (request as FastifyRequest & { user: HostUser }).user = { sub, host: 'fastify' };
      });
    }
    // Fastify parses JSON bodies itself, always; this only counts what it parsed.
    if (extras.parseBody) {
      fastify.addHook('preHandler', async (request) => {
        if (isJsonRpc(request.body)) stats.parsed++;
      });
    }
    fastify.get('/items', async () => ITEMS);
    fastify.get('/boom', async () => {
      throw new Error('the host route failed');
    });
    fastify.setNotFoundHandler((request, reply) => {
      void reply.code(404).send({ error: HOST_NOT_FOUND, path: request.url });
    });
    fastify.setErrorHandler((error: Error, _request, reply) => {
      void reply.code(500).send({ error: HOST_ERROR, message: error.message });
    });
    // One plugin per segment: `/outer/inner` is the app's plugin registered inside a `/outer` plugin.
    const [first, ...rest] = segmentsOf(layout.mount);
    let plugin: FastifyPluginAsync = toFastify(app);
    for (const segment of rest.reverse()) {
      const inner = plugin;
      plugin = async (scope) => {
        await scope.register(inner, { prefix: `/${segment}` });
      };
    }
    await fastify.register(plugin, { prefix: `/${first}` });
    if (extras.root) await fastify.register(toFastifyRoot(app, { basePath: layout.mount }));
    await fastify.listen({ port: 0, host: '127.0.0.1' });
    const baseUrl = `http://127.0.0.1:${(fastify.server.address() as AddressInfo).port}`;
    return onSocket(baseUrl, layout, stats, () => fastify.close());
  },
};

// ---------------------------------------------------------------------------------------------
// Koa
// ---------------------------------------------------------------------------------------------

const koaHost: Host = {
  name: 'koa',
  async start(app, layout, extras = {}) {
    const stats: HostStats = { parsed: 0, rejected: 0 };
    const koa = new Koa();
    koa.use(async (ctx, next) => {
      try {
        await next();
      } catch (error) {
        ctx.status = 500;
        ctx.body = { error: HOST_ERROR, message: (error as Error).message };
      }
    });
    if (extras.compress) koa.use(koaCompress({ threshold: 0 }));
    if (extras.auth) {
      koa.use(async (ctx, next) => {
        const sub = bearer(ctx.get('authorization'));
        if (!sub) {
          stats.rejected++;
          ctx.status = 401;
          ctx.body = { error: 'unauthorized' };
          return;
        }
        ctx.state.user = { sub, host: 'koa' } satisfies HostUser;
        await next();
      });
    }
    if (extras.parseBody) {
      koa.use(koaBodyParser());
      koa.use(async (ctx, next) => {
        if (isJsonRpc((ctx.request as { body?: unknown }).body)) stats.parsed++;
        await next();
      });
    }
    koa.use(async (ctx, next) => {
      if (ctx.method === 'GET' && ctx.path === '/items') ctx.body = ITEMS;
      else if (ctx.method === 'GET' && ctx.path === '/boom') throw new Error('the host route failed');
      else await next();
    });
    // One koa-mount per segment: `/outer/inner` is mount('/outer', mount('/inner', app)).
    let middleware: KoaMiddleware = toKoa(app);
    for (const segment of segmentsOf(layout.mount).reverse()) middleware = mount(`/${segment}`, middleware);
    koa.use(middleware);
    if (extras.root) koa.use(toKoaRoot(app, { basePath: layout.mount }));
    koa.use((ctx) => {
      ctx.status = 404;
      ctx.body = { error: HOST_NOT_FOUND, path: ctx.originalUrl };
    });
    const server = createServer(koa.callback());
    const baseUrl = await listening(server);
    return onSocket(baseUrl, layout, stats, () => closeServer(server));
  },
};

// ---------------------------------------------------------------------------------------------
// Hono (on @hono/node-server, or driven in process through its fetch)
// ---------------------------------------------------------------------------------------------

function buildHono(app: HttpApp, layout: Layout, extras: HostExtras, stats: HostStats, name: string): Hono {
  const hono = new Hono();
  hono.onError((error, c) => c.json({ error: HOST_ERROR, message: error.message }, 500));
  hono.notFound((c) => c.json({ error: HOST_NOT_FOUND, path: c.req.path }, 404));
  if (extras.compress) hono.use(honoCompress({ threshold: 0 }));
  if (extras.auth) {
    hono.use(async (c, next) => {
      const sub = bearer(c.req.header('authorization'));
      if (!sub) {
        stats.rejected++;
        return c.json({ error: 'unauthorized' }, 401);
      }
      c.set('auth' as never, { sub, host: name } satisfies HostUser as never);
      await next();
    });
  }
  if (extras.parseBody) {
    // What a body-reading middleware (hono/validator's json target, a logger) does: c.req.json().
    hono.use(async (c, next) => {
      if (c.req.method === 'POST' && c.req.header('content-type')?.startsWith('application/json')) {
        if (isJsonRpc(await c.req.json())) stats.parsed++;
      }
      await next();
    });
  }
  if (extras.root) hono.use(toHonoRoot(app, { basePath: layout.mount }));
  hono.get('/items', (c) => c.json(ITEMS));
  hono.get('/boom', () => {
    throw new Error('the host route failed');
  });
  // One sub-app per segment below the first: `/outer/inner` is route('/outer', route('/inner', app)).
  const handler = toHono(app) as (c: HonoContext) => Promise<Response>;
  const [first, ...rest] = segmentsOf(layout.mount);
  if (rest.length === 0) {
    hono.all(`/${first}/*`, handler);
  } else {
    let sub = new Hono();
    sub.all('/*', handler);
    for (const segment of rest.slice(1).reverse()) {
      const outer = new Hono();
      outer.route(`/${segment}`, sub);
      sub = outer;
    }
    const top = new Hono();
    top.route(`/${rest[0]}`, sub);
    hono.route(`/${first}`, top);
  }
  return hono;
}

const honoNodeHost: Host = {
  name: 'hono-node',
  async start(app, layout, extras = {}) {
    const stats: HostStats = { parsed: 0, rejected: 0 };
    const hono = buildHono(app, layout, extras, stats, 'hono-node');
    const server = await new Promise<Server>((resolve) => {
      const started = serveHono({ fetch: hono.fetch, port: 0, hostname: '127.0.0.1' }, () =>
        resolve(started as Server),
      );
    });
    const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return onSocket(baseUrl, layout, stats, () => closeServer(server));
  },
};

/**
 * A fetch that drives `hono.fetch` in process and behaves like a network fetch when aborted: the
 * response body is cancelled, so the app sees its client go away.
 */
function honoInProcess(hono: Hono): FetchLike {
  return async (input, init) => {
    const request = new Request(input, init);
    if (request.signal.aborted) throw request.signal.reason;
    const response = await hono.fetch(request);
    if (!response.body) return response;
    const body = response.body.pipeThrough(new TransformStream<Uint8Array, Uint8Array>(), {
      signal: request.signal,
    });
    return new Response(body, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };
}

const honoFetchHost: Host = {
  name: 'hono-fetch',
  async start(app, layout, extras = {}) {
    const stats: HostStats = { parsed: 0, rejected: 0 };
    const hono = buildHono(app, layout, extras, stats, 'hono-fetch');
    const inProcess = honoInProcess(hono);
    const baseUrl = 'http://localhost';
    return {
      baseUrl,
      ...urls(baseUrl, layout),
      fetch: inProcess,
      transportOptions: { fetch: inProcess, eventSourceInit: { fetch: inProcess } },
      stats,
      close: async () => undefined,
    };
  },
};

// ---------------------------------------------------------------------------------------------
// Plain node:http
// ---------------------------------------------------------------------------------------------

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function readText(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const nodeHost: Host = {
  name: 'node',
  async start(app, layout, extras = {}) {
    const stats: HostStats = { parsed: 0, rejected: 0 };
    const mcp = toNodeHandler(app, {
      basePath: layout.mount,
      auth: (req) => (req as IncomingMessage & { user?: HostUser }).user,
    });
    const compressor = extras.compress ? compression({ threshold: 0 }) : undefined;
    const hostError = (res: ServerResponse, error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: HOST_ERROR, message: (error as Error).message });
    };
    const routes = (req: IncomingMessage, res: ServerResponse) => {
      const path = (req.url ?? '/').split('?')[0];
      if (req.method === 'GET' && path === '/items') return sendJson(res, 200, ITEMS);
      if (req.method === 'GET' && path === '/boom') throw new Error('the host route failed');
      sendJson(res, 404, { error: HOST_NOT_FOUND, path: req.url });
    };
    const handle = async (req: IncomingMessage, res: ServerResponse) => {
      if (compressor) {
        await new Promise<void>((resolve, reject) =>
          compressor(req as never, res as never, (error?: unknown) => (error ? reject(error) : resolve())),
        );
      }
      if (extras.auth) {
        const sub = bearer(req.headers.authorization);
        if (!sub) {
          stats.rejected++;
          return sendJson(res, 401, { error: 'unauthorized' });
        }
        (req as IncomingMessage & { user?: HostUser }).user = { sub, host: 'node' };
      }
      if (
        extras.parseBody &&
        req.method === 'POST' &&
        req.headers['content-type']?.startsWith('application/json')
      ) {
        const body: unknown = JSON.parse(await readText(req));
        (req as IncomingMessage & { body?: unknown }).body = body;
        if (isJsonRpc(body)) stats.parsed++;
      }
      await mcp(req, res, () => {
        try {
          routes(req, res);
        } catch (error) {
          hostError(res, error);
        }
      });
    };
    const server = createServer((req, res) => {
      handle(req, res).catch((error: unknown) => hostError(res, error));
    });
    const baseUrl = await listening(server);
    return onSocket(baseUrl, layout, stats, () => closeServer(server));
  },
};

export const hosts: readonly Host[] = [
  expressHost('express5', express),
  expressHost('express4', express4),
  fastifyHost,
  koaHost,
  honoNodeHost,
  honoFetchHost,
  nodeHost,
];
