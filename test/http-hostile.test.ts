/**
 * Hostile input, as a table (issue 12): every request below is wrong on purpose, and its row says
 * what the app answers — the exact HTTP status and the code a client can act on: the Wharf code in
 * `error.data.code` of a refusal, or the JSON-RPC `error.code` of an answer. Each row runs on both
 * bindings (in-process fetch, a real Node socket), over Streamable HTTP, stateless HTTP and the
 * legacy HTTP+SSE pair. The rule the rows follow (Streamable HTTP, "Sending Messages to the
 * Server"): input the server cannot accept gets an HTTP error whose body is the JSON-RPC error; a
 * valid JSON-RPC message that MCP validation rejects (unknown method, bad params) is answered by
 * the session as usual, 200 with the JSON-RPC error. Each code's plain case is in
 * http-errors.test.ts; this table is what fuzzers, scanners and careless clients send.
 *
 * Reading a row: `given` is what exists first (a fresh session of a version, alice's session, an
 * ended one, a legacy stream), `send` the request, `status` and `code` the answer.
 */
import { spawn } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HttpAppOptions, McpServer, MemoryEventStore, type Middleware } from 'wharf-mcp';
import { StdioTransport } from 'wharf-mcp/stdio';
import { z } from 'zod';
import {
  type Binding,
  bindings,
  initialize,
  mcpHeaders,
  type Served,
  serve,
  withTimeout,
} from './support/bindings.js';
import {
  bearer,
  type Expected,
  expectAnswer,
  type Given,
  prepare,
  type Ready,
  type Sent,
  send,
} from './support/hostile.js';

const INVALID_REQUEST = -32600;
const METHOD_NOT_FOUND = -32601;
const INVALID_PARAMS = -32602;
const INTERNAL_ERROR = -32603;

interface Row extends Expected {
  /** What the client does wrong: the test's name. */
  name: string;
  given?: Given;
  /** App options for this row (it gets an app of its own). */
  options?: HttpAppOptions;
  /** The one binding the row means (say, a Host header on a loopback socket). */
  only?: Binding;
  send: (ready: Ready) => Sent;
}

// ---- Requests, built the way the rows read ----

const json = (value: unknown) => JSON.stringify(value);
/** A POST to `/mcp`, on the row's session when it has one; `extra` headers win. */
const mcp =
  (body: Sent['body'], extra: Record<string, string> = {}) =>
  (ready: Ready): Sent => ({ body, headers: mcpHeaders(ready.sessionId, extra) });
/** A POST to the legacy messages endpoint of the row's legacy session. */
const legacy =
  (body: Sent['body'], extra: Record<string, string> = {}) =>
  (ready: Ready): Sent => ({
    path: ready.messages,
    body,
    headers: { 'content-type': 'application/json', ...extra },
  });
/** A GET on `/mcp` (the session's stream), on the row's session when it has one. */
const getStream =
  (extra: Record<string, string> = {}) =>
  (ready: Ready): Sent => ({
    method: 'GET',
    headers: {
      accept: 'text/event-stream',
      ...(ready.sessionId ? { 'mcp-session-id': ready.sessionId } : {}),
      ...extra,
    },
  });
const bare =
  (method: string, path: string, headers: Record<string, string> = {}) =>
  (): Sent => ({
    method,
    path,
    headers,
  });

/** Text with raw bytes spliced in: how a body that is not UTF-8 is written. */
function bytes(...parts: (string | number[])[]): Uint8Array {
  const chunks = parts.map((part) =>
    typeof part === 'string' ? new TextEncoder().encode(part) : Uint8Array.from(part),
  );
  const all = new Uint8Array(chunks.reduce((size, chunk) => size + chunk.byteLength, 0));
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return all;
}

/** UTF-16LE with its byte-order mark: JSON in an encoding JSON does not allow. */
function utf16(text: string): Uint8Array {
  return bytes(
    [0xff, 0xfe],
    [...text].flatMap((char) => [char.charCodeAt(0), 0]),
  );
}

/** A body sent `size` bytes per chunk, with no Content-Length. */
const streamed = (text: string, size: number) => () => {
  const all = new TextEncoder().encode(text);
  let offset = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= all.length) {
        controller.close();
        return;
      }
      controller.enqueue(all.slice(offset, offset + size));
      offset += size;
    },
  });
};

const ping = { jsonrpc: '2.0', id: 1, method: 'ping' };
const listTools = { jsonrpc: '2.0', id: 2, method: 'tools/list' };
const initializeAgain = {
  jsonrpc: '2.0',
  id: 9,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'again', version: '1' } },
};
/** A batch of `n` copies of `message`, numbered. */
const batch = (n: number, message: Record<string, unknown> = listTools) =>
  json(Array.from({ length: n }, (_, i) => ({ ...message, id: i + 1 })));

const DEPTH = 100_000;
const nestedArrays = `${'['.repeat(DEPTH)}${']'.repeat(DEPTH)}`;
const nestedObjects = (key: string) => `${`{"${key}":`.repeat(DEPTH)}{}${'}'.repeat(DEPTH)}`;
const withRaw = (message: Record<string, unknown>, key: string, raw: string) =>
  `${json(message).slice(0, -1)},"${key}":${raw}}`;
const call = (name: string, args: string) =>
  `{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"${name}","arguments":${args}}}`;

// ---- The table ----

// One row per line, so the table reads as a table (the formatter would give each row seven lines).
// biome-ignore format: a table
const rows: Row[] = [
  // Not JSON, or not UTF-8: 400, -32700.
  { name: 'a truncated request', given: 'session', send: mcp('{"jsonrpc":"2.0","id":1,"method":'), status: 400, code: 'WHARF_INVALID_JSON' },
  { name: 'an empty body', given: 'session', send: mcp(''), status: 400, code: 'WHARF_INVALID_JSON' },
  { name: 'whitespace only', given: 'session', send: mcp(' \r\n\t '), status: 400, code: 'WHARF_INVALID_JSON' },
  { name: 'garbage after the message', given: 'session', send: mcp(`${json(ping)}xyz`), status: 400, code: 'WHARF_INVALID_JSON' },
  { name: 'two messages back to back, not in an array', given: 'session', send: mcp(json(ping) + json(listTools)), status: 400, code: 'WHARF_INVALID_JSON' },
  { name: 'a JavaScript object literal', given: 'session', send: mcp("{jsonrpc:'2.0',id:1,method:'ping'}"), status: 400, code: 'WHARF_INVALID_JSON' },
  { name: 'NaN as the id', given: 'session', send: mcp('{"jsonrpc":"2.0","id":NaN,"method":"ping"}'), status: 400, code: 'WHARF_INVALID_JSON' },
  { name: 'a comment inside the JSON', given: 'session', send: mcp('{"jsonrpc":"2.0",/* hi */"id":1,"method":"ping"}'), status: 400, code: 'WHARF_INVALID_JSON' },
  { name: 'a 0xFF byte, never UTF-8, in a string', given: 'session', send: mcp(bytes('{"jsonrpc":"2.0","id":"', [0xff], '","method":"ping"}')), status: 400, code: 'WHARF_INVALID_JSON' },
  { name: 'a lone surrogate encoded as UTF-8 bytes (CESU-8)', given: 'session', send: mcp(bytes('{"jsonrpc":"2.0","id":"', [0xed, 0xa0, 0x80], '","method":"ping"}')), status: 400, code: 'WHARF_INVALID_JSON' },
  { name: 'an overlong encoding of "/" (C0 AF)', given: 'session', send: mcp(bytes('{"jsonrpc":"2.0","id":"', [0xc0, 0xaf], '","method":"ping"}')), status: 400, code: 'WHARF_INVALID_JSON' },
  { name: 'a multi-byte character cut short', given: 'session', send: mcp(bytes('{"jsonrpc":"2.0","id":"', [0xc3], '","method":"ping"}')), status: 400, code: 'WHARF_INVALID_JSON' },
  { name: 'UTF-16 with a byte-order mark', given: 'session', send: mcp(utf16(json(ping))), status: 400, code: 'WHARF_INVALID_JSON' },
  { name: 'an escaped lone surrogate ("\\ud800") is JSON: answered', given: 'session', send: mcp('{"jsonrpc":"2.0","id":"\\ud800","method":"ping"}'), status: 200, code: 'result' },

  // JSON, but not a JSON-RPC message: 400, -32600 (never a 200 with the error inside).
  { name: '{"hello":"world"}', given: 'session', send: mcp(json({ hello: 'world' })), status: 400, code: 'WHARF_INVALID_MESSAGE' },
  { name: 'no "jsonrpc" member', given: 'session', send: mcp(json({ id: 1, method: 'ping' })), status: 400, code: 'WHARF_INVALID_MESSAGE' },
  { name: '"jsonrpc": "1.0"', given: 'session', send: mcp(json({ ...ping, jsonrpc: '1.0' })), status: 400, code: 'WHARF_INVALID_MESSAGE' },
  { name: '"jsonrpc": 2.0, a number', given: 'session', send: mcp('{"jsonrpc":2.0,"id":1,"method":"ping"}'), status: 400, code: 'WHARF_INVALID_MESSAGE' },
  { name: 'a numeric "method"', given: 'session', send: mcp(json({ ...ping, method: 42 })), status: 400, code: 'WHARF_INVALID_MESSAGE' },
  { name: 'an empty "method"', given: 'session', send: mcp(json({ ...ping, method: '' })), status: 400, code: 'WHARF_INVALID_MESSAGE' },
  { name: 'an object as request id', given: 'session', send: mcp(json({ ...ping, id: { a: 1 } })), status: 400, code: 'WHARF_INVALID_MESSAGE' },
  { name: 'an array as request id', given: 'session', send: mcp(json({ ...ping, id: [1] })), status: 400, code: 'WHARF_INVALID_MESSAGE' },
  { name: 'a boolean as request id', given: 'session', send: mcp(json({ ...ping, id: true })), status: 400, code: 'WHARF_INVALID_MESSAGE' },
  { name: 'null as request id (MCP forbids it)', given: 'session', send: mcp(json({ ...ping, id: null })), status: 400, code: 'WHARF_INVALID_MESSAGE' },
  { name: 'an id of 1e400, which parses as Infinity', given: 'session', send: mcp('{"jsonrpc":"2.0","id":1e400,"method":"ping"}'), status: 400, code: 'WHARF_INVALID_MESSAGE' },
  { name: 'a JSON string', given: 'session', send: mcp('"ping"'), status: 400, code: 'WHARF_INVALID_MESSAGE' },
  { name: 'a JSON number', given: 'session', send: mcp('42'), status: 400, code: 'WHARF_INVALID_MESSAGE' },
  { name: 'JSON null', given: 'session', send: mcp('null'), status: 400, code: 'WHARF_INVALID_MESSAGE' },
  { name: 'JSON true', given: 'session', send: mcp('true'), status: 400, code: 'WHARF_INVALID_MESSAGE' },
  { name: 'a response with both "result" and "error"', given: 'session', send: mcp(json({ jsonrpc: '2.0', id: 1, result: {}, error: { code: 1, message: 'x' } })), status: 400, code: 'WHARF_INVALID_MESSAGE' },
  { name: 'a result with no id', given: 'session', send: mcp(json({ jsonrpc: '2.0', result: {} })), status: 400, code: 'WHARF_INVALID_MESSAGE' },
  { name: 'an "error" that is a string', given: 'session', send: mcp(json({ jsonrpc: '2.0', id: 1, error: 'bad' })), status: 400, code: 'WHARF_INVALID_MESSAGE' },
  { name: 'no "method", "result" or "error"', given: 'session', send: mcp(json({ jsonrpc: '2.0', id: 1 })), status: 400, code: 'WHARF_INVALID_MESSAGE' },
  { name: 'an empty batch', given: 'session 2025-03-26', send: mcp('[]'), status: 400, code: 'WHARF_INVALID_MESSAGE' },

  // Batches: only 2025-03-26 has them, at most maxBatchLength (100) long, refused before anything runs.
  { name: 'a batch on a 2025-11-25 session', given: 'session', send: mcp(batch(2)), status: 400, code: 'WHARF_INVALID_MESSAGE' },
  { name: 'a batch on a 2025-06-18 session', given: 'session 2025-06-18', send: mcp(batch(2)), status: 400, code: 'WHARF_INVALID_MESSAGE' },
  { name: 'a batch of 101 on a 2025-03-26 session', given: 'session 2025-03-26', send: mcp(batch(101)), status: 400, code: 'WHARF_BATCH_TOO_LARGE' },
  { name: "the issue's batch: 30,000 tools/list (1.4 MB)", given: 'session 2025-03-26', send: mcp(batch(30_000)), status: 400, code: 'WHARF_BATCH_TOO_LARGE' },
  { name: 'a batch of 3 with maxBatchLength: 2', options: { maxBatchLength: 2 }, given: 'session 2025-03-26', send: mcp(batch(3)), status: 400, code: 'WHARF_BATCH_TOO_LARGE' },
  { name: 'a batch of 100 on a 2025-03-26 session: answered', given: 'session 2025-03-26', send: mcp(batch(100)), status: 200, code: 'result' },
  { name: 'a batch with one invalid member: that member gets the error', given: 'session 2025-03-26', send: mcp(json([ping, { jsonrpc: '2.0', id: 2, method: 7 }])), status: 200, code: INVALID_REQUEST },
  { name: 'initialize inside a batch', given: 'session 2025-03-26', send: mcp(json([{ ...initializeAgain, params: { ...initializeAgain.params, protocolVersion: '2025-03-26' } }])), status: 200, code: INVALID_REQUEST },

  // Valid JSON-RPC that MCP rejects: the session answers, 200 with the JSON-RPC error.
  { name: 'an unknown method', given: 'session', send: mcp(json({ ...ping, method: 'tools/destroy' })), status: 200, code: METHOD_NOT_FOUND },
  { name: 'a 10,000-character method name', given: 'session', send: mcp(json({ ...ping, method: 'x'.repeat(10_000) })), status: 200, code: METHOD_NOT_FOUND },
  { name: 'params as an array (MCP wants an object)', given: 'session', send: mcp(json({ ...listTools, params: [1, 2] })), status: 200, code: INVALID_REQUEST },
  { name: 'a call to a tool that does not exist', given: 'session', send: mcp(call('nope', '{}')), status: 200, code: INVALID_PARAMS },
  { name: 'a notification nobody knows: accepted', given: 'session', send: mcp(json({ jsonrpc: '2.0', method: 'notifications/whatever' })), status: 202 },
  { name: 'a response to a request the server never sent: accepted', given: 'session', send: mcp(json({ jsonrpc: '2.0', id: 'never-asked', result: {} })), status: 202 },

  // initialize, misused.
  { name: 'initialize again on a live session', given: 'session', send: mcp(json(initializeAgain)), status: 400, code: 'WHARF_SESSION_ALREADY_INITIALIZED' },
  { name: 'initialize naming an unknown session', send: mcp(json(initializeAgain), { 'mcp-session-id': 'no-such-session' }), status: 404, code: 'WHARF_SESSION_NOT_FOUND' },
  { name: 'initialize naming an ended session', given: 'ended session', send: mcp(json(initializeAgain)), status: 404, code: 'WHARF_SESSION_NOT_FOUND' },
  { name: "initialize naming someone else's session", given: "alice's session", send: mcp(json(initializeAgain), bearer('bob')), status: 404, code: 'WHARF_SESSION_NOT_FOUND' },

  // Content types and Accept.
  { name: 'a form post, which a browser sends without a preflight', given: 'session', send: mcp('a=1', { 'content-type': 'application/x-www-form-urlencoded' }), status: 415, code: 'WHARF_UNSUPPORTED_MEDIA_TYPE' },
  { name: 'multipart/form-data', given: 'session', send: mcp(json(ping), { 'content-type': 'multipart/form-data; boundary=x' }), status: 415, code: 'WHARF_UNSUPPORTED_MEDIA_TYPE' },
  { name: 'no Content-Type at all', given: 'session', send: (ready) => ({ body: new TextEncoder().encode(json(ping)), headers: { accept: 'application/json, text/event-stream', 'mcp-session-id': ready.sessionId! } }), status: 415, code: 'WHARF_UNSUPPORTED_MEDIA_TYPE' },
  { name: 'Accept that rules out both JSON and SSE with q=0', given: 'session', send: mcp(json(ping), { accept: 'application/json;q=0, text/event-stream;q=0' }), status: 406, code: 'WHARF_NOT_ACCEPTABLE' },
  { name: 'a GET stream asked for as text/html', given: 'session', send: getStream({ accept: 'text/html' }), status: 406, code: 'WHARF_NOT_ACCEPTABLE' },

  // Sessions: unknown, ended, foreign (another principal's), or absent.
  { name: 'an empty Mcp-Session-Id', send: mcp(json(listTools), { 'mcp-session-id': '' }), status: 404, code: 'WHARF_SESSION_NOT_FOUND' },
  { name: 'an 8 KB Mcp-Session-Id', send: mcp(json(listTools), { 'mcp-session-id': 'x'.repeat(8192) }), status: 404, code: 'WHARF_SESSION_NOT_FOUND' },
  { name: 'an ended session (after DELETE)', given: 'ended session', send: mcp(json(listTools)), status: 404, code: 'WHARF_SESSION_NOT_FOUND' },
  { name: "someone else's session", given: "alice's session", send: mcp(json(listTools), bearer('bob')), status: 404, code: 'WHARF_SESSION_NOT_FOUND' },
  { name: "someone else's session, anonymously", given: "alice's session", send: mcp(json(listTools)), status: 404, code: 'WHARF_SESSION_NOT_FOUND' },
  { name: "a GET stream on someone else's session", given: "alice's session", send: getStream(bearer('bob')), status: 404, code: 'WHARF_SESSION_NOT_FOUND' },
  { name: "a DELETE of someone else's session", given: "alice's session", send: (ready) => ({ method: 'DELETE', headers: { 'mcp-session-id': ready.sessionId!, ...bearer('bob') } }), status: 404, code: 'WHARF_SESSION_NOT_FOUND' },
  { name: 'a legacy session id on the Streamable HTTP endpoint', given: 'legacy session', send: (ready) => mcp(json(listTools), { 'mcp-session-id': ready.legacyId! })({}), status: 404, code: 'WHARF_SESSION_NOT_FOUND' },
  { name: 'a DELETE without Mcp-Session-Id', send: bare('DELETE', '/mcp'), status: 400, code: 'WHARF_SESSION_ID_MISSING' },
  { name: 'a GET stream without Mcp-Session-Id', send: getStream(), status: 400, code: 'WHARF_SESSION_ID_MISSING' },
  { name: 'an MCP-Protocol-Version from the future, on a GET', given: 'session', send: getStream({ 'mcp-protocol-version': '2099-01-01' }), status: 400, code: 'WHARF_UNSUPPORTED_PROTOCOL_VERSION' },

  // Host and Origin (DNS rebinding, opaque origins).
  { name: 'Origin: null (a sandboxed iframe, a file: page)', send: mcp(json(initializeAgain), { origin: 'null' }), status: 403, code: 'WHARF_ORIGIN_NOT_ALLOWED' },
  { name: "Origin: null when allowedOrigins lists 'null'", options: { allowedOrigins: ['null'] }, send: mcp(json(initializeAgain), { origin: 'null' }), status: 200, code: 'result' },
  { name: 'Origin: null on the legacy SSE endpoint', send: bare('GET', '/sse', { accept: 'text/event-stream', origin: 'null' }), status: 403, code: 'WHARF_ORIGIN_NOT_ALLOWED' },
  { name: 'an Origin that only begins like an allowed one', options: { allowedOrigins: ['https://app.example.com'] }, send: mcp(json(initializeAgain), { origin: 'https://app.example.com.evil.io' }), status: 403, code: 'WHARF_ORIGIN_NOT_ALLOWED' },
  { name: 'a Host not in allowedHosts, with a port', options: { allowedHosts: ['mcp.example.com'] }, send: mcp(json(initializeAgain), { host: 'evil.example.com:443' }), status: 403, code: 'WHARF_HOST_NOT_ALLOWED' },
  { name: 'a rebound Host on a loopback connection', only: 'node', send: mcp(json(initializeAgain), { host: 'attacker.example' }), status: 403, code: 'WHARF_HOST_NOT_ALLOWED' },

  // Oversized and slow bodies.
  { name: 'a legacy POST over maxBodyBytes', options: { maxBodyBytes: 1024 }, given: 'legacy session', send: legacy(json({ ...ping, params: { pad: 'x'.repeat(2000) } })), status: 413, code: 'WHARF_BODY_TOO_LARGE' },
  { name: 'a stateless POST streamed past maxBodyBytes (no Content-Length)', options: { stateless: true, maxBodyBytes: 1024 }, send: mcp(streamed(json({ ...ping, params: { pad: 'x'.repeat(8000) } }), 1000)), status: 413, code: 'WHARF_BODY_TOO_LARGE' },
  { name: 'a body trickling in one byte per chunk: answered', given: 'session', send: mcp(streamed(json(ping), 1)), status: 200, code: 'result' },

  // Deep nesting and huge numbers: nothing recurses on them, nothing crashes.
  { name: '100,000 nested arrays as the body (a batch, refused on 2025-11-25)', given: 'session', send: mcp(nestedArrays), status: 400, code: 'WHARF_INVALID_MESSAGE' },
  { name: '100,000 nested arrays as the body on 2025-03-26 (a batch of one non-message, nothing to answer)', given: 'session 2025-03-26', send: mcp(nestedArrays), status: 400, code: INVALID_REQUEST },
  { name: '100,000 nested objects in params', given: 'session', send: mcp(withRaw(listTools, 'params', nestedObjects('a'))), status: 200, code: 'result' },
  { name: '100,000 nested arrays in tool arguments (a Zod schema)', given: 'session', send: mcp(call('echo', `{"text":"hi","extra":${nestedArrays}}`)), status: 200, code: 'result' },
  { name: '100,000 nested objects against a recursive JSON Schema (its validator overflows: an internal error, no crash)', given: 'session', send: mcp(call('tree', `{"node":${nestedObjects('child')}}`)), status: 200, code: INTERNAL_ERROR },
  { name: 'a progress token of 1e400 (Infinity)', given: 'session', send: mcp('{"jsonrpc":"2.0","id":4,"method":"ping","params":{"_meta":{"progressToken":1e400}}}'), status: 200, code: 'result' },
  { name: 'an integer id past 2^53', given: 'session', send: mcp('{"jsonrpc":"2.0","id":123456789012345678901234567890,"method":"ping"}'), status: 200, code: 'result' },

  // Last-Event-ID (the shared app keeps events in a MemoryEventStore).
  { name: 'a Last-Event-ID of garbage', given: 'session', send: getStream({ 'last-event-id': 'zzz' }), status: 404, code: 'WHARF_EVENT_ID_NOT_IN_SESSION' },
  { name: 'a Last-Event-ID shaped like a path', given: 'session', send: getStream({ 'last-event-id': '../../etc/passwd' }), status: 404, code: 'WHARF_EVENT_ID_NOT_IN_SESSION' },
  { name: "a Last-Event-ID on someone else's session", given: "alice's session", send: (ready) => getStream({ 'last-event-id': `${ready.sessionId}.1.0`, ...bearer('bob') })(ready), status: 404, code: 'WHARF_SESSION_NOT_FOUND' },
  { name: 'a Last-Event-ID of this session naming no stream: an empty replay', given: 'session', send: (ready) => getStream({ 'last-event-id': `${ready.sessionId}.999.0` })(ready), status: 200 },
  { name: 'a Last-Event-ID with no event store: ignored, the stream opens', options: { eventStore: undefined }, given: 'session', send: getStream({ 'last-event-id': 'zzz' }), status: 200 },

  // Legacy HTTP+SSE, misused.
  { name: 'POST /messages?sessionId= (empty)', send: bare('POST', '/messages?sessionId=', { 'content-type': 'application/json' }), status: 400, code: 'WHARF_SESSION_ID_MISSING' },
  { name: 'POST /messages with a Streamable HTTP session id', given: 'session', send: (ready) => ({ path: `/messages?sessionId=${ready.sessionId}`, body: json(ping), headers: { 'content-type': 'application/json' } }), status: 404, code: 'WHARF_SESSION_NOT_FOUND' },
  { name: 'GET /messages', send: bare('GET', '/messages'), status: 405, code: 'WHARF_METHOD_NOT_ALLOWED' },
  { name: 'DELETE /sse', send: bare('DELETE', '/sse'), status: 405, code: 'WHARF_METHOD_NOT_ALLOWED' },
  { name: '{"hello":"world"} on a legacy session', given: 'legacy session', send: legacy(json({ hello: 'world' })), status: 400, code: 'WHARF_INVALID_MESSAGE' },
  { name: 'null as request id on a legacy session', given: 'legacy session', send: legacy(json({ ...ping, id: null })), status: 400, code: 'WHARF_INVALID_MESSAGE' },
  { name: 'not JSON on a legacy session', given: 'legacy session', send: legacy('{"jsonrpc":'), status: 400, code: 'WHARF_INVALID_JSON' },
  { name: 'bytes that are not UTF-8 on a legacy session', given: 'legacy session', send: legacy(bytes('{"jsonrpc":"2.0","id":"', [0xfe], '","method":"ping"}')), status: 400, code: 'WHARF_INVALID_JSON' },
  { name: 'text/plain on a legacy session', given: 'legacy session', send: legacy(json(ping), { 'content-type': 'text/plain' }), status: 415, code: 'WHARF_UNSUPPORTED_MEDIA_TYPE' },
  { name: 'initialize again on a legacy session', given: 'legacy session', send: legacy(json(initializeAgain)), status: 400, code: 'WHARF_SESSION_ALREADY_INITIALIZED' },
  { name: 'a batch on a 2024-11-05 legacy session', given: 'legacy session', send: legacy(batch(2, ping)), status: 400, code: 'WHARF_INVALID_MESSAGE' },
  { name: 'a batch of 101 on a legacy session', given: 'legacy session', send: legacy(batch(101, ping)), status: 400, code: 'WHARF_BATCH_TOO_LARGE' },
  { name: "someone else's legacy session", given: "alice's legacy session", send: legacy(json(ping), bearer('bob')), status: 404, code: 'WHARF_SESSION_NOT_FOUND' },
  { name: 'an unknown method on a legacy session: accepted, answered on the stream', given: 'legacy session', send: legacy(json({ ...ping, method: 'nope' })), status: 202 },

  // Stateless HTTP: the same checks without a session.
  { name: 'stateless: {"hello":"world"}', options: { stateless: true }, send: mcp(json({ hello: 'world' })), status: 400, code: 'WHARF_INVALID_MESSAGE' },
  { name: 'stateless: null as request id', options: { stateless: true }, send: mcp(json({ ...ping, id: null })), status: 400, code: 'WHARF_INVALID_MESSAGE' },
  { name: 'stateless: bytes that are not UTF-8', options: { stateless: true }, send: mcp(bytes('{"jsonrpc":"2.0","id":1,"method":"', [0x80], '"}')), status: 400, code: 'WHARF_INVALID_JSON' },
  { name: 'stateless: a batch in 2025-11-25', options: { stateless: true }, send: mcp(batch(2), { 'mcp-protocol-version': '2025-11-25' }), status: 400, code: 'WHARF_INVALID_MESSAGE' },
  { name: 'stateless: a batch of 101 (no version header: 2025-03-26)', options: { stateless: true }, send: mcp(batch(101)), status: 400, code: 'WHARF_BATCH_TOO_LARGE' },
  { name: 'stateless: a batch of 2 (no version header: 2025-03-26): answered', options: { stateless: true }, send: mcp(batch(2)), status: 200, code: 'result' },

  // Paths and methods.
  { name: 'an encoded path that looks like traversal', send: bare('POST', '/mcp%2F..%2Fhealth', mcpHeaders()), status: 404, code: 'WHARF_NOT_FOUND' },
  { name: 'PATCH on the MCP endpoint', send: bare('PATCH', '/mcp', mcpHeaders()), status: 405, code: 'WHARF_METHOD_NOT_ALLOWED' },
];

// ---- The app every row without options shares ----

/** `Authorization: Bearer <name>` makes the request `<name>`'s, so sessions have owners. */
const bearerAuth: Middleware = async (request, next) => {
  const name = /^Bearer (\w+)$/.exec(request.header('authorization') ?? '')?.[1];
  if (name) request.auth = { sub: name };
  await next();
};

function newServer(): McpServer {
  const server = new McpServer({ name: 'hostile-test', version: '1.0.0' });
  server.tool(
    'echo',
    { description: 'Echo', inputSchema: z.object({ text: z.string() }) },
    ({ text }) => text,
  );
  server.tool(
    'tree',
    {
      description: 'Takes a tree of any depth',
      inputSchema: {
        type: 'object',
        properties: { node: { $ref: '#/$defs/node' } },
        $defs: { node: { type: 'object', properties: { child: { $ref: '#/$defs/node' } } } },
      },
    },
    () => 'a tree',
  );
  return server;
}

const appOptions = (options: HttpAppOptions = {}): HttpAppOptions => ({
  middleware: [bearerAuth],
  eventStore: new MemoryEventStore(),
  ...options,
});

describe.each(bindings)('hostile input, %s binding', (binding: Binding) => {
  let shared: Served;
  beforeAll(async () => {
    shared = await serve(newServer().httpApp(appOptions()), binding);
  });
  afterAll(() => shared.close());

  const mine = rows.filter((row) => row.only === undefined || row.only === binding);
  it.each(mine.map((row) => [`${row.name} → ${row.status} ${row.code ?? ''}`.trim(), row] as const))(
    '%s',
    async (_title, row) => {
      const served = row.options
        ? await serve(newServer().httpApp(appOptions(row.options)), binding)
        : shared;
      try {
        const ready = await prepare(served, row.given);
        try {
          expectAnswer(await send(served, binding, row.send(ready)), row);
        } finally {
          await ready.release?.();
        }
      } finally {
        if (served !== shared) await served.close();
      }
    },
  );

  it('runs nothing of a batch over maxBatchLength; a batch at the cap runs whole', async () => {
    let ran = 0;
    const server = newServer();
    server.tool('count', { description: 'Counts its calls' }, () => String(++ran));
    const served = await serve(server.httpApp({ maxBatchLength: 3 }), binding);
    try {
      const { sessionId } = await initialize(served.request, { protocolVersion: '2025-03-26' });
      const calls = (n: number) =>
        batch(n, { jsonrpc: '2.0', method: 'tools/call', params: { name: 'count' } });
      const over = await send(served, binding, mcp(calls(4))({ sessionId }));
      expectAnswer(over, { status: 400, code: 'WHARF_BATCH_TOO_LARGE' });
      expect(ran).toBe(0);
      const atCap = await send(served, binding, mcp(calls(3))({ sessionId }));
      expectAnswer(atCap, { status: 200, code: 'result' });
      expect(ran).toBe(3);
    } finally {
      await served.close();
    }
  });

  it('runs a batch over the server default when maxBatchLength allows it', async () => {
    let ran = 0;
    const server = newServer();
    server.tool('count', { description: 'Counts its calls' }, () => String(++ran));
    const served = await serve(server.httpApp({ maxBatchLength: 150 }), binding);
    try {
      const { sessionId } = await initialize(served.request, { protocolVersion: '2025-03-26' });
      const calls = batch(120, { jsonrpc: '2.0', method: 'tools/call', params: { name: 'count' } });
      expectAnswer(await send(served, binding, mcp(calls)({ sessionId })), { status: 200, code: 'result' });
      expect(ran).toBe(120);
    } finally {
      await served.close();
    }
  });

  it('keeps a session usable after every kind of bad input', async () => {
    const { sessionId } = await initialize(shared.request);
    for (const body of ['{', json({ hello: 'world' }), json(initializeAgain), batch(2)]) {
      const answer = await send(shared, binding, mcp(body)({ sessionId }));
      expect(answer.status).toBe(400);
    }
    expectAnswer(await send(shared, binding, mcp(json(listTools))({ sessionId })), {
      status: 200,
      code: 'result',
    });
  });
});

describe('a body over maxBodyBytes, from a client still sending it (node binding)', () => {
  // The client runs in its own process, as a real one does: in this process, the server's close and
  // the client's read take turns on one event loop, and the reset never wins. Before the server read
  // the rest of a refused body, about half of these POSTs failed with EPIPE instead of reading the 413.
  it('gets its 413: an 8 MB body on the default 4 MB cap, five times over', async () => {
    const served = await serve(newServer().httpApp(), 'node');
    try {
      const client = `
        const body = Buffer.alloc(8 * 1024 * 1024, 120);
        (async () => {
          const seen = [];
          for (let i = 0; i < 5; i++) {
            try {
              const response = await fetch(${JSON.stringify(served.url('/mcp'))}, {
                method: 'POST',
                headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
                body,
              });
              seen.push([response.status, (await response.json()).error.data.code]);
            } catch (error) {
              seen.push(['failed', String(error.cause?.code ?? error.cause ?? error)]);
            }
          }
          process.stdout.write(JSON.stringify(seen));
        })();`;
      const child = spawn(process.execPath, ['-e', client], { stdio: ['ignore', 'pipe', 'inherit'] });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      await withTimeout(
        new Promise((resolve) => child.on('exit', resolve)),
        'the client process to finish',
        30_000,
      );
      expect(JSON.parse(output)).toEqual(Array(5).fill([413, 'WHARF_BODY_TOO_LARGE']));
    } finally {
      await served.close();
    }
  }, 40_000);
});

describe('stdio is bounded too', () => {
  it('answers a batch over 100 messages with one Invalid Request error (no id), running none', async () => {
    let ran = 0;
    const server = newServer();
    server.tool('count', { description: 'Counts its calls' }, () => String(++ran));
    const input = new PassThrough();
    const output = new PassThrough();
    await server.connect(new StdioTransport({ input, output }));
    const lines: { id?: unknown; result?: unknown; error?: { code: number; message: string } }[] = [];
    output.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line));
    });
    const init = {
      ...initializeAgain,
      id: 0,
      params: { ...initializeAgain.params, protocolVersion: '2025-03-26' },
    };
    input.write(`${json(init)}\n${json({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n`);
    await expect.poll(() => lines.length).toBe(1);
    const countCalls = (n: number) =>
      batch(n, { jsonrpc: '2.0', method: 'tools/call', params: { name: 'count' } });
    input.write(`${countCalls(101)}\n`);
    await expect.poll(() => lines.length).toBe(2);
    expect(lines[1]).toEqual({
      jsonrpc: '2.0',
      error: { code: INVALID_REQUEST, message: expect.stringContaining('at most 100 messages') },
    });
    expect(ran).toBe(0);
    input.write(`${countCalls(100)}\n`);
    await expect.poll(() => lines.length).toBe(3);
    expect(lines[2]).toHaveLength(100);
    expect(ran).toBe(100);
    input.end();
  });
});
