import { toErrorMessage } from '../../protocol/errors.js';
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
 * Reads and classifies a POSTed JSON-RPC body, or answers the refusal itself (415, 413, 400) and
 * returns `undefined`. A body a host framework already parsed is taken as it is.
 */
export async function readMessage(exchange: Exchange, limit: number): Promise<PostedMessage | undefined> {
  if (!isJsonContentType(exchange.header('content-type'))) {
    refuse(exchange, HttpRefusal.UnsupportedMediaType);
    return undefined;
  }
  const read = await exchange.body();
  if (!read.ok) {
    refuseBody(exchange, read.reason, limit);
    return undefined;
  }
  let value: unknown;
  try {
    value = read.body.json();
  } catch (error) {
    refuse(exchange, HttpRefusal.InvalidJson, toErrorMessage(error));
    return undefined;
  }
  return classify(value);
}
