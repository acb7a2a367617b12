import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import type { HttpApp } from '../http/app.js';
import type { AuthOf, ServerEnv } from '../server/context.js';

export interface FastifyOptions<E extends ServerEnv = ServerEnv> {
  /** What tools see as `ctx.auth`. Default: `request.user` (@fastify/jwt, @fastify/passport). */
  auth?: (request: FastifyRequest) => AuthOf<E> | undefined;
}

/**
 * A Fastify plugin that serves a Wharf app under the prefix it is registered with (nested prefixes
 * included). It hijacks the reply, so SSE streams go straight to the socket, and hands over what
 * Fastify's JSON parser already read. Other content types reach the app unparsed (it answers 415).
 *
 * @example
 * ```ts
 * import Fastify from 'fastify';
 * import { toFastify } from 'wharf-mcp/fastify';
 * const fastify = Fastify();
 * await fastify.register(toFastify(server.httpApp()), { prefix: '/mcp-server' });
 * ```
 */
export function toFastify<E extends ServerEnv>(app: HttpApp<E>, options: FastifyOptions<E> = {}) {
  // The default trusts the host's auth plugin to have stored the app's auth type there.
  const auth =
    options.auth ?? ((request: FastifyRequest) => (request as FastifyRequest & { user?: AuthOf<E> }).user);
  return async function wharf(fastify: FastifyInstance): Promise<void> {
    // Inside this plugin only: leave bodies Fastify does not parse in the stream, for the app.
    fastify.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));
    const basePath = fastify.prefix;
    const handler = async (request: FastifyRequest, reply: FastifyReply) => {
      let passed = false;
      const served = app.handleNode(request.raw, reply.raw, () => (passed = true), {
        basePath,
        stripBasePath: true,
        auth: auth(request),
        body: request.body,
      });
      // The app hands a path it does not serve back before it returns, having written nothing.
      if (passed) return reply.callNotFound();
      reply.hijack();
      await served;
    };
    fastify.all('/*', handler);
    fastify.all('/', handler);
  };
}

/**
 * A Fastify plugin serving the app's root routes (routes that must live at the host's root, such as
 * OAuth metadata) for the app registered under `basePath`. Register it without a prefix.
 *
 * @example
 * ```ts
 * await fastify.register(toFastify(app), { prefix: '/mcp-server' });
 * await fastify.register(toFastifyRoot(app, { basePath: '/mcp-server' }));
 * ```
 */
export function toFastifyRoot<E extends ServerEnv>(app: HttpApp<E>, options: { basePath: string }) {
  return async function wharfRoot(fastify: FastifyInstance): Promise<void> {
    for (const { method, path } of app.rootPaths(options.basePath)) {
      fastify.route({
        method: method as HTTPMethods,
        url: path,
        exposeHeadRoute: false,
        handler: async (request, reply) => {
          reply.hijack();
          await app.handleNode(request.raw, reply.raw, undefined, { basePath: options.basePath, root: true });
        },
      });
    }
  };
}
