/**
 * JSON-RPC 2.0 framing (https://www.jsonrpc.org/specification) as MCP uses it.
 * Pure: no I/O. Parsing classifies a decoded value; it never throws.
 */

export type RequestId = string | number;

export interface JsonRpcRequest {
  jsonrpc: '2.0';
  id: RequestId;
  method: string;
  params?: Record<string, unknown>;
}

export interface JsonRpcNotification {
  jsonrpc: '2.0';
  method: string;
  params?: Record<string, unknown>;
}

export interface JsonRpcResult {
  jsonrpc: '2.0';
  id: RequestId;
  result: Record<string, unknown>;
}

export interface JsonRpcErrorObject {
  code: number;
  message: string;
  data?: unknown;
}

export interface JsonRpcError {
  jsonrpc: '2.0';
  /**
   * Absent when the request id could not be read (parse errors, invalid requests). JSON-RPC 2.0
   * says `null` there, but MCP's schema (2025-11-25) makes the id optional and forbids null, and
   * the official SDK rejects `id: null`.
   */
  id?: RequestId;
  error: JsonRpcErrorObject;
}

export type JsonRpcResponse = JsonRpcResult | JsonRpcError;
export type JsonRpcMessage = JsonRpcRequest | JsonRpcNotification | JsonRpcResponse;

/** Standard JSON-RPC error codes, plus the MCP ones the spec names. */
export const ErrorCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
  /** MCP 2025-11-25: the client must complete a URL-mode elicitation first. */
  UrlElicitationRequired: -32042,
  /** MCP through 2025-11-25: a resource URI that no resource or template answers (2026-07-28 uses -32602). */
  ResourceNotFound: -32002,
  /**
   * MCP 2026-07-28 (Streamable HTTP, "Server Validation"): an HTTP header disagrees with the body, or
   * a required one (`MCP-Protocol-Version`, `Mcp-Method`, `Mcp-Name`, `Mcp-Param-*`) is missing or malformed.
   */
  HeaderMismatch: -32020,
  /** MCP 2026-07-28: the request needs a client capability its `_meta` did not declare; `data.requiredCapabilities` names it. */
  MissingRequiredClientCapability: -32021,
  /** MCP 2026-07-28: the request names a protocol version this server does not speak; `data` has `supported` and `requested`. */
  UnsupportedProtocolVersion: -32022,
  /** Wharf: a server-to-client request did not get an answer in time. */
  RequestTimeout: -32001,
  /** Wharf: the connection closed while a request was in flight. */
  ConnectionClosed: -32000,
} as const;

export type ParsedMessage =
  | { kind: 'request'; message: JsonRpcRequest }
  | { kind: 'notification'; message: JsonRpcNotification }
  | { kind: 'response'; message: JsonRpcResponse }
  | { kind: 'invalid'; id: RequestId | null; reason: string };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isRequestId(value: unknown): value is RequestId {
  return typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value));
}

/** Classifies one decoded JSON value as a JSON-RPC message, or says why it is not one. */
export function parseMessage(value: unknown): ParsedMessage {
  if (!isObject(value)) {
    return { kind: 'invalid', id: null, reason: 'A JSON-RPC message must be a JSON object.' };
  }
  const id = isRequestId(value.id) ? value.id : null;
  if (value.jsonrpc !== '2.0') {
    return { kind: 'invalid', id, reason: 'The "jsonrpc" member must be exactly "2.0".' };
  }
  if ('method' in value) {
    if (typeof value.method !== 'string' || value.method === '') {
      return { kind: 'invalid', id, reason: 'The "method" member must be a non-empty string.' };
    }
    if (value.params !== undefined && !isObject(value.params)) {
      return { kind: 'invalid', id, reason: 'MCP "params" must be a JSON object when present.' };
    }
    if (!('id' in value)) return { kind: 'notification', message: value as unknown as JsonRpcNotification };
    if (!isRequestId(value.id)) {
      return {
        kind: 'invalid',
        id: null,
        reason: 'A request "id" must be a string or a number (MCP forbids null).',
      };
    }
    return { kind: 'request', message: value as unknown as JsonRpcRequest };
  }
  if ('result' in value || 'error' in value) {
    if ('error' in value) {
      const error = value.error;
      if (!isObject(error) || typeof error.code !== 'number' || typeof error.message !== 'string') {
        return {
          kind: 'invalid',
          id,
          reason: 'An error response needs "error" with a numeric "code" and a "message".',
        };
      }
      if (value.id !== null && !isRequestId(value.id)) {
        return {
          kind: 'invalid',
          id: null,
          reason: 'An error response needs an "id": the string or number of the request, or null.',
        };
      }
    } else if (!isRequestId(value.id)) {
      return { kind: 'invalid', id: null, reason: 'A result response needs a string or number "id".' };
    }
    return { kind: 'response', message: value as unknown as JsonRpcResponse };
  }
  return {
    kind: 'invalid',
    id,
    reason: 'A JSON-RPC message needs "method" (request or notification) or "result"/"error" (response).',
  };
}

export function isErrorResponse(message: JsonRpcResponse): message is JsonRpcError {
  return 'error' in message;
}

export function toErrorResponse(id: RequestId | null, error: JsonRpcErrorObject): JsonRpcError {
  return id === null ? { jsonrpc: '2.0', error } : { jsonrpc: '2.0', id, error };
}
