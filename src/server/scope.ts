import type { Delivery, SendToClient } from '../protocol/transport.js';
import type { ClientCapabilities, Implementation, LoggingLevel } from '../protocol/types.js';
import type { ProtocolVersion, VersionFeatures } from '../protocol/versions.js';

export type { Delivery, SendToClient } from '../protocol/transport.js';

/** What a request that asks the client something must be able to tell: gone, or still waiting? */
export interface Asking {
  readonly cancelled: boolean;
  readonly signal: AbortSignal;
}

/** Options for a request the server sends to the client from inside a handler. */
export interface ClientRequestOptions {
  /** Milliseconds to wait for the answer; defaults to the server's `requestTimeoutMs`. */
  timeoutMs?: number;
  /**
   * Protocol 2026-07-28 (multi round-trip): names the question in `inputRequests`, and so the key
   * of its answer in the client's `inputResponses`. Default: its order in the handler, `input-1`,
   * `input-2`, … Give one when the order can change between attempts, or when a client expects it.
   */
  key?: string;
}

/**
 * Sends requests to the client (sampling, elicitation, roots) and matches the answers: the place
 * server-to-client requests are routed (a session today; across instances, a later store).
 */
export interface ClientAsker {
  /** Sends `method` with `send` (the asking request's stream) and resolves with the client's result. */
  ask(
    method: string,
    params: Record<string, unknown> | undefined,
    asking: Asking,
    send: SendToClient,
    options?: ClientRequestOptions,
  ): Promise<Record<string, unknown>>;
  /**
   * True when questions travel in the request's own result (2026-07-28 `input_required`), so no
   * stream back to the client is needed.
   */
  readonly inBand?: boolean;
  /** Runs `fn` at most once across the retries of one request; absent, `ctx.once` runs it every time. */
  once?<T>(key: string, fn: () => T | Promise<T>): Promise<T>;
}

/** The session-scoped state a request may change; absent where there is no session (stateless, REST). */
export interface SessionControls {
  subscribe(uri: string): void;
  unsubscribe(uri: string): void;
  setLogLevel(level: LoggingLevel): void;
}

/**
 * Everything the dispatcher and a handler's `ctx` know about one request, made once by whoever
 * knows it (a 2025 session from what `initialize` negotiated; the stateless path from headers) and
 * never written afterwards. Feature checks read `features`, never the version string.
 */
export interface RequestScope {
  readonly protocolVersion: ProtocolVersion;
  readonly features: VersionFeatures;
  readonly sessionId: string | undefined;
  readonly client: { readonly info: Implementation | undefined; readonly capabilities: ClientCapabilities };
  /** The client's `logging/setLevel` when the request began; undefined sends everything. */
  readonly logLevel: LoggingLevel | undefined;
  readonly delivery: Delivery;
  /** How this request reaches its client: its own stream, the session's, or (undefined) nowhere. */
  readonly send: SendToClient | undefined;
  /** How it asks the client and waits; undefined when no answer could find its way back. */
  readonly asker: ClientAsker | undefined;
  readonly session: SessionControls | undefined;
}
