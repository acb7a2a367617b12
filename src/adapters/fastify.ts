import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
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
      const path = request.url.slice(basePath.length).split('?')[0] ?? '/';
      if (!app.owns(path || '/') && request.method !== 'OPTIONS') return reply.callNotFound();
      reply.hijack();
      if (request.body !== undefined) (request.raw as { body?: unknown }).body = request.body;
      await app.handleNode(request.raw, reply.raw, undefined, {
        basePath,
        stripBasePath: true,
        auth: auth(request),
      });
    };
    fastify.all('/*', handler);
    fastify.all('/', handler);
  };
}
