import { toErrorMessage } from './errors.js';
import type { JsonRpcMessage, JsonRpcResponse } from './jsonrpc.js';

/** What a transport knows about the request a message arrived with. Filled by HTTP transports later. */
export interface MessageExtra {
  /** The HTTP request the message came in, as the transport chooses to describe it. */
  http?: unknown;
  /** What the host's authentication established for this request. */
  auth?: unknown;
}

/** Anything sent on the wire: one message, or a batch of responses (JSON-RPC batches, 2025-03-26). */
export type Outgoing = JsonRpcMessage | JsonRpcResponse[];

export interface TransportHandlers {
  /** A decoded JSON value (object or array) that arrived. The session validates it. */
  message(value: unknown, extra?: MessageExtra): void;
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
