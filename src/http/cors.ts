import type { Exchange } from './exchange.js';

export interface CorsOptions {
  /** Allowed origins: `'*'` (default), a list, or a predicate. */
  origin?: '*' | string[] | ((origin: string) => boolean);
  /** Send `Access-Control-Allow-Credentials: true` (needs explicit origins, not `'*'`). */
  credentials?: boolean;
  /** Seconds a browser may cache a preflight answer. Default 600. */
  maxAge?: number;
}

/** The headers MCP clients send and must be allowed to send, and those they must be able to read. */
const ALLOW_HEADERS =
  'content-type, accept, authorization, mcp-session-id, mcp-protocol-version, last-event-id';
const EXPOSE_HEADERS = 'mcp-session-id, mcp-protocol-version, www-authenticate';

/**
 * CORS for browser clients. Exposes `Mcp-Session-Id`, without which a browser client cannot read
 * its session and every request after initialize fails. Returns true when it answered a preflight.
 */
export function applyCors(exchange: Exchange, options: CorsOptions): boolean {
  const origin = exchange.header('origin');
  if (origin === undefined) return false;
  const allowed = options.origin ?? '*';
  const ok = allowed === '*' || (Array.isArray(allowed) ? allowed.includes(origin) : allowed(origin));
  if (!ok) return false;
  exchange.setHeader('access-control-allow-origin', allowed === '*' && !options.credentials ? '*' : origin);
  if (allowed !== '*' || options.credentials) exchange.setHeader('vary', 'Origin');
  if (options.credentials) exchange.setHeader('access-control-allow-credentials', 'true');
  if (exchange.method === 'OPTIONS' && exchange.header('access-control-request-method') !== undefined) {
    exchange.respond(204, {
      'access-control-allow-methods': 'GET, POST, DELETE, OPTIONS',
      'access-control-allow-headers': ALLOW_HEADERS,
      'access-control-max-age': String(options.maxAge ?? 600),
    });
    return true;
  }
  exchange.setHeader('access-control-expose-headers', EXPOSE_HEADERS);
  return false;
}
