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
  'content-type, accept, authorization, mcp-session-id, mcp-protocol-version, last-event-id, mcp-method, mcp-name';
/** 2026-07-28 tool parameters travel as `Mcp-Param-<Name>` headers: a preflight may ask for any of them. */
const PARAM_HEADER = /^mcp-param-[a-z0-9-]{1,64}$/;
/** Bounds what a preflight echoes back. */
const MAX_PARAM_HEADERS = 32;

/** The fixed list, plus the `Mcp-Param-*` headers the preflight asks for. */
function allowHeaders(requested: string | undefined): string {
  if (requested === undefined || !requested.toLowerCase().includes('mcp-param-')) return ALLOW_HEADERS;
  const params = requested
    .toLowerCase()
    .split(',')
    .map((name) => name.trim())
    .filter((name) => PARAM_HEADER.test(name))
    .slice(0, MAX_PARAM_HEADERS);
  return params.length === 0 ? ALLOW_HEADERS : `${ALLOW_HEADERS}, ${params.join(', ')}`;
}
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
      'access-control-allow-headers': allowHeaders(exchange.header('access-control-request-headers')),
      'access-control-max-age': String(options.maxAge ?? 600),
    });
    return true;
  }
  exchange.setHeader('access-control-expose-headers', EXPOSE_HEADERS);
  return false;
}
