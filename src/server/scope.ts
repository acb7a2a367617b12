import type { JsonRpcMessage } from '../protocol/jsonrpc.js';
import type { ClientCapabilities, Implementation, LoggingLevel } from '../protocol/types.js';
import type { ProtocolVersion, VersionFeatures } from '../protocol/versions.js';

/** Sends a message to the client on the stream that carries this request's output. */
export type SendToClient = (message: JsonRpcMessage) => void | Promise<void>;

/** What a request that asks the client something must be able to tell: gone, or still waiting? */
export interface Asking {
  readonly cancelled: boolean;
  readonly signal: AbortSignal;
}

/** Options for a request the server sends to the client from inside a handler. */
export interface ClientRequestOptions {
  /** Milliseconds to wait for the answer; defaults to the server's `requestTimeoutMs`. */
  timeoutMs?: number;
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
}

/** The session-scoped state a request may change; absent where there is no session (stateless, REST). */
export interface SessionControls {
  subscribe(uri: string): void;
  unsubscribe(uri: string): void;
  setLogLevel(level: LoggingLevel): void;
}

/**
 * How a message reached the server and how what it produces travels back: what a transport knows
 * and hands to the session with each message (`session.handle(message, delivery)`).
 */
export interface Delivery {
  /** The request object the message came in (the host's own: IncomingMessage, Request, …). */
  readonly http?: unknown;
  /** What the host's authentication established for this request. */
  readonly auth?: unknown;
  /** Where messages related to this request go (progress, logs, requests to the client). Defaults to the session's channel. */
  readonly reply?: SendToClient;
  /** Aborts the handler's `ctx.signal`, e.g. when an HTTP client disconnects with nothing to resume. */
  readonly signal?: AbortSignal;
  /** Ends the stream carrying this request's messages so the client resumes later (HTTP with an event store). */
  readonly closeStream?: () => void;
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
