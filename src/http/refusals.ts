import { ErrorCode } from '../protocol/jsonrpc.js';
import { SUPPORTED_VERSIONS } from '../protocol/versions.js';
import type { BodyFailure } from './body.js';
import type { Exchange } from './exchange.js';

/**
 * Every refusal the HTTP app sends, in one table: a stable Wharf code (in the body as
 * `error.data.code`; documented in the README; never changes meaning, and a retired code is never
 * reused), the HTTP status, the JSON-RPC code, and a message that says what to do.
 *
 * JSON-RPC codes: -32700 when the body is not JSON; -32600 (Invalid Request) for whatever the client
 * must change (path, method, headers, session, size, type); -32603 (Internal Error) when the server
 * cannot answer (closed, full, misconfigured, failed). `-32000` stays what Wharf's `ErrorCode` says
 * it is: a connection closed while a request was in flight.
 */
interface Refusal<D> {
  readonly code: string;
  readonly status: number;
  readonly rpcCode: number;
  message(details: D): string;
  headers?(details: D): Record<string, string>;
}

function refusal<D = void>(
  code: string,
  status: number,
  rpcCode: number,
  message: (details: D) => string,
  headers?: (details: D) => Record<string, string>,
): Refusal<D> {
  return headers ? { code, status, rpcCode, message, headers } : { code, status, rpcCode, message };
}

const { ParseError, InvalidRequest, InternalError } = ErrorCode;
const CLOSE = () => ({ connection: 'close' });

export const HttpRefusal = {
  NotFound: refusal(
    'WHARF_NOT_FOUND',
    404,
    InvalidRequest,
    (d: { path: string; endpoint: string }) =>
      `Not Found: nothing is served at ${d.path}. The MCP endpoint is ${d.endpoint}.`,
  ),
  MethodNotAllowed: refusal(
    'WHARF_METHOD_NOT_ALLOWED',
    405,
    InvalidRequest,
    (d: { what: string; methods: string; method: string; allow: string }) =>
      `Method Not Allowed: ${d.what} takes ${d.methods}, not ${d.method}.`,
    (d) => ({ allow: d.allow }),
  ),
  HostNotAllowed: refusal(
    'WHARF_HOST_NOT_ALLOWED',
    403,
    InvalidRequest,
    (host: string) =>
      `Forbidden: the Host header ${JSON.stringify(host)} is not one this server answers to. If this server is meant to be reached under that name, add it to allowedHosts.`,
  ),
  OriginNotAllowed: refusal(
    'WHARF_ORIGIN_NOT_ALLOWED',
    403,
    InvalidRequest,
    (origin: string) =>
      `Forbidden: the Origin ${JSON.stringify(origin)} is not allowed. If pages from that origin may call this server, add it to allowedOrigins.`,
  ),
  NotAcceptable: refusal('WHARF_NOT_ACCEPTABLE', 406, InvalidRequest, (accept: string) =>
    accept === 'text/event-stream'
      ? 'Not Acceptable: a GET on the MCP endpoint opens an SSE stream; send "Accept: text/event-stream".'
      : `Not Acceptable: send "Accept: ${accept}".`,
  ),
  UnsupportedMediaType: refusal(
    'WHARF_UNSUPPORTED_MEDIA_TYPE',
    415,
    InvalidRequest,
    () => 'Unsupported Media Type: send the JSON-RPC message with "Content-Type: application/json".',
  ),
  BodyTooLarge: refusal(
    'WHARF_BODY_TOO_LARGE',
    413,
    InvalidRequest,
    (limit: number) =>
      `Payload Too Large: the body is over ${limit} bytes. Send a smaller body, or raise maxBodyBytes.`,
    CLOSE,
  ),
  InvalidJson: refusal(
    'WHARF_INVALID_JSON',
    400,
    ParseError,
    (detail: string) => `Parse error: the body is not valid JSON (${detail}). Send one JSON-RPC 2.0 message.`,
  ),
  UnsupportedProtocolVersion: refusal(
    'WHARF_UNSUPPORTED_PROTOCOL_VERSION',
    400,
    InvalidRequest,
    (version: string) =>
      `Bad Request: unsupported MCP-Protocol-Version "${version}". This server speaks ${spokenVersions()}.`,
  ),
  SessionIdMissing: refusal('WHARF_SESSION_ID_MISSING', 400, InvalidRequest, (legacy: boolean) =>
    legacy
      ? 'Bad Request: the sessionId query parameter is missing. Open the SSE stream again and use its endpoint URL.'
      : 'Bad Request: missing Mcp-Session-Id header. Send the id the initialize response gave you, or initialize first.',
  ),
  SessionNotFound: refusal('WHARF_SESSION_NOT_FOUND', 404, InvalidRequest, (legacy: boolean) =>
    legacy
      ? 'Not Found: no open SSE stream has this sessionId (it closed or expired). Open the SSE stream again and use its endpoint URL.'
      : 'Not Found: no session with this Mcp-Session-Id (it ended or expired). Initialize a new session.',
  ),
  EventIdNotInSession: refusal(
    'WHARF_EVENT_ID_NOT_IN_SESSION',
    404,
    InvalidRequest,
    () => 'Not Found: this Last-Event-ID does not belong to this session. Reconnect without it.',
  ),
  StreamAlreadyOpen: refusal(
    'WHARF_STREAM_ALREADY_OPEN',
    409,
    InvalidRequest,
    () => 'Conflict: this session already has an open GET stream. Close it before opening another.',
  ),
  TooManySessions: refusal(
    'WHARF_TOO_MANY_SESSIONS',
    503,
    InternalError,
    () => 'Service Unavailable: this server has as many sessions as it allows. Retry later.',
    () => ({ 'retry-after': '5' }),
  ),
  TooManySessionsForPrincipal: refusal(
    'WHARF_TOO_MANY_SESSIONS_FOR_PRINCIPAL',
    429,
    InvalidRequest,
    (limit: number) =>
      `Too Many Requests: this client already holds ${limit} sessions, all busy or streaming. End one (DELETE) or retry later.`,
    () => ({ 'retry-after': '5' }),
  ),
  BatchTooLarge: refusal(
    'WHARF_BATCH_TOO_LARGE',
    400,
    InvalidRequest,
    (limit: number) => `Bad Request: a batch may hold at most ${limit} messages. Send it in smaller batches.`,
  ),
  InvalidMessage: refusal(
    'WHARF_INVALID_MESSAGE',
    400,
    InvalidRequest,
    (detail: string) =>
      `Bad Request: the body is not a JSON-RPC 2.0 message this server can take: ${detail}.`,
  ),
  SessionAlreadyInitialized: refusal(
    'WHARF_SESSION_ALREADY_INITIALIZED',
    400,
    InvalidRequest,
    (legacy: boolean) =>
      legacy
        ? 'Bad Request: this session is already initialized, and initialize is sent once per session. To start over, open the SSE stream again.'
        : 'Bad Request: this session is already initialized, and initialize is sent once per session. To start a new one, send initialize without Mcp-Session-Id.',
  ),
  ShuttingDown: refusal(
    'WHARF_SHUTTING_DOWN',
    503,
    InternalError,
    () => 'Service Unavailable: this server is shutting down. Retry against a running instance.',
    () => ({ 'retry-after': '1', connection: 'close' }),
  ),
  AppClosed: refusal(
    'WHARF_APP_CLOSED',
    503,
    InternalError,
    () => 'Service Unavailable: this MCP app was closed. Connect to a running instance.',
  ),
  BodyConsumed: refusal(
    'WHARF_BODY_CONSUMED',
    500,
    InternalError,
    () =>
      'Internal Server Error: something before this app read the request body and did not hand it over. Mount the app before that body parser, or pass what it parsed as the `body` mount option.',
  ),
  MiddlewareNoAnswer: refusal(
    'WHARF_MIDDLEWARE_NO_ANSWER',
    500,
    InternalError,
    () =>
      'Internal Server Error: a middleware neither answered nor called next(). Call request.respond() or await next() in every branch.',
  ),
  InternalError: refusal(
    'WHARF_INTERNAL_ERROR',
    500,
    InternalError,
    () => 'Internal Server Error: the request failed; the server logged why.',
  ),
} as const;

/**
 * Sends a refusal from the table: its status, its headers, and a JSON-RPC error body whose `data.code`
 * is the Wharf code, so a client library surfaces a readable message and code instead of a bare status.
 */
export function refuse<D>(
  exchange: Exchange,
  kind: Refusal<D>,
  ...[details]: D extends void ? [] : [D]
): void {
  const d = details as D;
  const body = JSON.stringify({
    jsonrpc: '2.0',
    error: { code: kind.rpcCode, message: kind.message(d), data: { code: kind.code } },
  });
  exchange.respond(kind.status, { 'content-type': 'application/json', ...kind.headers?.(d) }, body);
}

/** The refusal for a body that could not be had; none when the client went away. */
export function refuseBody(exchange: Exchange, reason: BodyFailure, limit: number): void {
  if (reason === 'too-large') refuse(exchange, HttpRefusal.BodyTooLarge, limit);
  else if (reason === 'consumed') refuse(exchange, HttpRefusal.BodyConsumed);
}

/** The versions this server speaks, oldest first, in words: "2024-11-05, …, 2025-11-25 and 2026-07-28". */
function spokenVersions(): string {
  const sorted = [...SUPPORTED_VERSIONS].sort();
  return `${sorted.slice(0, -1).join(', ')} and ${sorted.at(-1)}`;
}
