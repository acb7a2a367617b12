/**
 * The test harness for HTTP, in one import. `serve()` runs a Wharf `HttpApp` under each of its two
 * bindings, so one HTTP test covers both:
 * - `fetch`: the app's fetch entry, called in process with a Web `Request` (as Bun, Deno, Workers
 *   or Hono would). A fetch runtime does not tell the app which address a connection arrived on,
 *   so the loopback Host/Origin guard is off there unless `allowedHosts`/`allowedOrigins` is set.
 * - `node`: the app listening on a real socket on 127.0.0.1, reached with the global `fetch`.
 *
 * The rest is re-exported from the files that hold it: `common.ts` (textOf, deferred, withTimeout,
 * until, Cleanup), `requests.ts` (MCP by hand: initialize, rpc, readAnswer, rawRequest,
 * watchRequests), `sse.ts` (the SSE reader) and `sdk-client.ts` (the official client over HTTP).
 *
 * @example
 * ```ts
 * const served = await serve(server.httpApp(), 'node');
 * const { sessionId } = await initialize(served.request);
 * const answer = await rpc(served.request, { jsonrpc: '2.0', id: 2, method: 'tools/list' }, { sessionId });
 * await served.close();
 * ```
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { HttpApp } from 'wharf-mcp';
import type { Cleanup } from './common.js';
import type { RequestFn } from './requests.js';
import type { SdkTarget } from './sdk-client.js';

export * from './common.js';
export * from './requests.js';
export * from './sdk-client.js';
export * from './sse.js';

export const bindings = ['fetch', 'node'] as const;
export type Binding = (typeof bindings)[number];

export interface Served extends SdkTarget {
  /** The binding this client talks through. */
  readonly binding: Binding;
  readonly app: HttpApp;
  /** Sends one request to a path of the app ("/mcp"). */
  request: RequestFn;
  /** The absolute URL of a path of the app, as a client would write it. */
  url(path: string): string;
  /** For requests to absolute URLs: the global fetch on node, the in-process fetch otherwise. */
  readonly fetch: FetchLike;
  /** Closes the app (sessions, the socket when there is one, the server's shutdown hook); once. */
  close(): Promise<void>;
}

export interface ServeOptions {
  /** Fetch binding only: the prefix the app is mounted under (`app.fetch(request, basePath)`). */
  basePath?: string;
  /** Closes the app after the test. */
  cleanup?: Cleanup;
}

/** The origin in URLs of the in-process fetch binding; nothing listens on it. */
const FETCH_ORIGIN = 'http://localhost:8787';

export async function serve(app: HttpApp, binding: Binding, options: ServeOptions = {}): Promise<Served> {
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await app.close();
  };
  options.cleanup?.add(close);
  const base = options.basePath ?? '';
  let origin = FETCH_ORIGIN;
  let fetchFn: FetchLike = inProcessFetch(app, base);
  if (binding === 'node') {
    if (base) throw new Error('basePath is for the fetch binding');
    const { port } = await app.listen({ port: 0, host: '127.0.0.1' });
    origin = `http://127.0.0.1:${port}`;
    fetchFn = (input, init) => fetch(input, init);
  }
  const url = (path: string) => origin + base + path;
  return {
    binding,
    app,
    request: (path, init) => fetchFn(url(path), init),
    url,
    mcpUrl: new URL(url('/mcp')),
    sseUrl: new URL(url('/sse')),
    clientFetch: binding === 'node' ? undefined : fetchFn,
    fetch: fetchFn,
    close,
  };
}

/**
 * A fetch that calls `app.fetch` in process and behaves like a network fetch on abort: the app's
 * response body is cancelled at once (so the app sees its client go away, read or not) and the
 * client's reader errors.
 */
export function inProcessFetch(app: HttpApp, basePath = ''): FetchLike {
  return async (input, init) => {
    const request = new Request(input, init);
    const signal = request.signal;
    if (signal.aborted) throw signal.reason;
    const response = await app.fetch(request, basePath);
    if (!response.body) return response;
    // Not `pipeThrough(..., { signal })`: a pipe aborts only after its pending write, which waits
    // for a reader, so an unread body would never reach the app as cancelled.
    const source = response.body.getReader();
    let onAbort = () => {};
    const body = new ReadableStream<Uint8Array>(
      {
        start(controller) {
          onAbort = () => {
            controller.error(signal.reason);
            void source.cancel(signal.reason).catch(() => undefined);
          };
          signal.addEventListener('abort', onAbort, { once: true });
        },
        async pull(controller) {
          try {
            const { done, value } = await source.read();
            if (done) {
              signal.removeEventListener('abort', onAbort);
              controller.close();
            } else controller.enqueue(value);
          } catch (error) {
            controller.error(error);
          }
        },
        cancel(reason) {
          signal.removeEventListener('abort', onAbort);
          return source.cancel(reason);
        },
      },
      { highWaterMark: 0 },
    );
    return new Response(body, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };
}

/** A node:http host of the test's own that calls the app as `app(req, res, next?)`. */
export interface NodeHost {
  /** The host's base URL. */
  url: string;
  close(): Promise<void>;
}

/**
 * Mounts `app` in a plain node:http server. With `next`, paths the app does not own reach a host
 * route that answers 418 with `nextBody`; without it, the app answers them itself (404).
 */
export async function mountInNodeHost(
  app: HttpApp,
  options: { next?: boolean; nextBody?: string } = {},
): Promise<NodeHost> {
  const host = createServer((req, res) => {
    if (!options.next) return app(req, res);
    app(req, res, () => {
      res.writeHead(418, { 'content-type': 'text/plain' });
      res.end(options.nextBody ?? 'from next');
    });
  });
  await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(host.address() as AddressInfo).port}`,
    async close() {
      await app.close();
      await new Promise<void>((resolve) => {
        host.close(() => resolve());
        host.closeAllConnections();
      });
    },
  };
}
