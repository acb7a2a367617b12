import type { IncomingMessage } from 'node:http';
import type { Exchange, ResponseHeaders } from './exchange.js';
import { refuse } from './respond.js';

/** A custom route: a Web `Request` in, a `Response` out (health checks, REST endpoints). */
export type RouteHandler = (request: Request) => Response | Promise<Response>;

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
  const limit = options.limit;
  const request = await toWebRequest(exchange, limit, options.trustProxy);
  if (!request) {
    refuse(
      exchange,
      413,
      `Payload Too Large: the body is over ${limit} bytes. Send less, or raise maxBodyBytes.`,
      {
        headers: { connection: 'close' },
      },
    );
    return;
  }
  const response = await handler(request);
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

/** The request as a Web Request, or undefined when its body is over the limit. */
async function toWebRequest(
  exchange: Exchange,
  limit: number,
  trustProxy: boolean,
): Promise<Request | undefined> {
  const hasBody = exchange.method !== 'GET' && exchange.method !== 'HEAD';
  if (exchange.raw instanceof Request && !hasBody) return exchange.raw;
  let body: Uint8Array<ArrayBuffer> | undefined;
  if (hasBody) {
    const read = await exchange.readBytes(limit);
    if (!read.ok) return undefined;
    // A copy: Node's Buffers may sit on a shared pool, which Web bodies do not accept.
    if (read.bytes.byteLength > 0) body = new Uint8Array(read.bytes);
  }
  if (exchange.raw instanceof Request) {
    return new Request(exchange.raw.url, {
      method: exchange.method,
      headers: exchange.raw.headers,
      body,
      signal: exchange.signal,
    });
  }
  const raw = exchange.raw as IncomingMessage;
  // The URL the client used: behind a trusted proxy, the forwarded host and scheme say what it was.
  const forwarded = (name: string) => (trustProxy ? exchange.header(name)?.split(',')[0]?.trim() : undefined);
  const host = forwarded('x-forwarded-host') ?? exchange.header('host') ?? 'localhost';
  const scheme = forwarded('x-forwarded-proto') === 'https' ? 'https' : 'http';
  const url = `${scheme}://${host}${exchange.basePath}${exchange.path}${exchange.query ? `?${exchange.query}` : ''}`;
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw.headers)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const one of value) headers.append(name, one);
    else headers.set(name, value);
  }
  return new Request(url, { method: exchange.method, headers, body, signal: exchange.signal });
}
