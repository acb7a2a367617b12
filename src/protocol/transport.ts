import { toErrorMessage } from './errors.js';
import type { JsonRpcMessage, JsonRpcResponse } from './jsonrpc.js';

/** Sends a message to the client on the stream that carries a request's output. */
export type SendToClient = (message: JsonRpcMessage) => void | Promise<void>;

/**
 * How a message reached the server and how what it produces travels back: what a transport knows
 * and hands over with each message (`message(value, delivery)`, `session.handle(value, delivery)`).
 */
export interface Delivery {
  /** The request object the message came in (the host's own: IncomingMessage, Request, …). */
  readonly http?: unknown;
  /** What the host's authentication established for this request. */
  readonly auth?: unknown;
  /**
   * Who `auth` is, as the app names principals (`principalOf(auth)`); undefined when anonymous. A
   * 2026-07-28 `requestState` is bound to it, so another user cannot replay it.
   */
  readonly principal?: string;
  /** Where messages related to this request go (progress, logs, requests to the client). Defaults to the session's channel. */
  readonly reply?: SendToClient;
  /** Aborts the handler's `ctx.signal`, e.g. when an HTTP client disconnects with nothing to resume. */
  readonly signal?: AbortSignal;
  /** Ends the stream carrying this request's messages so the client resumes later (HTTP with an event store). */
  readonly closeStream?: () => void;
  /**
   * Sends the answer to this request now, before its handler returns (a server shutting down), the
   * way the request expects it; absent when the transport cannot answer early.
   */
  interrupt?(answer: JsonRpcResponse): void;
  /** The longest JSON-RPC batch the transport lets through (it refused longer ones); default 100. */
  readonly maxBatchLength?: number;
}

/** Anything sent on the wire: one message, or a batch of responses (JSON-RPC batches, 2025-03-26). */
export type Outgoing = JsonRpcMessage | JsonRpcResponse[];

export interface TransportHandlers {
  /** A decoded JSON value (object or array) that arrived. The session validates it. */
  message(value: unknown, delivery?: Delivery): void;
  /** Bytes that did not decode as JSON; the session answers with a parse error (-32700). */
  malformed(detail: string): void;
  /** The other side went away. */
  close(): void;
}

/**
 * A message transport: moves JSON-RPC messages, knows nothing of MCP. Used by `McpServer.connect()`
 * for connection-shaped transports (stdio, in-memory). HTTP transports drive sessions directly.
 */
export interface Transport {
  start(handlers: TransportHandlers): void | Promise<void>;
  send(message: Outgoing): void | Promise<void>;
  close(): void | Promise<void>;
}

/** Decodes JSON text without throwing. */
export function decodeJson(text: string): { ok: true; value: unknown } | { ok: false; detail: string } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, detail: toErrorMessage(error) };
  }
}
