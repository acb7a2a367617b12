import type { IncomingMessage } from 'node:http';
import type { Exchange } from './exchange.js';

/** A custom route: a Web `Request` in, a `Response` out (health checks, REST endpoints). */
export type RouteHandler = (request: Request) => Response | Promise<Response>;

/**
 * Custom routes get standard Web objects because they are ordinary HTTP endpoints, off the MCP hot
 * path. On Node the Request is built only for these routes; MCP traffic never pays for it.
 */
export async function runRoute(exchange: Exchange, handler: RouteHandler, limit: number): Promise<void> {
  const request = exchange.raw instanceof Request ? exchange.raw : await toWebRequest(exchange, limit);
  const response = await handler(request);
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  if (!response.body) {
    exchange.respond(response.status, headers);
    return;
  }
  const stream = exchange.stream(response.status, headers);
  const decoder = new TextDecoder();
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    await stream.write(decoder.decode(value, { stream: true }));
  }
  stream.end();
}

async function toWebRequest(exchange: Exchange, limit: number): Promise<Request> {
  const raw = exchange.raw as IncomingMessage;
  const host = exchange.header('host') ?? 'localhost';
  const url = `http://${host}${exchange.basePath}${exchange.path}${exchange.query ? `?${exchange.query}` : ''}`;
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  const init: RequestInit = { method: exchange.method, headers, signal: exchange.signal };
  if (exchange.method !== 'GET' && exchange.method !== 'HEAD') {
    const body = await exchange.readBody(limit);
    if (body.ok) init.body = 'text' in body ? body.text : JSON.stringify(body.parsed);
  }
  return new Request(url, init);
}
