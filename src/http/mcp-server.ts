import { BaseMcpServer } from '../server/mcp-server.js';
import { createHttpApp, type HttpApp } from './app.js';
import type { HttpAppOptions } from './options.js';
import { normalizePath } from './options.js';
import type { RouteHandler } from './routes.js';

/**
 * An MCP server: register tools, resources and prompts, then serve it over HTTP with `httpApp()`
 * (standalone or mounted in another app) or over stdio with `connect()`.
 *
 * @example
 * ```ts
 * import { McpServer } from 'wharf';
 * import { z } from 'zod';
 *
 * const server = new McpServer({ name: 'demo', version: '1.0.0' });
 * server.tool('add', { description: 'Add two numbers', inputSchema: z.object({ a: z.number(), b: z.number() }) },
 *   ({ a, b }) => String(a + b));
 * const app = server.httpApp();
 * await app.listen({ port: 3000 }); // Streamable HTTP at /mcp, legacy SSE at /sse, health at /health
 * ```
 */
export class McpServer extends BaseMcpServer {
  private readonly routes = new Map<string, RouteHandler>();

  /**
   * Adds a custom HTTP route to every app made from this server (`(Request) => Response`), e.g. a
   * REST endpoint beside MCP. Routes added to one app with `app.route()` stay in that app.
   */
  route(method: string, path: string, handler: RouteHandler): this {
    this.routes.set(`${method.toUpperCase()} ${normalizePath(path)}`, handler);
    return this;
  }

  /**
   * The web app that serves this server over Streamable HTTP and legacy SSE, with health and custom
   * routes. Each call builds an independent app (its own sessions).
   */
  httpApp(options?: HttpAppOptions): HttpApp {
    return createHttpApp(this, options, this.routes);
  }
}
