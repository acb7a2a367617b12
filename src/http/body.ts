import { ErrorCode } from '../protocol/jsonrpc.js';
import { decodeJson } from '../protocol/transport.js';
import type { Exchange } from './exchange.js';
import { isJsonContentType, refuse } from './respond.js';

/**
 * Reads a POSTed JSON-RPC body, or answers the refusal itself (415, 413, 400) and returns
 * `undefined`. A body a host framework already parsed is taken as it is.
 */
export async function readJsonBody(
  exchange: Exchange,
  limit: number,
): Promise<{ value: unknown } | undefined> {
  if (!isJsonContentType(exchange.header('content-type'))) {
    refuse(
      exchange,
      415,
      'Unsupported Media Type: send the JSON-RPC message with "Content-Type: application/json".',
      {
        code: ErrorCode.InvalidRequest,
      },
    );
    return undefined;
  }
  const body = await exchange.readBody(limit);
  if (!body.ok) {
    if (body.reason === 'too-large') {
      refuse(
        exchange,
        413,
        `Payload Too Large: the body is over ${limit} bytes. Send smaller messages, or raise maxBodyBytes.`,
        {
          code: ErrorCode.InvalidRequest,
          headers: { connection: 'close' },
        },
      );
    }
    return undefined;
  }
  if ('parsed' in body) return { value: body.parsed };
  const decoded = decodeJson(body.text);
  if (!decoded.ok) {
    refuse(
      exchange,
      400,
      `Parse error: the body is not valid JSON (${decoded.detail}). Send one JSON-RPC 2.0 message.`,
      {
        code: ErrorCode.ParseError,
      },
    );
    return undefined;
  }
  return { value: decoded.value };
}

/** Does this message or batch contain at least one request (something that needs an answer)? */
export function containsRequest(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(isRequest);
  return isRequest(value);
}

function isRequest(value: unknown): boolean {
  return typeof value === 'object' && value !== null && 'method' in value && 'id' in value;
}

export function isInitializeRequest(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { method?: unknown }).method === 'initialize' &&
    'id' in value
  );
}
