import type { Exchange } from './exchange.js';

export interface GuardOptions {
  /** Host names (with or without port) accepted in `Host`. Setting it turns the guard on everywhere. */
  allowedHosts?: string[];
  /** Origins (e.g. `https://app.example.com`) accepted in `Origin`. */
  allowedOrigins?: string[];
  /** Read `X-Forwarded-Host` / `X-Forwarded-Proto`: only behind a proxy you run. */
  trustProxy?: boolean;
}

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/**
 * DNS-rebinding protection (spec "Security Warning" for Streamable HTTP; conformance
 * `dns-rebinding-protection`). A browser tricked into sending a request to a local server still
 * sends the attacker's Host and Origin, so:
 * - with allowed hosts/origins configured, those lists decide;
 * - otherwise, for a connection that arrived on a loopback address, Host and Origin must name a
 *   loopback host. Behind a trusted proxy (forwarded headers present) the proxy did that check.
 * Returns the reason to refuse, or undefined to let the request through.
 */
export function checkHostAndOrigin(exchange: Exchange, options: GuardOptions): string | undefined {
  const forwardedHost = options.trustProxy ? exchange.header('x-forwarded-host') : undefined;
  const host = forwardedHost ?? exchange.header('host');
  const origin = exchange.header('origin');
  const configured = options.allowedHosts !== undefined || options.allowedOrigins !== undefined;
  if (!configured && (exchange.loopback !== true || forwardedHost !== undefined)) return undefined;

  if (options.allowedHosts || !configured) {
    const allowed = options.allowedHosts;
    const ok =
      host !== undefined && (allowed ? hostAllowed(host, allowed) : LOOPBACK_NAMES.has(hostname(host)));
    if (!ok) return `the Host header ${JSON.stringify(host ?? '')} is not one this server answers to`;
  }
  if (origin !== undefined && origin !== 'null') {
    const allowed = options.allowedOrigins;
    let ok = allowed ? allowed.includes(origin) : false;
    if (!allowed) {
      try {
        ok = LOOPBACK_NAMES.has(new URL(origin).hostname);
      } catch {
        ok = false;
      }
    }
    if (!ok) return `the Origin ${JSON.stringify(origin)} is not allowed`;
  }
  return undefined;
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
