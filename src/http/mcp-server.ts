import { BaseMcpServer } from '../server/base-server.js';
import type { ServerEnv } from '../server/context.js';
import { createHttpApp, type HttpApp } from './app.js';
import type { HttpAppOptions } from './options.js';
import { CustomRoutes, type RouteHandler } from './routes.js';

/**
 * An MCP server: register tools, resources and prompts, then serve it over HTTP with `httpApp()`
 * (standalone or mounted in another app) or over stdio with `connect()`.
 *
 * @example
 * ```ts
 * import { McpServer } from 'wharf-mcp';
 * import { z } from 'zod';
 *
 * const server = new McpServer({ name: 'demo', version: '1.0.0' });
 * server.tool('add', { description: 'Add two numbers', inputSchema: z.object({ a: z.number(), b: z.number() }) },
 *   ({ a, b }) => String(a + b));
 * const app = server.httpApp();
 * await app.listen({ port: 3000 }); // Streamable HTTP at /mcp, legacy SSE at /sse, health at /health
 * ```
 *
 * Give the server an env to type what tools read as `ctx.auth` (set by middleware or an adapter):
 * ```ts
 * interface User { id: string; scopes: string[] }
 * const server = new McpServer<{ auth: User }>({ name: 'notes', version: '1.0.0' });
 * server.tool('whoami', {}, (_args, ctx) => ctx.auth?.id ?? 'anonymous'); // ctx.auth: User | undefined
 * const app = server.httpApp({
 *   middleware: [async (request, next) => {
 *     request.auth = await verify(request.header('authorization')); // must be a User
 *     await next();
 *   }],
 * });
 * ```
 */
export class McpServer<E extends ServerEnv = ServerEnv> extends BaseMcpServer<E> {
  private readonly routes = new CustomRoutes();

  /**
   * Adds a custom HTTP route to every app made from this server (`(Request) => Response`), e.g. a
   * REST endpoint beside MCP, including apps made before: they read the server's routes live.
   * Routes added to one app with `app.route()` stay in that app. Throws a `WharfError` when an app
   * serves the path itself (its MCP endpoint, say).
   */
  route(method: string, path: string, handler: RouteHandler): this {
    this.routes.add({ method, path, handler });
    return this;
  }

  /**
   * The web app that serves this server over Streamable HTTP and legacy SSE, with health and custom
   * routes. Each call builds an independent app (its own sessions).
   */
  httpApp(options?: HttpAppOptions<E>): HttpApp<E> {
    // The app runs with the env erased; `E` only types what middleware and handlers exchange.
    return createHttpApp(this, options as HttpAppOptions | undefined, this.routes) as HttpApp<E>;
  }
}
