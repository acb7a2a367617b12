/**
 * Building 2026-07-28 requests in tests: the `_meta` envelope every request carries, the request
 * itself, the headers a conformant client sends with it, and one POST over HTTP with its answer
 * read back (JSON or SSE) and every message checked against the 2026 schema (with `WHARF_SPEC_DIR`).
 */
import { expect } from 'vitest';
import type { Served } from './bindings.js';
import { mcpHeaders } from './requests.js';
import { messageOf, readSse } from './sse.js';
import { validateServerMessage } from './wire-validator.js';

export const V = '2026-07-28';

// biome-ignore lint/suspicious/noExplicitAny: JSON read back from the wire, checked by the schema and by the assertions
export type Message = Record<string, any>;

const RESERVED = new Set(['protocolVersion', 'clientInfo', 'clientCapabilities', 'logLevel']);

/**
 * A valid 2026-07-28 `_meta`, with `extra` laid over it: the reserved keys by their short name
 * (`logLevel`), others as they are (`progressToken`); `undefined` removes a key.
 */
export function meta(extra: Record<string, unknown> = {}): Record<string, unknown> {
  const base: Record<string, unknown> = {
    'io.modelcontextprotocol/protocolVersion': V,
    'io.modelcontextprotocol/clientInfo': { name: 'era-2026-test-client', version: '1.0.0' },
    'io.modelcontextprotocol/clientCapabilities': {},
  };
  for (const [name, value] of Object.entries(extra)) {
    const key = RESERVED.has(name) ? `io.modelcontextprotocol/${name}` : name;
    if (value === undefined) delete base[key];
    else base[key] = value;
  }
  return base;
}

/** A 2026-07-28 request: `params` with the `_meta` envelope (`extra` as in `meta()`). */
export function request(
  id: number | string,
  method: string,
  params: Record<string, unknown> = {},
  extra = {},
): Message {
  return { jsonrpc: '2.0', id, method, params: { ...params, _meta: meta(extra) } };
}

/** The headers a conformant 2026 client sends for `message`; `extra` adds, `undefined` removes. */
export function headersFor(
  message: Message,
  extra: Record<string, string | undefined> = {},
): Record<string, string> {
  const headers: Record<string, string | undefined> = {
    ...mcpHeaders(),
    'mcp-protocol-version': V,
    'mcp-method': message.method,
  };
  const name =
    message.params?.name ?? (message.method === 'resources/read' ? message.params?.uri : undefined);
  if (typeof name === 'string' && ['tools/call', 'prompts/get', 'resources/read'].includes(message.method)) {
    headers['mcp-name'] = name;
  }
  Object.assign(headers, extra);
  return Object.fromEntries(Object.entries(headers).filter(([, value]) => value !== undefined)) as Record<
    string,
    string
  >;
}

export interface Answer {
  status: number;
  headers: Headers;
  contentType: string;
  /** Every JSON-RPC message of the answer, in order (one for JSON; notifications first for SSE). */
  messages: Message[];
  /** The response among them. */
  response: Message;
}

/** POSTs one 2026 message and reads its answer; every message the server sends is schema-checked. */
export async function post(served: Served, message: unknown, extra: Record<string, string | undefined> = {}) {
  const response = await served.request('/mcp', {
    method: 'POST',
    headers: headersFor(message as Message, extra),
    body: JSON.stringify(message),
  });
  const contentType = response.headers.get('content-type') ?? '';
  let messages: Message[] = [];
  if (contentType.startsWith('text/event-stream')) {
    messages = (await readSse(response)).map(messageOf).filter((m) => m !== undefined) as Message[];
  } else if (contentType.startsWith('application/json')) {
    messages = [(await response.json()) as Message];
  } else {
    await response.arrayBuffer();
  }
  const method = (message as Message).method;
  for (const one of messages) {
    expect(validateServerMessage(V, one, 'id' in one ? method : undefined), JSON.stringify(one)).toEqual([]);
  }
  const answer: Answer = {
    status: response.status,
    headers: response.headers,
    contentType,
    messages,
    response: messages.findLast((m) => 'id' in m && !('method' in m)) ?? {},
  };
  return answer;
}
