/**
 * Every status code and header of the HTTP app, on both bindings (in-process fetch, real Node
 * socket): the Streamable HTTP endpoint, the legacy HTTP+SSE pair, health and unknown paths, and,
 * on the Node binding, the DNS-rebinding guard. Each refusal carries a JSON-RPC error body whose
 * message says what was wrong.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type HttpApp, type HttpAppOptions, McpServer } from 'wharf-mcp';
import { z } from 'zod';
import {
  type Binding,
  bindings,
  initialize,
  initializeRequest,
  mcpHeaders,
  mountInNodeHost,
  type NodeHost,
  rawRequest,
  readAnswer,
  readSse,
  rpc,
  type Served,
  serve,
  sseReader,
  toolText,
  until,
} from './support/bindings.js';

const ParseError = -32700;
const InvalidRequest = -32600;

function newServer(): McpServer {
  const server = new McpServer({ name: 'http-status-server', version: '1.0.0' });
  server.tool(
    'echo',
    { description: 'Echo the text', inputSchema: z.object({ text: z.string() }) },
    ({ text }) => text,
  );
  return server;
}

const callEcho = (id: number, text = 'hi') => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name: 'echo', arguments: { text } },
});

/** Asserts a refusal: the status, a JSON body with a JSON-RPC error (no result), and its message. */
async function expectRefusal(
  response: Response,
  status: number,
  message: RegExp,
  code?: number,
): Promise<{ code: number; message: string }> {
  const text = await response.text();
  expect(response.status, text).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  const body = JSON.parse(text) as {
    jsonrpc: string;
    error: { code: number; message: string };
    result?: unknown;
  };
  expect(body.jsonrpc).toBe('2.0');
  expect(body.result).toBeUndefined();
  expect(body.error.message).toMatch(message);
  if (code !== undefined) expect(body.error.code).toBe(code);
  return body.error;
}

/** The same checks on a raw `node:http` response. */
function expectRawRefusal(response: { status: number; body: string }, status: number, message: RegExp) {
  expect(response.status, response.body).toBe(status);
  const body = JSON.parse(response.body) as { jsonrpc: string; error: { message: string } };
  expect(body.jsonrpc).toBe('2.0');
  expect(body.error.message).toMatch(message);
}

/** A body of `size` bytes in `chunk`-byte pieces, with no Content-Length (chunked on the wire). */
function streamedBody(size: number, chunk = 256): ReadableStream<Uint8Array> {
  const text = JSON.stringify({ ...callEcho(1, 'x'.repeat(size)) });
  const bytes = new TextEncoder().encode(text);
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) {
        controller.close();
        return;
      }
      controller.enqueue(bytes.slice(offset, offset + chunk));
      offset += chunk;
    },
  });
}

describe.each(bindings)('%s binding', (binding: Binding) => {
  const opened: Served[] = [];

  async function start(options?: HttpAppOptions, server = newServer()): Promise<Served> {
    const served = await serve(server.httpApp(options), binding);
    opened.push(served);
    return served;
  }

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((served) => served.close()));
  });

  describe('Streamable HTTP: initialize', () => {
    it('answers 200 as an SSE stream with no-cache/no-buffering headers and a session id', async () => {
      const { request } = await start();
      const { response, sessionId, answer } = await initialize(request);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/event-stream');
      expect(response.headers.get('cache-control')).toBe('no-cache, no-transform');
      expect(response.headers.get('x-accel-buffering')).toBe('no');
      expect(sessionId).toBeDefined();
      expect(answer?.id).toBe(1);
      expect(answer?.result?.protocolVersion).toBe('2025-11-25');
    });

    it('gives every session a different id made only of visible ASCII (0x21-0x7E)', async () => {
      const { request } = await start();
      const ids = new Set<string>();
      for (let i = 0; i < 5; i++) {
        const { sessionId } = await initialize(request);
        expect(sessionId).toMatch(/^[\x21-\x7E]+$/);
        ids.add(sessionId!);
      }
      expect(ids.size).toBe(5);
    });

    it('answers with JSON when jsonResponse is set', async () => {
      const { request } = await start({ jsonResponse: true });
      const { response, sessionId, answer } = await initialize(request);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(sessionId).toBeDefined();
      expect(answer?.result?.protocolVersion).toBe('2025-11-25');
    });

    it('answers with JSON when the client accepts only application/json', async () => {
      const { request } = await start();
      const { response, answer } = await initialize(request, { accept: 'application/json' });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(answer?.id).toBe(1);
    });

    it('serves /mcp and /mcp/ as one endpoint, never with a redirect', async () => {
      const { request } = await start();
      const { sessionId, response } = await initialize(request, { path: '/mcp/' });
      expect(response.status).toBe(200);
      for (const path of ['/mcp', '/mcp/']) {
        const reply = await request(path, {
          method: 'POST',
          redirect: 'manual',
          headers: mcpHeaders(sessionId),
          body: JSON.stringify(callEcho(2, path)),
        });
        expect(reply.status).toBe(200);
        expect(toolText(await readAnswer(reply))).toBe(path);
      }
      const noSlash = await request('/mcp', { method: 'PUT', redirect: 'manual' });
      const slash = await request('/mcp/', { method: 'PUT', redirect: 'manual' });
      expect([noSlash.status, slash.status]).toEqual([405, 405]);
    });

    it('refuses a third session with 503 and Retry-After when maxSessions is 2 and both stream, and takes one again after a DELETE', async () => {
      const { request } = await start({ maxSessions: 2 });
      const first = await initialize(request);
      const second = await initialize(request);
      // A session with an open GET stream is never ended to make room for a new one.
      const streams = await Promise.all(
        [first, second].map(({ sessionId }) =>
          request('/mcp', { headers: { accept: 'text/event-stream', 'mcp-session-id': sessionId! } }),
        ),
      );
      try {
        const { response } = await initialize(request, { complete: false });
        expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
        await expectRefusal(response, 503, /as many sessions as it allows/);
        const ended = await request('/mcp', { method: 'DELETE', headers: mcpHeaders(first.sessionId) });
        expect(ended.status).toBe(200);
        expect((await initialize(request)).response.status).toBe(200);
      } finally {
        await Promise.all(streams.map((stream) => stream.body?.cancel()));
      }
    });
  });

  describe('Streamable HTTP: sessions', () => {
    it('answers a POST without Mcp-Session-Id after initialize with 400', async () => {
      const { request } = await start();
      await initialize(request);
      const response = await request('/mcp', {
        method: 'POST',
        headers: mcpHeaders(),
        body: JSON.stringify(callEcho(2)),
      });
      await expectRefusal(response, 400, /missing Mcp-Session-Id/);
    });

    it.each(['GET', 'DELETE'])('answers %s without Mcp-Session-Id with 400', async (method) => {
      const { request } = await start();
      await initialize(request);
      const response = await request('/mcp', { method, headers: { accept: 'text/event-stream' } });
      await expectRefusal(response, 400, /missing Mcp-Session-Id/);
    });

    it.each(['POST', 'GET', 'DELETE'])('answers %s with an unknown session id with 404', async (method) => {
      const { request } = await start();
      await initialize(request);
      const response = await request('/mcp', {
        method,
        headers: mcpHeaders('no-such-session', { accept: 'application/json, text/event-stream' }),
        body: method === 'POST' ? JSON.stringify(callEcho(2)) : undefined,
      });
      await expectRefusal(response, 404, /no session with this Mcp-Session-Id/, InvalidRequest);
    });

    it('ends a session on DELETE with 200; the session is then 404', async () => {
      const { request } = await start();
      const { sessionId } = await initialize(request);
      const ended = await request('/mcp', { method: 'DELETE', headers: mcpHeaders(sessionId) });
      expect(ended.status).toBe(200);
      await ended.arrayBuffer();
      const after = await request('/mcp', {
        method: 'POST',
        headers: mcpHeaders(sessionId),
        body: JSON.stringify(callEcho(2)),
      });
      await expectRefusal(after, 404, /ended or expired/);
      const again = await request('/mcp', { method: 'DELETE', headers: mcpHeaders(sessionId) });
      await expectRefusal(again, 404, /no session/);
    });

    it("ends the session's open GET stream on DELETE", async () => {
      const { request } = await start();
      const { sessionId } = await initialize(request);
      const stream = await request('/mcp', {
        headers: { accept: 'text/event-stream', 'mcp-session-id': sessionId! },
      });
      expect(stream.status).toBe(200);
      const events = sseReader(stream);
      const ended = await request('/mcp', { method: 'DELETE', headers: mcpHeaders(sessionId) });
      expect(ended.status).toBe(200);
      await expect(events.next(3000)).resolves.toBeUndefined();
    });

    it('accepts a notifications-only POST with 202 and an empty body', async () => {
      const { request } = await start();
      const { sessionId } = await initialize(request);
      const response = await request('/mcp', {
        method: 'POST',
        headers: mcpHeaders(sessionId),
        body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/roots/list_changed' }),
      });
      expect(response.status).toBe(202);
      expect(await response.text()).toBe('');
    });

    it('accepts a notifications-only POST in a 2025-03-26 batch with 202', async () => {
      const { request } = await start();
      const { sessionId } = await initialize(request, { protocolVersion: '2025-03-26' });
      const response = await request('/mcp', {
        method: 'POST',
        headers: mcpHeaders(sessionId),
        body: JSON.stringify([{ jsonrpc: '2.0', method: 'notifications/roots/list_changed' }]),
      });
      expect(response.status).toBe(202);
      expect(await response.text()).toBe('');
    });

    it.each([
      ['a JSON string', '"hello"'],
      ['an empty batch', '[]'],
      ['a message with jsonrpc "1.0"', '{"jsonrpc":"1.0","method":"notifications/initialized"}'],
      ['a notification whose method is not a string', '{"jsonrpc":"2.0","method":123}'],
      [
        'a batch, which 2025-11-25 does not allow',
        '[{"jsonrpc":"2.0","method":"notifications/initialized"}]',
      ],
    ])('refuses %s in a request-free POST with a 4xx, not 202', async (_what, body) => {
      const { request } = await start();
      const { sessionId } = await initialize(request);
      const response = await request('/mcp', { method: 'POST', headers: mcpHeaders(sessionId), body });
      await expectRefusal(response, 400, /./);
    });

    // The idle sweeper is an interval timer that compares Date.now() with each session's last
    // request: fake both (and nothing else, so sockets and fetch run as ever), then step past it.
    const fakeIdleClock = () => vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });

    it('ends a session idle for longer than sessionIdleMs: its id is then 404', async () => {
      fakeIdleClock();
      try {
        const { request } = await start({ sessionIdleMs: 50, jsonResponse: true });
        const { sessionId } = await initialize(request);
        // The sweeper runs at most once a second.
        await vi.advanceTimersByTimeAsync(2_000);
        const response = await request('/mcp', {
          method: 'POST',
          headers: mcpHeaders(sessionId),
          body: JSON.stringify(callEcho(2)),
        });
        await expectRefusal(response, 404, /ended or expired/);
      } finally {
        vi.useRealTimers();
      }
    });

    it('keeps a session whose GET stream is open past sessionIdleMs', async () => {
      fakeIdleClock();
      try {
        const { request } = await start({ sessionIdleMs: 50, jsonResponse: true, keepAliveMs: 0 });
        const { sessionId } = await initialize(request);
        const stream = await request('/mcp', {
          headers: { accept: 'text/event-stream', 'mcp-session-id': sessionId! },
        });
        expect(stream.status).toBe(200);
        await vi.advanceTimersByTimeAsync(2_000);
        expect(toolText(await rpc(request, callEcho(2, 'still here'), { sessionId }))).toBe('still here');
        await stream.body?.cancel();
      } finally {
        vi.useRealTimers();
      }
    });

    it('answers a second GET stream on one session with 409 while the first is open', async () => {
      const { request } = await start();
      const { sessionId } = await initialize(request);
      const first = await request('/mcp', {
        headers: { accept: 'text/event-stream', 'mcp-session-id': sessionId! },
      });
      expect(first.status).toBe(200);
      expect(first.headers.get('content-type')).toBe('text/event-stream');
      expect(first.headers.get('mcp-session-id')).toBe(sessionId);
      const second = await request('/mcp', {
        headers: { accept: 'text/event-stream', 'mcp-session-id': sessionId! },
      });
      await expectRefusal(second, 409, /already has an open GET stream/);
      await first.body?.cancel();
    });

    it('lets a new GET stream open once the first one closed', async () => {
      const { request } = await start();
      const { sessionId } = await initialize(request);
      const headers = { accept: 'text/event-stream', 'mcp-session-id': sessionId! };
      const first = await request('/mcp', { headers });
      await first.body?.cancel();
      // The server notices the closed connection asynchronously on a real socket: 409 until then.
      await until(async () => {
        const next = await request('/mcp', { headers });
        await next.body?.cancel();
        return next.status === 200;
      }, 'a new GET stream to be answered 200');
    });

    it('accepts another supported MCP-Protocol-Version (2025-03-26 in a 2025-11-25 session)', async () => {
      const { request } = await start();
      const { sessionId } = await initialize(request);
      const answer = await rpc(request, callEcho(2, 'older header'), {
        sessionId,
        headers: { 'mcp-protocol-version': '2025-03-26' },
      });
      expect(toolText(answer)).toBe('older header');
    });

    it('refuses an unsupported MCP-Protocol-Version with 400', async () => {
      const { request } = await start();
      const { sessionId } = await initialize(request);
      const response = await request('/mcp', {
        method: 'POST',
        headers: mcpHeaders(sessionId, { 'mcp-protocol-version': '1999-01-01' }),
        body: JSON.stringify(callEcho(2)),
      });
      await expectRefusal(response, 400, /unsupported MCP-Protocol-Version "1999-01-01"/, InvalidRequest);
      const get = await request('/mcp', {
        headers: {
          accept: 'text/event-stream',
          'mcp-session-id': sessionId!,
          'mcp-protocol-version': '1999-01-01',
        },
      });
      await expectRefusal(get, 400, /unsupported MCP-Protocol-Version/);
    });
  });

  describe('Streamable HTTP: refusals', () => {
    it('refuses a body that is not declared JSON with 415', async () => {
      const { request } = await start();
      const response = await request('/mcp', {
        method: 'POST',
        headers: { ...mcpHeaders(), 'content-type': 'text/plain' },
        body: JSON.stringify(initializeRequest()),
      });
      await expectRefusal(response, 415, /Content-Type: application\/json/, InvalidRequest);
    });

    it('accepts application/json with a charset parameter', async () => {
      const { request } = await start();
      const { response } = await initialize(request, {
        headers: { 'content-type': 'application/json; charset=utf-8' },
      });
      expect(response.status).toBe(200);
    });

    it('refuses a POST whose Accept allows neither JSON nor SSE (text/html) with 406', async () => {
      const { request } = await start();
      const { response } = await initialize(request, { accept: 'text/html', complete: false });
      await expectRefusal(response, 406, /Not Acceptable/, InvalidRequest);
    });

    it('refuses a POST whose Accept rules out JSON and SSE with q=0 (406)', async () => {
      const { request } = await start();
      const { response } = await initialize(request, {
        accept: 'text/html, application/json;q=0, text/event-stream;q=0',
        complete: false,
      });
      await response.body?.cancel();
      expect(response.status).toBe(406);
    });

    it('refuses a GET whose Accept does not allow text/event-stream with 406', async () => {
      const { request } = await start();
      const { sessionId } = await initialize(request);
      const response = await request('/mcp', {
        headers: { accept: 'application/json', 'mcp-session-id': sessionId! },
      });
      await expectRefusal(response, 406, /Accept: text\/event-stream/, InvalidRequest);
    });

    it('refuses PUT with 405 and an Allow header', async () => {
      const { request } = await start();
      const response = await request('/mcp', { method: 'PUT', headers: mcpHeaders(), body: '{}' });
      expect(response.headers.get('allow')).toBe('GET, POST, DELETE');
      await expectRefusal(response, 405, /takes POST, GET and DELETE, not PUT/);
    });

    it('refuses malformed JSON with 400 and code -32700', async () => {
      const { request } = await start();
      const response = await request('/mcp', {
        method: 'POST',
        headers: mcpHeaders(),
        body: '{"jsonrpc": "2.0",',
      });
      await expectRefusal(response, 400, /not valid JSON/, ParseError);
    });

    it('refuses a body over maxBodyBytes with 413 when Content-Length says so', async () => {
      const { request } = await start({ maxBodyBytes: 1024 });
      const { sessionId } = await initialize(request);
      const response = await request('/mcp', {
        method: 'POST',
        headers: mcpHeaders(sessionId),
        body: JSON.stringify(callEcho(2, 'x'.repeat(2000))),
      });
      await expectRefusal(response, 413, /over 1024 bytes/, InvalidRequest);
    });

    it('refuses a streamed body (no Content-Length) once it passes maxBodyBytes with 413', async () => {
      const { request } = await start({ maxBodyBytes: 1024 });
      const { sessionId } = await initialize(request);
      const response = await request('/mcp', {
        method: 'POST',
        headers: mcpHeaders(sessionId),
        body: streamedBody(4000),
        duplex: 'half',
      });
      await expectRefusal(response, 413, /over 1024 bytes/, InvalidRequest);
    });

    it('takes a streamed body under maxBodyBytes', async () => {
      const { request } = await start({ maxBodyBytes: 1024 });
      const { sessionId } = await initialize(request);
      const response = await request('/mcp', {
        method: 'POST',
        headers: mcpHeaders(sessionId),
        body: streamedBody(300, 64),
        duplex: 'half',
      });
      expect(response.status).toBe(200);
      expect(toolText(await readAnswer(response))).toBe('x'.repeat(300));
    });
  });

  describe('Streamable HTTP: stateless', () => {
    it('sends no Mcp-Session-Id on initialize', async () => {
      const { request } = await start({ stateless: true });
      const { response, sessionId, answer } = await initialize(request);
      expect(response.status).toBe(200);
      expect(sessionId).toBeUndefined();
      expect(answer?.result?.protocolVersion).toBe('2025-11-25');
    });

    it('answers a tools/call without initialize', async () => {
      const { request } = await start({ stateless: true });
      const response = await request('/mcp', {
        method: 'POST',
        headers: mcpHeaders(undefined, { 'mcp-protocol-version': '2025-11-25' }),
        body: JSON.stringify(callEcho(7, 'no session')),
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('mcp-session-id')).toBeNull();
      const answer = await readAnswer(response);
      expect(answer.id).toBe(7);
      expect(toolText(answer)).toBe('no session');
    });

    it('speaks the version the request names: a batch under 2025-03-26, refused under 2025-11-25', async () => {
      const { request } = await start({ stateless: true, jsonResponse: true });
      const batch = (version: string) =>
        request('/mcp', {
          method: 'POST',
          headers: mcpHeaders(undefined, { 'mcp-protocol-version': version }),
          body: JSON.stringify([callEcho(1, 'one'), callEcho(2, 'two')]),
        });
      const answers = JSON.parse(await (await batch('2025-03-26')).text()) as { id: number }[];
      expect(answers.map((answer) => answer.id).sort()).toEqual([1, 2]);
      const refused = JSON.parse(await (await batch('2025-11-25')).text()) as { error?: { code: number } };
      expect(refused.error?.code).toBe(-32600);
    });

    it.each(['GET', 'DELETE'])('refuses %s with 405 and Allow: POST', async (method) => {
      const { request } = await start({ stateless: true });
      const response = await request('/mcp', { method, headers: { accept: 'text/event-stream' } });
      expect(response.headers.get('allow')).toBe('POST');
      await expectRefusal(response, 405, /stateless/);
    });
  });

  describe('legacy HTTP+SSE (2024-11-05)', () => {
    it.each([
      { sse: undefined, ssePath: '/sse', messagesPath: '/messages' },
      {
        sse: { path: '/v1/events', messagesPath: '/rpc/messages' },
        ssePath: '/v1/events',
        messagesPath: '/rpc/messages',
      },
    ])(
      'sends an endpoint event relative to $ssePath that resolves to $messagesPath; answers arrive on the stream',
      async ({ sse, ssePath, messagesPath }) => {
        const { request, url } = await start(sse ? { sse } : undefined);
        const stream = await request(ssePath, { headers: { accept: 'text/event-stream' } });
        expect(stream.status).toBe(200);
        expect(stream.headers.get('content-type')).toBe('text/event-stream');
        expect(stream.headers.get('cache-control')).toBe('no-cache, no-transform');
        const events = sseReader(stream);
        try {
          const endpoint = await events.next();
          expect(endpoint?.event).toBe('endpoint');
          expect(endpoint?.data).not.toMatch(/^[a-z]+:/i);
          expect(endpoint?.data.startsWith('/')).toBe(false);
          const target = new URL(endpoint!.data, url(ssePath));
          expect(target.origin).toBe(new URL(url(ssePath)).origin);
          expect(target.pathname).toBe(messagesPath);
          expect(target.searchParams.get('sessionId')).toMatch(/^[\x21-\x7E]+$/);
          const at = target.pathname + target.search;

          const posted = await request(at, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(initializeRequest('2024-11-05')),
          });
          expect(posted.status).toBe(202);
          await posted.arrayBuffer();
          const init = await events.next();
          expect(init?.event ?? 'message').toBe('message');
          const initAnswer = JSON.parse(init!.data) as { id: number; result: { protocolVersion: string } };
          expect(initAnswer.id).toBe(1);
          expect(initAnswer.result.protocolVersion).toBe('2024-11-05');

          const notified = await request(at, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
          });
          expect(notified.status).toBe(202);
          const called = await request(at, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(callEcho(2, 'over legacy')),
          });
          expect(called.status).toBe(202);
          const answer = await events.next();
          expect(JSON.parse(answer!.data)).toMatchObject({
            id: 2,
            result: { content: [{ type: 'text', text: 'over legacy' }] },
          });
        } finally {
          await events.cancel();
        }
      },
    );

    it('sends an absolute endpoint under publicUrl when one is set', async () => {
      const { request } = await start({ publicUrl: 'https://api.example.com/tools/' });
      const stream = await request('/sse', { headers: { accept: 'text/event-stream' } });
      const [endpoint] = await readSse(stream, { count: 1 });
      expect(endpoint?.event).toBe('endpoint');
      expect(endpoint?.data).toMatch(
        /^https:\/\/api\.example\.com\/tools\/messages\?sessionId=[\x21-\x7E]+$/,
      );
    });

    it('refuses a new SSE stream with 503 and Retry-After at maxSessions', async () => {
      const { request } = await start({ maxSessions: 1 });
      // A legacy session always has its stream open, so it is never ended to make room.
      const first = await request('/sse', { headers: { accept: 'text/event-stream' } });
      try {
        const response = await request('/sse', { headers: { accept: 'text/event-stream' } });
        expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
        await expectRefusal(response, 503, /as many sessions as it allows/);
      } finally {
        await first.body?.cancel();
      }
    });

    it('ends the session when the client closes the SSE stream: its messages URL is then 404', async () => {
      const { request, url } = await start();
      const stream = await request('/sse', { headers: { accept: 'text/event-stream' } });
      const [endpoint] = await readSse(stream, { count: 1 });
      const target = new URL(endpoint!.data, url('/sse'));
      // On a real socket the server sees the close asynchronously: 202 until then.
      await until(async () => {
        const response = await request(target.pathname + target.search, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
        });
        await response.arrayBuffer();
        return response.status === 404;
      }, 'the messages URL of the closed stream to answer 404');
    });

    it('answers a POST with an unknown sessionId with 404', async () => {
      const { request } = await start();
      const response = await request('/messages?sessionId=nope', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(callEcho(1)),
      });
      await expectRefusal(response, 404, /no open SSE stream has this sessionId/, InvalidRequest);
    });

    it('answers a POST without sessionId with 400', async () => {
      const { request } = await start();
      const response = await request('/messages', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(callEcho(1)),
      });
      await expectRefusal(response, 400, /sessionId query parameter is missing/, InvalidRequest);
    });

    it('does not take a Streamable HTTP session id on the messages endpoint (404)', async () => {
      const { request } = await start();
      const { sessionId } = await initialize(request);
      const response = await request(`/messages?sessionId=${sessionId}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(callEcho(1)),
      });
      await expectRefusal(response, 404, /no open SSE stream/);
    });

    it('refuses other methods on the SSE and messages paths with 405 and Allow', async () => {
      const { request } = await start();
      const sse = await request('/sse', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      expect(sse.headers.get('allow')).toBe('GET');
      await expectRefusal(sse, 405, /SSE endpoint takes GET/);
      const messages = await request('/messages', { method: 'GET' });
      expect(messages.headers.get('allow')).toBe('POST');
      await expectRefusal(messages, 405, /messages endpoint takes POST/);
    });

    it('serves no legacy pair with sse: false (404)', async () => {
      const { request } = await start({ sse: false });
      await expectRefusal(
        await request('/sse', { headers: { accept: 'text/event-stream' } }),
        404,
        /Not Found/,
      );
    });
  });

  describe('health and unknown paths', () => {
    it('answers GET /health with 200 {status: "ok"}', async () => {
      const { request } = await start();
      const response = await request('/health');
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await response.json()).toEqual({ status: 'ok' });
    });

    it('answers HEAD /health with 200', async () => {
      const { request } = await start();
      const response = await request('/health', { method: 'HEAD' });
      expect(response.status).toBe(200);
      await response.arrayBuffer();
    });

    it('serves no health route with health: false (404)', async () => {
      const { request } = await start({ health: false });
      await expectRefusal(await request('/health'), 404, /nothing is served at \/health/);
    });

    it("moves the health route with health: '/status'", async () => {
      const { request } = await start({ health: '/status' });
      const moved = await request('/status');
      expect(moved.status).toBe(200);
      expect(await moved.json()).toEqual({ status: 'ok' });
      await expectRefusal(await request('/health'), 404, /Not Found/);
    });

    it('answers an unknown path with 404 naming the MCP endpoint', async () => {
      const { request } = await start();
      await expectRefusal(
        await request('/nowhere'),
        404,
        /nothing is served at \/nowhere\. The MCP endpoint is \/mcp/,
      );
    });
  });

  describe('Host/Origin guard with allowedHosts (applies on every binding)', () => {
    it('refuses a Host that is not listed with 403 and accepts a listed one', async () => {
      const { request } = await start({ allowedHosts: ['api.example.com'] });
      // Fetch runtimes hand the app a Request whose headers carry the Host the client sent.
      const refused = await request('/mcp', {
        method: 'POST',
        headers: mcpHeaders(undefined, { host: 'evil.example.com' }),
        body: JSON.stringify(initializeRequest()),
      });
      if (binding === 'fetch') {
        await expectRefusal(refused, 403, /Forbidden: the Host header "evil.example.com"/);
        const { response } = await initialize(request, { headers: { host: 'api.example.com' } });
        expect(response.status).toBe(200);
      } else {
        // The global fetch sends the real Host (127.0.0.1:port), which is not listed.
        await expectRefusal(refused, 403, /Forbidden: the Host header "127\.0\.0\.1:\d+"/);
      }
    });
  });
});

describe('node binding: DNS-rebinding guard on a loopback listener', () => {
  let app: HttpApp | undefined;

  async function listen(options?: HttpAppOptions): Promise<{ port: number; url: string }> {
    app = newServer().httpApp(options);
    const { port } = await app.listen({ port: 0, host: '127.0.0.1' });
    return { port, url: `http://127.0.0.1:${port}/mcp` };
  }

  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  const post = (url: string, headers: Record<string, string>) =>
    rawRequest(url, {
      method: 'POST',
      headers: { ...mcpHeaders(), ...headers },
      body: JSON.stringify(initializeRequest()),
    });

  it('refuses Host: evil.example.com with 403', async () => {
    const { url } = await listen();
    expectRawRefusal(await post(url, { host: 'evil.example.com' }), 403, /Host header "evil\.example\.com"/);
  });

  it('refuses Origin: http://evil.example.com with 403', async () => {
    const { url } = await listen();
    expectRawRefusal(
      await post(url, { origin: 'http://evil.example.com' }),
      403,
      /Origin "http:\/\/evil\.example\.com"/,
    );
  });

  it('accepts Host: localhost:PORT and Origin: http://localhost:PORT', async () => {
    const { url, port } = await listen();
    expect((await post(url, { host: `localhost:${port}` })).status).toBe(200);
    expect((await post(url, { origin: `http://localhost:${port}` })).status).toBe(200);
    expect((await post(url, { host: `[::1]:${port}`, origin: `http://127.0.0.1:${port}` })).status).toBe(200);
  });

  it('guards the health route as well', async () => {
    const { port } = await listen();
    const health = await rawRequest(`http://127.0.0.1:${port}/health`, {
      headers: { host: 'evil.example.com' },
    });
    expectRawRefusal(health, 403, /Forbidden/);
  });

  it('with allowedHosts, accepts only the listed Host (the loopback default no longer applies)', async () => {
    const { url, port } = await listen({ allowedHosts: ['api.example.com'] });
    expect((await post(url, { host: 'api.example.com' })).status).toBe(200);
    expectRawRefusal(await post(url, { host: `localhost:${port}` }), 403, /Host header "localhost:\d+"/);
  });

  it('with allowedOrigins, accepts a listed foreign Origin', async () => {
    const { url } = await listen({ allowedOrigins: ['https://app.example.com'] });
    expect((await post(url, { origin: 'https://app.example.com' })).status).toBe(200);
    expectRawRefusal(await post(url, { origin: 'https://other.example.com' }), 403, /Origin/);
  });

  it('with trustProxy, X-Forwarded-Host skips the loopback default (the proxy checked the name)', async () => {
    const { url } = await listen({ trustProxy: true });
    const forwarded = await post(url, { host: 'internal:8080', 'x-forwarded-host': 'api.example.com' });
    expect(forwarded.status).toBe(200);
    expectRawRefusal(await post(url, { host: 'internal:8080' }), 403, /Host header "internal:8080"/);
  });

  it('without trustProxy, X-Forwarded-Host is ignored', async () => {
    const { url } = await listen();
    const forwarded = await post(url, { host: 'evil.example.com', 'x-forwarded-host': 'localhost' });
    expectRawRefusal(forwarded, 403, /Host header "evil\.example\.com"/);
  });

  it('with trustProxy and allowedHosts, checks the forwarded host against the list', async () => {
    const { url } = await listen({ trustProxy: true, allowedHosts: ['api.example.com'] });
    expect((await post(url, { host: 'internal:8080', 'x-forwarded-host': 'api.example.com' })).status).toBe(
      200,
    );
    const other = await post(url, { host: 'api.example.com', 'x-forwarded-host': 'evil.example.com' });
    expectRawRefusal(other, 403, /Host header "evil\.example\.com"/);
  });
});

describe('fetch binding: the guard sees no connection address', () => {
  let app: HttpApp | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('lets any Host and Origin through when nothing is configured', async () => {
    app = newServer().httpApp();
    const response = await app.fetch(
      new Request('http://evil.example.com/mcp', {
        method: 'POST',
        headers: mcpHeaders(undefined, { host: 'evil.example.com', origin: 'http://evil.example.com' }),
        body: JSON.stringify(initializeRequest()),
      }),
    );
    expect(response.status).toBe(200);
    await response.body?.cancel();
  });

  // A Request built in process (Hono's app.request(), tests) has no Host header; its URL names the host.
  it('with allowedHosts, accepts a Request whose URL names a listed host but has no Host header', async () => {
    app = newServer().httpApp({ allowedHosts: ['api.example.com'] });
    const response = await app.fetch(
      new Request('http://api.example.com/mcp', {
        method: 'POST',
        headers: mcpHeaders(),
        body: JSON.stringify(initializeRequest()),
      }),
    );
    await response.body?.cancel();
    expect(response.status).toBe(200);
    const refused = await app.fetch(
      new Request('http://evil.example.com/mcp', {
        method: 'POST',
        headers: mcpHeaders(),
        body: JSON.stringify(initializeRequest()),
      }),
    );
    await expectRefusal(refused, 403, /Host header "evil\.example\.com"/);
  });
});

describe('fetch binding: mounted under a base path', () => {
  let app: HttpApp | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('serves the MCP endpoint and the legacy pair below the base path', async () => {
    app = newServer().httpApp();
    const mounted = app;
    const request = (path: string, init?: RequestInit) =>
      mounted.fetch(new Request(`http://localhost/api${path}`, init), '/api');
    const { response } = await initialize(request);
    expect(response.status).toBe(200);
    await expectRefusal(await request('/nowhere'), 404, /The MCP endpoint is \/api\/mcp/);
    const [endpoint] = await readSse(await request('/sse', { headers: { accept: 'text/event-stream' } }), {
      count: 1,
    });
    expect(new URL(endpoint!.data, 'http://localhost/api/sse').pathname).toBe('/api/messages');
  });
});

describe('node binding: mounted as a Node handler', () => {
  let host: NodeHost | undefined;

  /** A node:http server of our own that calls the app as `app(req, res, next?)`. */
  async function mount(withNext: boolean): Promise<string> {
    host = await mountInNodeHost(newServer().httpApp(), { next: withNext });
    return host.url;
  }

  afterEach(async () => {
    await host?.close();
    host = undefined;
  });

  it('answers an unknown path with 404 when called without next', async () => {
    const base = await mount(false);
    await expectRefusal(await fetch(`${base}/elsewhere`), 404, /nothing is served at \/elsewhere/);
  });

  it('calls next for a path it does not serve, and still serves its own', async () => {
    const base = await mount(true);
    const other = await fetch(`${base}/elsewhere`);
    expect(other.status).toBe(418);
    expect(await other.text()).toBe('from next');
    const health = await fetch(`${base}/health`);
    expect(health.status).toBe(200);
    const { response } = await initialize((path, init) => fetch(base + path, init));
    expect(response.status).toBe(200);
  });

  it('calls next for a host route even when its Host would fail the guard', async () => {
    const base = await mount(true);
    const other = await rawRequest(`${base}/elsewhere`, { headers: { host: 'evil.example.com' } });
    expect(other.status).toBe(418);
  });
});

describe('a streamed SSE answer can be read by readSse', () => {
  it('parses id, event, data and retry fields', async () => {
    const body = 'retry: 10\nid: 1\ndata: \n\n: comment\nevent: message\ndata: {"a":1}\ndata: {"b":2}\n\n';
    const events = await readSse(new Response(body, { headers: { 'content-type': 'text/event-stream' } }));
    expect(events).toEqual([
      { id: '1', data: '', retry: 10 },
      { event: 'message', data: '{"a":1}\n{"b":2}' },
    ]);
  });
});

describe.each(bindings)('answer format and failed initialize (%s binding)', (binding) => {
  let served: Served | undefined;
  afterEach(async () => {
    await served?.close();
    served = undefined;
  });

  async function start(options: HttpAppOptions) {
    const server = new McpServer({ name: 'format', version: '1.0.0' });
    server.tool('hi', { description: 'Says hi' }, () => 'hi');
    served = await serve(server.httpApp(options), binding);
    return served;
  }

  it('answers with SSE when JSON answers are configured but the client accepts only SSE', async () => {
    const { request } = await start({ jsonResponse: true });
    const response = await request('/mcp', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify(initializeRequest()),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    await response.body?.cancel();
  });

  it('leaves no session behind when initialize itself is refused', async () => {
    const { request } = await start({ jsonResponse: true });
    const broken = await request('/mcp', {
      method: 'POST',
      headers: mcpHeaders(),
      body: JSON.stringify({ ...initializeRequest(), params: 'not an object' }),
    });
    expect(broken.status).toBe(200);
    expect(await broken.json()).toMatchObject({ error: { code: expect.any(Number) } });
    // The id it was answered under names no session: the failed initialize did not keep one.
    const id = broken.headers.get('mcp-session-id');
    expect(id).toBeTruthy();
    const after = await request('/mcp', {
      method: 'POST',
      headers: mcpHeaders(id ?? undefined),
      body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'ping' }),
    });
    expect(after.status).toBe(404);
  });
});
