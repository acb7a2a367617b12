import { WharfError, WharfErrorCode } from '../protocol/errors.js';
import type { AuthOf, ServerEnv } from '../server/context.js';
import type { EventStore } from '../stores/event-store.js';
import type { CorsOptions } from './cors.js';
import type { GuardOptions } from './guard.js';
import type { Middleware } from './middleware.js';
import { normalizePath } from './route-table.js';

/** Options of `server.httpApp()`; `E` is the server's env (it types the middleware's `request.auth`). */
export interface HttpAppOptions<E extends ServerEnv = ServerEnv> extends GuardOptions {
  /** The Streamable HTTP endpoint, relative to the app. Default `/mcp`; `/` is allowed. */
  path?: string;
  /** The legacy HTTP+SSE pair (2024-11-05), or `false` to turn it off. Default `/sse` and `/messages`. */
  sse?: { path?: string; messagesPath?: string } | false;
  /** Answer POSTs with JSON instead of an SSE stream. Default false (SSE when the client accepts it). */
  jsonResponse?: boolean;
  /** No sessions: each POST stands alone. Sampling, elicitation and roots then fail with a clear error. */
  stateless?: boolean;
  /** HTTP middleware, run in order before every route of the app. */
  middleware?: Middleware<E>[];
  /** CORS for browser clients; `true` allows every origin. Off by default. */
  cors?: boolean | CorsOptions;
  /** Largest request body accepted, in bytes. Default 4 MiB. */
  maxBodyBytes?: number;
  /** A session with no request for this long ends. Default 30 minutes. */
  sessionIdleMs?: number;
  /** Sessions kept at once; past it, initialize gets 503 with Retry-After. Default 10,000. */
  maxSessions?: number;
  /** Where SSE events are kept for resuming with `Last-Event-ID` (e.g. `new MemoryEventStore()`). Off by default. */
  eventStore?: EventStore;
  /** Interval of SSE keep-alive comments, in ms; 0 turns them off. Default 15,000. */
  keepAliveMs?: number;
  /** The `retry:` delay sent in priming events, in ms. Default 1,000. */
  retryMs?: number;
  /** The app's public URL (behind a proxy that rewrites paths), e.g. `https://api.example.com/tools`. */
  publicUrl?: string;
  /** The health route, or `false` for none. Default `/health`. */
  health?: string | false;
  /**
   * Bytes an SSE stream may hold for a client that is not reading. A write while more than this is
   * still unsent closes the stream (a resumable one keeps its events for `Last-Event-ID`; a legacy
   * stream ends its session). One message always fits, however large. Default 4 MiB.
   */
  maxStreamBufferBytes?: number;
  /**
   * Who a request comes from, for binding sessions to their principal: the value `auth` maps to (a
   * string), or `undefined` for an anonymous request. Default: `auth` itself when it is a string, else
   * its `sub`, `id`, `userId`, `clientId` or `client_id`, else its JSON.
   */
  principalOf?: (auth: AuthOf<E> | undefined) => string | undefined;
  /**
   * Sessions one principal (or, when anonymous, one client address) may hold at once; past it, its
   * longest-idle session with nothing in flight and no open stream ends, else the request gets 429.
   * Default 1,000.
   */
  maxSessionsPerPrincipal?: number;
  /** Messages in one JSON-RPC batch (2025-03-26 and earlier); a longer batch gets 400. Default 100. */
  maxBatchLength?: number;
  /**
   * On `close()`, how long calls in flight may take to finish before each is ended with a "server is
   * shutting down" error; new work meanwhile gets 503. Default 5,000 ms.
   */
  shutdownGraceMs?: number;
}

export interface ResolvedOptions {
  mcpPath: string;
  ssePath: string | undefined;
  messagesPath: string | undefined;
  healthPath: string | undefined;
  jsonResponse: boolean;
  stateless: boolean;
  middleware: Middleware[];
  cors: CorsOptions | undefined;
  guard: GuardOptions;
  maxBodyBytes: number;
  sessionIdleMs: number;
  maxSessions: number;
  eventStore: EventStore | undefined;
  keepAliveMs: number;
  retryMs: number;
  publicUrl: string | undefined;
  maxStreamBufferBytes: number;
  principalOf: (auth: unknown) => string | undefined;
  maxSessionsPerPrincipal: number;
  maxBatchLength: number;
  shutdownGraceMs: number;
}

function checkPath(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!value.startsWith('/')) {
    throw new WharfError(
      WharfErrorCode.InvalidOption,
      `Option "${name}" must start with "/" (got "${value}").`,
    );
  }
  return normalizePath(value);
}

function positive(name: string, value: number | undefined, fallback: number, allowZero = false): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    throw new WharfError(
      WharfErrorCode.InvalidOption,
      `Option "${name}" must be a positive number (got ${value}).`,
    );
  }
  return value;
}

const PRINCIPAL_KEYS = ['sub', 'id', 'userId', 'clientId', 'client_id'] as const;

/** The default `principalOf`: a string as it is, else a well-known id field, else the JSON of `auth`. */
export function defaultPrincipalOf(auth: unknown): string | undefined {
  if (auth === undefined || auth === null) return undefined;
  if (typeof auth === 'string') return auth;
  if (typeof auth !== 'object') return String(auth);
  const record = auth as Record<string, unknown>;
  for (const key of PRINCIPAL_KEYS) {
    const value = record[key];
    if (typeof value === 'string' || typeof value === 'number') return `${key}:${value}`;
  }
  try {
    return JSON.stringify(auth);
  } catch {
    // Anonymous would be wrong (its sessions would be open to every anonymous client): say what to do.
    throw new WharfError(
      WharfErrorCode.InvalidOption,
      'Cannot tell whose request this is: `auth` has no sub/id/userId/clientId and no JSON form. Pass `principalOf(auth)` to httpApp().',
    );
  }
}

/** Validates options once, when the app is built, so mistakes surface at start-up and not per request. */
export function resolveOptions(options: HttpAppOptions = {}): ResolvedOptions {
  const sse = options.sse === false ? undefined : (options.sse ?? {});
  const resolved: ResolvedOptions = {
    mcpPath: checkPath('path', options.path ?? '/mcp')!,
    ssePath: sse ? checkPath('sse.path', sse.path ?? '/sse') : undefined,
    messagesPath: sse ? checkPath('sse.messagesPath', sse.messagesPath ?? '/messages') : undefined,
    healthPath: options.health === false ? undefined : checkPath('health', options.health ?? '/health'),
    jsonResponse: options.jsonResponse ?? false,
    stateless: options.stateless ?? false,
    middleware: options.middleware ?? [],
    cors: options.cors === true ? {} : options.cors || undefined,
    guard: {
      allowedHosts: options.allowedHosts,
      allowedOrigins: options.allowedOrigins,
      trustProxy: options.trustProxy,
    },
    maxBodyBytes: positive('maxBodyBytes', options.maxBodyBytes, 4 * 1024 * 1024),
    sessionIdleMs: positive('sessionIdleMs', options.sessionIdleMs, 30 * 60_000),
    maxSessions: positive('maxSessions', options.maxSessions, 10_000),
    eventStore: options.eventStore,
    keepAliveMs: positive('keepAliveMs', options.keepAliveMs, 15_000, true),
    retryMs: positive('retryMs', options.retryMs, 1000, true),
    publicUrl: options.publicUrl?.replace(/\/$/, ''),
    maxStreamBufferBytes: positive('maxStreamBufferBytes', options.maxStreamBufferBytes, 4 * 1024 * 1024),
    principalOf: (options.principalOf as ResolvedOptions['principalOf'] | undefined) ?? defaultPrincipalOf,
    maxSessionsPerPrincipal: positive('maxSessionsPerPrincipal', options.maxSessionsPerPrincipal, 1000),
    maxBatchLength: positive('maxBatchLength', options.maxBatchLength, 100),
    shutdownGraceMs: positive('shutdownGraceMs', options.shutdownGraceMs, 5000, true),
  };
  const paths = [resolved.mcpPath, resolved.ssePath, resolved.messagesPath, resolved.healthPath].filter(
    Boolean,
  );
  if (new Set(paths).size !== paths.length) {
    throw new WharfError(
      WharfErrorCode.InvalidOption,
      `Two routes share a path (${paths.join(', ')}). Give each its own.`,
    );
  }
  return resolved;
}
