import { ErrorCode, type JsonRpcErrorObject } from './jsonrpc.js';
import type { ElicitUrlParams } from './types.js';

/**
 * An error that crosses the wire as a JSON-RPC error object. Handlers may throw it to choose the
 * code; any other thrown value is converted at the boundary (and, for tools, becomes `isError`).
 */
export class McpError extends Error {
  override readonly name = 'McpError';
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
  }

  toJson(): JsonRpcErrorObject {
    return this.data === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, data: this.data };
  }

  static invalidParams(message: string, data?: unknown): McpError {
    return new McpError(ErrorCode.InvalidParams, message, data);
  }

  /**
   * The resource does not exist (-32002, spec "Resources", Error Handling), with the URI as `data`.
   * For a template handler whose variables name nothing, e.g. an unknown user id.
   *
   * @example
   * ```ts
   * server.resourceTemplate('user', 'users://{id}', {}, async (uri, { id }) => {
   *   const user = await db.users.find(String(id));
   *   if (!user) throw McpError.resourceNotFound(uri);
   *   return JSON.stringify(user);
   * });
   * ```
   */
  static resourceNotFound(
    uri: string,
    message = `Resource not found: "${uri}". Call resources/list and resources/templates/list to see what this server offers.`,
  ): McpError {
    return new McpError(ErrorCode.ResourceNotFound, message, { uri });
  }

  /**
   * The request needs the user to finish URL-mode elicitations first (-32042, spec 2025-11-25
   * "Elicitation"). The one McpError a tool can throw that reaches the client as a JSON-RPC error
   * rather than an `isError` result; the client retries the call once the user is done.
   */
  static urlElicitationRequired(
    elicitations: ElicitUrlParams[],
    message = 'This request needs the user to complete an elicitation first.',
  ): McpError {
    return new McpError(ErrorCode.UrlElicitationRequired, message, { elicitations });
  }
}

/**
 * The text of anything thrown, for messages that reach a client or a log. JavaScript can throw any
 * value: an Error gives its message, a string itself, an object its JSON, so a thrown
 * `{ code: 'E1' }` never reads as "[object Object]".
 *
 * @example
 * ```ts
 * toErrorMessage(new Error('boom')); // 'boom'
 * toErrorMessage({ code: 'E1', detail: 'x' }); // '{"code":"E1","detail":"x"}'
 * ```
 */
export function toErrorMessage(thrown: unknown): string {
  // The tag check also catches Errors from another realm (a vm context, an iframe).
  if (thrown instanceof Error || Object.prototype.toString.call(thrown) === '[object Error]') {
    const { message, name } = thrown as Error;
    return typeof message === 'string' && message !== '' ? message : String(name);
  }
  if (typeof thrown === 'string') return thrown;
  if (typeof thrown !== 'object' || thrown === null) return String(thrown);
  try {
    const json = JSON.stringify(thrown);
    if (json !== undefined) return json;
  } catch {
    // Cycles and BigInts: fall through.
  }
  const text = String(thrown);
  return text === '[object Object]' ? 'a thrown object that cannot be written as JSON' : text;
}

/**
 * A value a client sent, as an error message may quote it: strings quoted and cut short, numbers,
 * booleans and null as they are, "(missing)" for a missing value, and only the kind of an object or
 * array (never its contents: one nested thousands deep would overflow JSON.stringify).
 *
 * @example
 * ```ts
 * `Unknown log level ${describeValue(params.level)}.` // 'Unknown log level (missing).' when absent
 * ```
 */
export function describeValue(value: unknown): string {
  if (value === undefined) return '(missing)';
  if (typeof value === 'string')
    return JSON.stringify(value.length > 100 ? `${value.slice(0, 100)}…` : value);
  if (value === null || typeof value !== 'object') return String(value);
  return Array.isArray(value) ? 'an array' : 'an object';
}

/**
 * Stable codes for mistakes made while building a server (registration, options). They never
 * change meaning; a retired code is never reused. Retired: `WHARF_ALREADY_CONNECTED` (never thrown).
 * The HTTP refusals have their own table (`src/http/refusals.ts`).
 */
export const WharfErrorCode = {
  DuplicateName: 'WHARF_DUPLICATE_NAME',
  InvalidName: 'WHARF_INVALID_NAME',
  InvalidSchema: 'WHARF_INVALID_SCHEMA',
  InvalidTemplate: 'WHARF_INVALID_TEMPLATE',
  InvalidOption: 'WHARF_INVALID_OPTION',
} as const;
export type WharfErrorCode = (typeof WharfErrorCode)[keyof typeof WharfErrorCode];

/** A programming mistake found at registration or configuration time. The message says what to do. */
export class WharfError extends Error {
  override readonly name = 'WharfError';
  constructor(
    readonly code: WharfErrorCode,
    message: string,
  ) {
    super(`${message} [${code}]`);
  }
}
