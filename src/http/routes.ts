import type { IncomingMessage } from 'node:http';
import type { BodyFailure } from './body.js';
import type { Exchange, ResponseHeaders } from './exchange.js';
import { refuseBody } from './refusals.js';
import { checkRoutePath } from './route-table.js';

/** A custom route: a Web `Request` in, a `Response` out (health checks, REST endpoints). */
export type RouteHandler = (request: Request) => Response | Promise<Response>;

export interface CustomRoute {
  method: string;
  path: string;
  handler: RouteHandler;
}

/** What an app does with the routes a server shares: refuse one (throw) before taking it. */
export interface RouteSink {
  check(route: CustomRoute): void;
  add(route: CustomRoute): void;
}

/**
 * The custom routes of a server (`server.route()`), shared live by every app made from it: a
 * route added after `httpApp()` is served too. Each route is checked by every app before any takes
 * it, so a route no app can serve (a built-in path) throws at `route()`, not at request time.
 */
export class CustomRoutes {
  private readonly routes: CustomRoute[] = [];
  private readonly sinks = new Set<RouteSink>();

  add(route: CustomRoute): void {
    checkRoutePath(route.path);
    for (const sink of this.sinks) sink.check(route);
    this.routes.push(route);
    for (const sink of this.sinks) sink.add(route);
  }

  /** Gives `sink` every route, now and later, until the returned function detaches it. */
  attach(sink: RouteSink): () => void {
    for (const route of this.routes) sink.check(route);
    for (const route of this.routes) sink.add(route);
    this.sinks.add(sink);
    return () => this.sinks.delete(sink);
  }
}

/**
 * Custom routes get standard Web objects because they are ordinary HTTP endpoints, off the MCP hot
 * path. On Node the Request is built only for these routes; MCP traffic never pays for it. Bodies
 * pass as bytes both ways, and the body limit applies as on the MCP endpoint.
 */
export async function runRoute(
  exchange: Exchange,
  handler: RouteHandler,
  options: { limit: number; trustProxy: boolean },
): Promise<void> {
  const request = await toWebRequest(exchange, options.trustProxy);
  if (!request.ok) {
    refuseBody(exchange, request.reason, options.limit);
    return;
  }
  const response = await handler(request.request);
  const headers: ResponseHeaders = {};
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers['set-cookie'] = cookies;
  if (!response.body) {
    exchange.respond(response.status, headers);
    return;
  }
  const stream = exchange.stream(response.status, headers);
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    await stream.write(value);
  }
  stream.end();
}

/** The request as a Web Request, or why its body could not be read. */
async function toWebRequest(
  exchange: Exchange,
  trustProxy: boolean,
): Promise<{ ok: true; request: Request } | { ok: false; reason: BodyFailure }> {
  const hasBody = exchange.method !== 'GET' && exchange.method !== 'HEAD';
  if (exchange.raw instanceof Request && !hasBody) return { ok: true, request: exchange.raw };
  let body: Uint8Array<ArrayBuffer> | undefined;
  if (hasBody) {
    const read = await exchange.body();
    if (!read.ok) return read;
    // A copy: Node's Buffers may sit on a shared pool, which Web bodies do not accept.
    const bytes = read.body.bytes();
    if (bytes.byteLength > 0) body = new Uint8Array(bytes);
  }
  const headers = requestHeaders(exchange);
  // The bytes may be a host parser's value re-serialized: say how long they really are.
  if (body) headers.set('content-length', String(body.byteLength));
  headers.delete('transfer-encoding');
  if (exchange.raw instanceof Request) {
    const request = new Request(exchange.raw.url, {
      method: exchange.method,
      headers,
      body,
      signal: exchange.signal,
    });
    return { ok: true, request };
  }
  // The URL the client used: behind a trusted proxy, the forwarded host and scheme say what it was.
  const forwarded = (name: string) => (trustProxy ? exchange.header(name)?.split(',')[0]?.trim() : undefined);
  const host = forwarded('x-forwarded-host') ?? exchange.header('host') ?? 'localhost';
  const scheme = forwarded('x-forwarded-proto') === 'https' ? 'https' : 'http';
  const url = `${scheme}://${host}${exchange.basePath}${exchange.path}${exchange.query ? `?${exchange.query}` : ''}`;
  return {
    ok: true,
    request: new Request(url, { method: exchange.method, headers, body, signal: exchange.signal }),
  };
}

function requestHeaders(exchange: Exchange): Headers {
  if (exchange.raw instanceof Request) return new Headers(exchange.raw.headers);
  const headers = new Headers();
  for (const [name, value] of Object.entries((exchange.raw as IncomingMessage).headers)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const one of value) headers.append(name, one);
    else headers.set(name, value);
  }
  return headers;
}
