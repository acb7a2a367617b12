import { toErrorMessage } from '../../protocol/errors.js';
import { featuresOf, type ProtocolVersion } from '../../protocol/versions.js';
import type { Exchange } from '../exchange.js';
import { HttpRefusal, refuse, refuseBody } from '../refusals.js';
import { isJsonContentType } from '../respond.js';

/**
 * A POSTed JSON-RPC body, looked at once for what the transport must decide before the session
 * sees it: does it open a session, and does it need an answer? (The session validates the rest.)
 */
export interface PostedMessage {
  /** The decoded JSON: one message or a batch. */
  readonly value: unknown;
  /** An `initialize` request: on a sessionful endpoint it opens a session. */
  readonly opensSession: boolean;
  /** At least one request (something with an `id` that needs an answer), not only notifications or responses. */
  readonly hasRequest: boolean;
}

/** What `readMessage` takes in: the app's `maxBodyBytes` and `maxBatchLength`. */
export interface MessageLimits {
  maxBodyBytes: number;
  maxBatchLength: number;
}

export function classify(value: unknown): PostedMessage {
  if (Array.isArray(value)) return { value, opensSession: false, hasRequest: value.some(isRequest) };
  const request = isRequest(value);
  return {
    value,
    opensSession: request && (value as { method?: unknown }).method === 'initialize',
    hasRequest: request,
  };
}

function isRequest(value: unknown): boolean {
  return typeof value === 'object' && value !== null && 'method' in value && 'id' in value;
}

/**
 * Reads and classifies a POSTed JSON-RPC body, or answers the refusal itself and returns
 * `undefined`: 415 (not JSON), 413 (too large), 400 with -32700 (not JSON, or not UTF-8), 400 with
 * -32600 (not a JSON-RPC message, an empty batch, a batch over `maxBatchLength`). Streamable HTTP,
 * "Sending Messages to the Server": the body MUST be one request, notification or response, and
 * input the server cannot accept gets an HTTP error status with the JSON-RPC error as its body,
 * not a 200 that carries it. A body a host framework already parsed is taken as it is.
 */
export async function readMessage(
  exchange: Exchange,
  limits: MessageLimits,
): Promise<PostedMessage | undefined> {
  if (!isJsonContentType(exchange.header('content-type'))) {
    refuse(exchange, HttpRefusal.UnsupportedMediaType);
    return undefined;
  }
  const read = await exchange.body();
  if (!read.ok) {
    refuseBody(exchange, read.reason, limits.maxBodyBytes);
    return undefined;
  }
  let value: unknown;
  try {
    value = read.body.json();
  } catch (error) {
    refuse(exchange, HttpRefusal.InvalidJson, toErrorMessage(error));
    return undefined;
  }
  if (Array.isArray(value)) {
    // Checked before anything runs: each member costs a handler call and an answer to hold.
    if (value.length > limits.maxBatchLength) {
      refuse(exchange, HttpRefusal.BatchTooLarge, limits.maxBatchLength);
      return undefined;
    }
    if (value.length === 0) {
      refuse(exchange, HttpRefusal.InvalidMessage, 'an empty array is no batch; send at least one message');
      return undefined;
    }
    // Members are answered one by one, an invalid one with its own error (JSON-RPC 2.0, "Batch").
    return classify(value);
  }
  const wrong = whatIsWrong(value);
  if (wrong !== undefined) {
    refuse(exchange, HttpRefusal.InvalidMessage, wrong);
    return undefined;
  }
  return classify(value);
}

/**
 * Why a decoded value is not a JSON-RPC 2.0 message, or undefined when it is one. A few property
 * reads, on the hot path, never a walk of the value: the session still validates what MCP asks of
 * a valid message (known method, params), and answers that with a JSON-RPC error as always.
 */
function whatIsWrong(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) {
    return `a message is a JSON object, not ${value === null ? 'null' : `a ${typeof value}`}`;
  }
  const message = value as Record<string, unknown>;
  if (message.jsonrpc !== '2.0') return '"jsonrpc" must be "2.0"';
  if ('method' in message) {
    if (typeof message.method !== 'string' || message.method === '') {
      return '"method" must be a non-empty string';
    }
    if ('id' in message && !isRequestId(message.id)) {
      return 'a request "id" must be a string or a finite number, never null';
    }
    return undefined;
  }
  if ('result' in message) {
    if ('error' in message) return 'a response carries "result" or "error", not both';
    return isRequestId(message.id) ? undefined : 'a result\'s "id" must be the id of the request it answers';
  }
  if ('error' in message) {
    const error = message.error as { code?: unknown; message?: unknown } | null;
    const ok = typeof error === 'object' && error !== null;
    return ok && typeof error.code === 'number' && typeof error.message === 'string'
      ? undefined
      : '"error" must be an object with a numeric "code" and a string "message"';
  }
  return 'it has no "method" (request, notification) and no "result" or "error" (response)';
}

function isRequestId(value: unknown): boolean {
  return typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value));
}

/**
 * Refuses a batch (400, -32600) when the session's protocol version has none: only 2025-03-26
 * does (removed in 2025-06-18), and before `initialize` there is no version to allow one. Returns
 * whether it refused.
 */
export function refuseBatchOutOfEra(
  exchange: Exchange,
  message: PostedMessage,
  version: ProtocolVersion | undefined,
): boolean {
  if (!Array.isArray(message.value) || (version !== undefined && featuresOf(version).batches)) return false;
  const detail =
    version === undefined
      ? 'a batch cannot come before initialize; send initialize on its own first'
      : `protocol version ${version} has no JSON-RPC batches (2025-03-26 alone has them); send each message in its own POST`;
  refuse(exchange, HttpRefusal.InvalidMessage, detail);
  return true;
}
