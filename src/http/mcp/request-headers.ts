import { describeValue, McpError } from '../../protocol/errors.js';
import { ErrorCode } from '../../protocol/jsonrpc.js';
import { MetaKey } from '../../protocol/types.js';
import type { BaseMcpServer, HeaderParam } from '../../server/base-server.js';
import type { Exchange } from '../exchange.js';

/** A 2026-07-28 request as the transport looks at it before the server does. */
export interface PostedRequest {
  readonly id: string | number;
  readonly method: string;
  readonly params?: unknown;
}

/** Where `Mcp-Name` comes from in the body (Streamable HTTP, "Standard Request Headers"). */
const NAME_SOURCE: Readonly<Record<string, 'name' | 'uri' | 'taskId'>> = {
  'tools/call': 'name',
  'prompts/get': 'name',
  'resources/read': 'uri',
  // The tasks extension (io.modelcontextprotocol/tasks): Mcp-Name is the task's id.
  'tasks/get': 'taskId',
  'tasks/update': 'taskId',
  'tasks/cancel': 'taskId',
};

/**
 * Streamable HTTP 2026-07-28, "Server Validation": the headers that mirror the body must agree with
 * it, so that a proxy routing on a header and the server acting on the body see the same request.
 * Checks `MCP-Protocol-Version` (against the `_meta` version, when the body names one: a missing
 * one is the envelope's to refuse), `Mcp-Method`, `Mcp-Name` and, for `tools/call`, the tool's
 * `Mcp-Param-*` headers (x-mcp-header). Returns the HeaderMismatch error (-32020) to answer with,
 * or undefined. A few header reads; only a tool with header parameters costs more.
 */
export function checkRequestHeaders(
  exchange: Exchange,
  request: PostedRequest,
  server: BaseMcpServer,
): McpError | undefined {
  const params = isObject(request.params) ? request.params : undefined;
  const version = exchange.header('mcp-protocol-version');
  if (version === undefined) {
    return mismatch('the MCP-Protocol-Version header is missing. Send it with the version your _meta names.');
  }
  const meta = params?._meta;
  const claimed = isObject(meta) ? meta[MetaKey.protocolVersion] : undefined;
  if (typeof claimed === 'string' && trimOws(version) !== claimed) {
    return mismatch(
      `MCP-Protocol-Version ${describeValue(version)} does not match _meta ${describeValue(claimed)}. Send the same version in both.`,
    );
  }
  const method = exchange.header('mcp-method');
  if (method === undefined) {
    return mismatch(`the Mcp-Method header is missing. Send "Mcp-Method: ${request.method}".`);
  }
  if (trimOws(method) !== request.method) {
    return mismatch(
      `Mcp-Method ${describeValue(method)} does not match the body's method ${describeValue(request.method)} (values are case-sensitive).`,
    );
  }
  const source = NAME_SOURCE[request.method];
  const named = source && params?.[source];
  if (typeof named === 'string') {
    const failure = compareHeader(exchange, 'mcp-name', 'Mcp-Name', named, `params.${source}`);
    if (failure) return failure;
  }
  if (request.method === 'tools/call' && typeof params?.name === 'string') {
    const headerParams = server.headerParamsOf(params.name);
    if (headerParams) return checkParamHeaders(exchange, headerParams, params.arguments);
  }
  return undefined;
}

/**
 * x-mcp-header (Streamable HTTP, "Server Behavior for Custom Headers"): a value present in the
 * arguments must come in its header too, equal after decoding; an absent (or null) one must not.
 */
function checkParamHeaders(
  exchange: Exchange,
  headerParams: readonly HeaderParam[],
  args: unknown,
): McpError | undefined {
  for (const param of headerParams) {
    const value = valueAt(args, param.path);
    const where = `arguments.${param.path.join('.')}`;
    if (value === undefined || value === null) {
      if (exchange.header(param.header) === undefined) continue;
      return mismatch(
        `${param.name} is sent, but ${where} is absent. Leave the header out when the argument is.`,
      );
    }
    const failure = compareHeader(exchange, param.header, param.name, value, where);
    if (failure) return failure;
  }
  return undefined;
}

function compareHeader(
  exchange: Exchange,
  header: string,
  name: string,
  expected: unknown,
  where: string,
): McpError | undefined {
  const raw = exchange.header(header);
  if (raw === undefined) {
    return mismatch(
      `the ${name} header is missing, and ${where} is ${describeValue(expected)}. Send the header with that value.`,
    );
  }
  const text = decodeHeaderValue(raw);
  if (text === undefined) {
    return mismatch(
      `${name} is not a valid header value: plain visible ASCII, or Base64 of the UTF-8 as "=?base64?...?=" with correct padding.`,
    );
  }
  if (!sameValue(text, expected)) {
    return mismatch(`${name} ${describeValue(text)} does not match ${where} ${describeValue(expected)}.`);
  }
  return undefined;
}

const SENTINEL_START = '=?base64?';
const SENTINEL_END = '?=';
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const HEADER_SAFE = /^[\x20-\x7e\t]*$/;
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A header value as the body would hold it ("Value Encoding"): optional whitespace around it
 * dropped (RFC 9110, 5.5), the Base64 sentinel decoded (strictly: padding and alphabet, then
 * UTF-8), anything else taken literally if a header may carry it. Undefined when malformed.
 */
export function decodeHeaderValue(raw: string): string | undefined {
  const value = trimOws(raw);
  if (
    value.length >= SENTINEL_START.length + SENTINEL_END.length &&
    value.startsWith(SENTINEL_START) &&
    value.endsWith(SENTINEL_END)
  ) {
    const encoded = value.slice(SENTINEL_START.length, -SENTINEL_END.length);
    if (!BASE64.test(encoded)) return undefined;
    try {
      return UTF8.decode(Uint8Array.from(atob(encoded), (char) => char.charCodeAt(0)));
    } catch {
      return undefined;
    }
  }
  return HEADER_SAFE.test(value) ? value : undefined;
}

/** Header text against a body value: strings exactly, booleans as "true"/"false", numbers numerically (42.0 is 42). */
function sameValue(text: string, value: unknown): boolean {
  if (typeof value === 'string') return text === value;
  if (typeof value === 'boolean') return text === String(value);
  if (typeof value === 'number')
    return /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text) && Number(text) === value;
  return false;
}

function valueAt(args: unknown, path: readonly string[]): unknown {
  let node = args;
  for (const key of path) {
    if (!isObject(node)) return undefined;
    node = node[key];
  }
  return node;
}

function trimOws(value: string): string {
  return value.replace(/^[\t ]+|[\t ]+$/g, '');
}

function mismatch(detail: string): McpError {
  return new McpError(ErrorCode.HeaderMismatch, `Header mismatch: ${detail}`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
