import type { Exchange } from './exchange.js';

export interface GuardOptions {
  /** Host names (with or without port) accepted in `Host`. Setting it turns the guard on everywhere. */
  allowedHosts?: string[];
  /**
   * Origins (e.g. `https://app.example.com`) accepted in `Origin`. `Origin: null` passes only when
   * `'null'` is listed.
   */
  allowedOrigins?: string[];
  /** Read `X-Forwarded-Host` / `X-Forwarded-Proto`: only behind a proxy you run. */
  trustProxy?: boolean;
}

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/**
 * DNS-rebinding protection (spec "Security Warning" for Streamable HTTP; conformance
 * `dns-rebinding-protection`). A browser tricked into sending a request to a local server still
 * sends the attacker's Host and Origin, so:
 * - `Host` must be in `allowedHosts` when that is set; otherwise, on a connection that arrived on a
 *   loopback address, it must name a loopback host;
 * - `Origin`, when sent, must be in `allowedOrigins`, or be a loopback origin on a loopback
 *   connection; with neither list set and a non-loopback connection, any origin passes (CORS
 *   decides) except `null`, which passes only when listed.
 * Behind a trusted proxy (forwarded headers present) the connection's address says nothing, so only
 * the configured lists apply. Returns what to refuse (the Host or the Origin), or undefined to let
 * the request through.
 */
export function checkHostAndOrigin(
  exchange: Exchange,
  options: GuardOptions,
): { host: string } | { origin: string } | undefined {
  const forwardedHost = options.trustProxy ? exchange.header('x-forwarded-host') : undefined;
  const host = forwardedHost ?? exchange.header('host');
  const loopback = exchange.loopback === true && forwardedHost === undefined;
  const { allowedHosts, allowedOrigins } = options;

  if (allowedHosts || loopback) {
    const ok =
      host !== undefined &&
      (allowedHosts ? hostAllowed(host, allowedHosts) : LOOPBACK_NAMES.has(hostname(host)));
    if (!ok) return { host: host ?? '' };
  }
  const origin = exchange.header('origin');
  if (origin === undefined || allowedOrigins?.includes(origin)) return undefined;
  // "null" is the opaque origin (RFC 6454, 7.3) of sandboxed iframes, file: and data: pages and
  // cross-origin redirects: any page can make its requests carry it, so it vouches for nobody and
  // passes only when allowedOrigins lists 'null' itself.
  if (origin === 'null') return { origin };
  if (loopback && isLoopbackOrigin(origin)) return undefined;
  if (allowedOrigins || loopback) return { origin };
  return undefined;
}

function isLoopbackOrigin(origin: string): boolean {
  try {
    return LOOPBACK_NAMES.has(new URL(origin).hostname);
  } catch {
    return false;
  }
}

function hostname(host: string): string {
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1);
  const colon = host.indexOf(':');
  return (colon === -1 ? host : host.slice(0, colon)).toLowerCase();
}

function hostAllowed(host: string, allowed: string[]): boolean {
  const lower = host.toLowerCase();
  return allowed.some((entry) => entry.toLowerCase() === lower || entry.toLowerCase() === hostname(lower));
}
