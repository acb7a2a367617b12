import { ErrorCode, type JsonRpcErrorObject } from './jsonrpc.js';

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
}

/**
 * Stable codes for mistakes made while building a server (registration, options). They never
 * change meaning; a retired code is never reused.
 */
export const WharfErrorCode = {
  DuplicateName: 'WHARF_DUPLICATE_NAME',
  InvalidName: 'WHARF_INVALID_NAME',
  InvalidSchema: 'WHARF_INVALID_SCHEMA',
  InvalidTemplate: 'WHARF_INVALID_TEMPLATE',
  InvalidOption: 'WHARF_INVALID_OPTION',
  AlreadyConnected: 'WHARF_ALREADY_CONNECTED',
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
