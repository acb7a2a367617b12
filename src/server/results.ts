import { McpError } from '../protocol/errors.js';
import { ErrorCode } from '../protocol/jsonrpc.js';
import type { CallToolResult, ContentBlock } from '../protocol/types.js';

/**
 * Turns what a tool handler returned into a `CallToolResult`:
 * - a string becomes one text content block;
 * - an object with a `content` array is taken as a full result and passes through;
 * - with an output schema, a plain object becomes `structuredContent` (plus its JSON as text, which
 *   the spec recommends for clients that do not read structured content);
 * - `undefined` becomes an empty result; anything else is sent as its JSON text.
 */
export function toToolResult(value: unknown, hasOutputSchema: boolean): CallToolResult {
  if (typeof value === 'string') return { content: [{ type: 'text', text: value }] };
  if (value === undefined || value === null) return { content: [] };
  if (isFullResult(value)) return value;
  const text = JSON.stringify(value);
  if (hasOutputSchema && typeof value === 'object' && !Array.isArray(value)) {
    return { content: [{ type: 'text', text }], structuredContent: value as Record<string, unknown> };
  }
  return { content: [{ type: 'text', text: text ?? String(value) }] };
}

function isFullResult(value: unknown): value is CallToolResult {
  return (
    typeof value === 'object' && value !== null && Array.isArray((value as { content?: unknown }).content)
  );
}

/** A tool execution error (spec: "Tool Execution Errors"), reported as a result the model can read. */
export function toolErrorResult(message: string): CallToolResult {
  const content: ContentBlock[] = [{ type: 'text', text: message }];
  return { content, isError: true };
}

/**
 * Converts what a resource or prompt handler threw into a JSON-RPC error. An `McpError` is meant
 * for the client and keeps its code and message; anything else may carry internals (a database
 * error, a path), so the client learns only what failed and `onError` hears the cause.
 */
export function toProtocolError(
  error: unknown,
  what: string,
  report: (error: unknown, where: string) => void,
): McpError {
  if (error instanceof McpError) return error;
  report(error, what);
  return new McpError(
    ErrorCode.InternalError,
    `${what} failed with an internal error; the server reported the cause to its operator.`,
  );
}

/**
 * A result as protocol 2026-07-28 sends it (spec "Messages", ResultType; "General fields", `_meta`):
 * `resultType: "complete"`, and the server's identity in `_meta`, beside whatever `_meta` the
 * handler set. A created task (the tasks extension's `resultType: "task"`) keeps its kind.
 * `serverInfoMeta` is the server's, built once.
 */
export function toCompleteResult(
  result: object,
  serverInfoMeta: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const { _meta: own, resultType } = result as { _meta?: unknown; resultType?: unknown };
  const _meta =
    typeof own === 'object' && own !== null ? Object.assign({}, own, serverInfoMeta) : serverInfoMeta;
  // Object.assign, not `{ ...result, resultType, _meta }`: on Node 20 a spread followed by
  // properties takes V8's slow path (about 1.5 µs, measured), and every 2026 result comes here.
  return Object.assign({}, result, { resultType: resultType === 'task' ? 'task' : 'complete', _meta });
}

/**
 * The interim answer of a request that needs the client's input first (2026-07-28, basic/patterns/
 * mrtr, InputRequiredResult): the questions, the signed state to echo back, and the server's identity.
 */
export function toInputRequiredResult(
  inputRequests: Record<string, unknown>,
  requestState: string,
  serverInfoMeta: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  return { resultType: 'input_required', inputRequests, requestState, _meta: serverInfoMeta };
}
