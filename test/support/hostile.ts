/**
 * The machinery of the hostile-input table (`test/http-hostile.test.ts`): what a row may ask to
 * exist before its request (`Given`: a session of some version, someone else's session, a legacy
 * stream), how its request goes out on either binding (bytes, streamed bodies, and a `Host` header
 * on Node, which the global fetch will not send), and how its answer is read and checked: the
 * status, then the Wharf code (`error.data.code`) of a refusal or the JSON-RPC codes of an answer.
 */
import { expect } from 'vitest';
import { HttpRefusal } from '../../src/http/refusals.js';
import type { Binding, Served } from './bindings.js';
import { initialize, type JsonRpcAnswer, rawRequest } from './requests.js';
import { sseReader } from './sse.js';

/** The principal the test app's middleware reads from `Authorization: Bearer <name>`. */
export const bearer = (name: string) => ({ authorization: `Bearer ${name}` });

/** What exists before a row's request: sessions are made fresh for each row. */
export type Given =
  | 'session'
  | 'session 2025-06-18'
  | 'session 2025-03-26'
  | "alice's session"
  | 'ended session'
  | 'legacy session'
  | "alice's legacy session";

/** What `Given` made, for the row's request to name. */
export interface Ready {
  /** The Streamable HTTP session's id. */
  sessionId?: string;
  /** The legacy session's POST path (`/messages?sessionId=…`) and its id. */
  messages?: string;
  legacyId?: string;
  /** Ends what the row opened (a legacy SSE stream). */
  release?: () => Promise<void>;
}

export interface Sent {
  method?: string;
  /** Default `/mcp`. */
  path?: string;
  headers?: Record<string, string>;
  /** Text, bytes, or a stream made when sent (a body with no Content-Length). */
  body?: string | Uint8Array | (() => ReadableStream<Uint8Array>);
}

/** What a row expects: the status, and the Wharf code, a JSON-RPC error code or 'result'. */
export interface Expected {
  status: number;
  code?: string | number | 'result';
}

export interface Answer {
  status: number;
  type: string;
  text: string;
}

const VERSIONS: Partial<Record<Given, string>> = {
  session: '2025-11-25',
  'session 2025-06-18': '2025-06-18',
  'session 2025-03-26': '2025-03-26',
  "alice's session": '2025-11-25',
  'ended session': '2025-11-25',
};

export async function prepare(served: Served, given: Given | undefined): Promise<Ready> {
  if (given === undefined) return {};
  if (given === 'legacy session' || given === "alice's legacy session") {
    return openLegacy(served, given === "alice's legacy session" ? bearer('alice') : {});
  }
  const headers = given === "alice's session" ? bearer('alice') : {};
  const { sessionId } = await initialize(served.request, { protocolVersion: VERSIONS[given], headers });
  if (!sessionId) throw new Error(`No session for "${given}"`);
  if (given === 'ended session') {
    const ended = await served.request('/mcp', {
      method: 'DELETE',
      headers: { 'mcp-session-id': sessionId },
    });
    expect(ended.status).toBe(200);
  }
  return { sessionId };
}

/** A legacy HTTP+SSE session, initialized (2024-11-05): the stream stays open until `release`. */
async function openLegacy(served: Served, headers: Record<string, string>): Promise<Ready> {
  const stream = sseReader(
    await served.request('/sse', { headers: { accept: 'text/event-stream', ...headers } }),
  );
  const endpoint = await stream.next('the endpoint event');
  const target = new URL(endpoint!.data, served.url('/sse'));
  const messages = target.pathname + target.search;
  const post = (message: unknown) =>
    served.request(messages, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(message),
    });
  const init = await post({
    jsonrpc: '2.0',
    id: 0,
    method: 'initialize',
    params: {
      protocolVersion: '2024-11-05',
      capabilities: {},
      clientInfo: { name: 'hostile', version: '1' },
    },
  });
  expect(init.status).toBe(202);
  await stream.next('the initialize answer');
  expect((await post({ jsonrpc: '2.0', method: 'notifications/initialized' })).status).toBe(202);
  return {
    messages,
    legacyId: target.searchParams.get('sessionId') ?? undefined,
    release: () => stream.cancel(),
  };
}

/**
 * Sends a row's request. On Node a `Host` header needs `node:http` (fetch sends its own); a GET
 * that opens an SSE stream is not read to its end, which never comes: its status is the answer.
 */
export async function send(served: Served, binding: Binding, sent: Sent): Promise<Answer> {
  const method = sent.method ?? 'POST';
  const path = sent.path ?? '/mcp';
  if (binding === 'node' && sent.headers?.host !== undefined) {
    if (typeof sent.body === 'function' || sent.body instanceof Uint8Array) {
      throw new Error('A row with a Host header sends a text body');
    }
    const raw = await rawRequest(served.url(path), { method, headers: sent.headers, body: sent.body });
    return { status: raw.status, type: String(raw.headers['content-type'] ?? ''), text: raw.body };
  }
  const streamed = typeof sent.body === 'function';
  const body = typeof sent.body === 'function' ? sent.body() : sent.body;
  const response = await served.request(path, {
    method,
    headers: sent.headers,
    body,
    ...(streamed ? { duplex: 'half' } : {}),
  });
  const type = response.headers.get('content-type') ?? '';
  if (method === 'GET' && type.startsWith('text/event-stream')) {
    await response.body?.cancel();
    return { status: response.status, type, text: '' };
  }
  return { status: response.status, type, text: await response.text() };
}

/** The JSON-RPC code each Wharf refusal code is sent with. */
const RPC_CODE_OF = new Map<string, number>(
  Object.values(HttpRefusal).map((entry) => [entry.code, entry.rpcCode]),
);

/**
 * Checks an answer against a row: the status first; a refusal (4xx) is a JSON body with a JSON-RPC
 * error whose `data.code` is the Wharf code (and whose `code` is that refusal's JSON-RPC code), or
 * with just the JSON-RPC `code`; a 200 carries JSON-RPC answers (JSON or SSE) among which is the
 * expected error code, or ends with a result.
 */
export function expectAnswer(answer: Answer, expected: Expected): void {
  expect(answer.status, answer.text).toBe(expected.status);
  const { code } = expected;
  if (expected.status >= 400) {
    expect(answer.type).toMatch(/^application\/json/);
    const parsed = JSON.parse(answer.text) as JsonRpcAnswer | JsonRpcAnswer[];
    // A batch the session refused whole comes back as the batch of its errors.
    const body = Array.isArray(parsed) && parsed.length === 1 ? parsed[0]! : (parsed as JsonRpcAnswer);
    expect(body.jsonrpc).toBe('2.0');
    expect(body.result).toBeUndefined();
    if (typeof code === 'string') {
      expect(body.error?.data).toEqual({ code });
      expect(body.error?.code).toBe(RPC_CODE_OF.get(code));
    } else if (code !== undefined) expect(body.error?.code).toBe(code);
    return;
  }
  if (code === undefined) return;
  const answers = answersIn(answer);
  if (code === 'result') expect(answers.at(-1), answer.text).toHaveProperty('result');
  else expect(answers.map((one) => one.error?.code)).toContain(code);
}

/** The JSON-RPC responses in a 200 answer: a JSON body (one or a batch), or the SSE events' data. */
function answersIn(answer: Answer): JsonRpcAnswer[] {
  const values = answer.type.startsWith('application/json')
    ? [JSON.parse(answer.text) as unknown]
    : answer.text
        .split('\n')
        .filter((line) => line.startsWith('data: ') && line.length > 6)
        .map((line) => JSON.parse(line.slice(6)) as unknown);
  return values
    .flat()
    .filter((value): value is JsonRpcAnswer => typeof value === 'object' && value !== null)
    .filter((value) => 'result' in value || 'error' in value);
}
