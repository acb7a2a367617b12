/**
 * One error table for HTTP refusals (issue 11, item 7): every refusal the app sends has a stable
 * Wharf code in `error.data.code`, its status and its JSON-RPC code from `src/http/refusals.ts`.
 * Each is provoked here on both bindings and checked by code, never by message text; then the
 * table itself: codes unique, never a `WharfErrorCode`, each documented in the README.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type HttpApp, type HttpAppOptions, McpServer, MemoryEventStore, WharfErrorCode } from 'wharf-mcp';
import { HttpRefusal } from '../src/http/refusals.js';
import { type Binding, bindings, initialize, mcpHeaders, serve } from './support/bindings.js';

const PARSE_ERROR = -32700;
const INVALID_REQUEST = -32600;
const INTERNAL_ERROR = -32603;

function newServer() {
  const server = new McpServer({ name: 'errors-test', version: '1.0.0' });
  server.tool('echo', { description: 'Echo' }, () => 'echo');
  server.route('GET', '/broken', () => {
    throw new Error('the route failed');
  });
  server.route(
    'POST',
    '/upload',
    async (request) => new Response(String((await request.arrayBuffer()).byteLength)),
  );
  return server;
}

const listTools = { jsonrpc: '2.0', id: 2, method: 'tools/list' };

/** Asserts a refusal by its code: status, JSON-RPC code, the Wharf code in `error.data.code`. */
async function expectRefusal(response: Response, status: number, code: string, rpcCode: number) {
  const text = await response.text();
  expect(response.status, text).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  const body = JSON.parse(text) as {
    jsonrpc: string;
    error: { code: number; message: string; data?: unknown };
  };
  expect(body.jsonrpc).toBe('2.0');
  expect(body.error.data).toEqual({ code });
  expect(body.error.code).toBe(rpcCode);
  expect(body.error.message.length).toBeGreaterThan(0);
}

describe.each(bindings)('%s binding', (binding: Binding) => {
  const apps: HttpApp[] = [];
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });

  async function start(options?: HttpAppOptions) {
    const app = newServer().httpApp(options);
    apps.push(app);
    return serve(app, binding);
  }

  const post = (body: string, headers: Record<string, string> = mcpHeaders()) => ({
    method: 'POST',
    headers,
    body,
  });

  it('WHARF_NOT_FOUND: a path the app does not serve', async () => {
    const { request } = await start();
    await expectRefusal(await request('/nowhere'), 404, 'WHARF_NOT_FOUND', INVALID_REQUEST);
  });

  it('WHARF_METHOD_NOT_ALLOWED: a path served, not with this method; Allow lists what it serves', async () => {
    const { request } = await start();
    const put = await request('/mcp', { method: 'PUT' });
    expect(put.headers.get('allow')).toBe('GET, POST, DELETE');
    await expectRefusal(put, 405, 'WHARF_METHOD_NOT_ALLOWED', INVALID_REQUEST);
    const sse = await request('/sse', post('{}'));
    expect(sse.headers.get('allow')).toBe('GET');
    await expectRefusal(sse, 405, 'WHARF_METHOD_NOT_ALLOWED', INVALID_REQUEST);
    const health = await request('/health', { method: 'DELETE' });
    expect(health.headers.get('allow')).toBe('GET, HEAD');
    await expectRefusal(health, 405, 'WHARF_METHOD_NOT_ALLOWED', INVALID_REQUEST);
  });

  it('WHARF_METHOD_NOT_ALLOWED: GET and DELETE on a stateless endpoint (Allow: POST)', async () => {
    const { request } = await start({ stateless: true });
    for (const method of ['GET', 'DELETE']) {
      const response = await request('/mcp', { method, headers: { accept: 'text/event-stream' } });
      expect(response.headers.get('allow')).toBe('POST');
      await expectRefusal(response, 405, 'WHARF_METHOD_NOT_ALLOWED', INVALID_REQUEST);
    }
  });

  it('WHARF_HOST_NOT_ALLOWED and WHARF_ORIGIN_NOT_ALLOWED: the DNS-rebinding guard', async () => {
    const hosts = await start({ allowedHosts: ['mcp.example.com'] });
    await expectRefusal(await hosts.request('/health'), 403, 'WHARF_HOST_NOT_ALLOWED', INVALID_REQUEST);
    const origins = await start({ allowedOrigins: ['https://app.example.com'] });
    const evil = await origins.request('/health', { headers: { origin: 'https://evil.example.com' } });
    await expectRefusal(evil, 403, 'WHARF_ORIGIN_NOT_ALLOWED', INVALID_REQUEST);
  });

  it('WHARF_NOT_ACCEPTABLE: a POST that takes neither JSON nor SSE; a GET that takes no SSE', async () => {
    const { request } = await start();
    const posted = await request(
      '/mcp',
      post(JSON.stringify(listTools), mcpHeaders(undefined, { accept: 'text/html' })),
    );
    await expectRefusal(posted, 406, 'WHARF_NOT_ACCEPTABLE', INVALID_REQUEST);
    const got = await request('/mcp', { headers: { accept: 'application/json' } });
    await expectRefusal(got, 406, 'WHARF_NOT_ACCEPTABLE', INVALID_REQUEST);
  });

  it('WHARF_UNSUPPORTED_MEDIA_TYPE, WHARF_INVALID_JSON, WHARF_UNSUPPORTED_PROTOCOL_VERSION', async () => {
    const { request } = await start();
    const text = await request('/mcp', post('{}', mcpHeaders(undefined, { 'content-type': 'text/plain' })));
    await expectRefusal(text, 415, 'WHARF_UNSUPPORTED_MEDIA_TYPE', INVALID_REQUEST);
    await expectRefusal(await request('/mcp', post('{"jsonrpc":')), 400, 'WHARF_INVALID_JSON', PARSE_ERROR);
    const version = await request(
      '/mcp',
      post(JSON.stringify(listTools), mcpHeaders(undefined, { 'mcp-protocol-version': '1999-01-01' })),
    );
    await expectRefusal(version, 400, 'WHARF_UNSUPPORTED_PROTOCOL_VERSION', INVALID_REQUEST);
  });

  it('WHARF_BODY_TOO_LARGE: one code on the MCP endpoint, the legacy endpoint and custom routes', async () => {
    const { request } = await start({ maxBodyBytes: 64 });
    const big = JSON.stringify({ ...listTools, params: { pad: 'x'.repeat(100) } });
    await expectRefusal(await request('/mcp', post(big)), 413, 'WHARF_BODY_TOO_LARGE', INVALID_REQUEST);
    const route = await request('/upload', post(big, { 'content-type': 'application/octet-stream' }));
    await expectRefusal(route, 413, 'WHARF_BODY_TOO_LARGE', INVALID_REQUEST);
  });

  it('WHARF_SESSION_ID_MISSING and WHARF_SESSION_NOT_FOUND, on Streamable HTTP and legacy SSE', async () => {
    const { request } = await start();
    const body = JSON.stringify(listTools);
    await expectRefusal(await request('/mcp', post(body)), 400, 'WHARF_SESSION_ID_MISSING', INVALID_REQUEST);
    const unknown = await request('/mcp', post(body, mcpHeaders('no-such-session')));
    await expectRefusal(unknown, 404, 'WHARF_SESSION_NOT_FOUND', INVALID_REQUEST);
    const json = { 'content-type': 'application/json' };
    const legacyMissing = await request('/messages', post(body, json));
    await expectRefusal(legacyMissing, 400, 'WHARF_SESSION_ID_MISSING', INVALID_REQUEST);
    const legacyUnknown = await request('/messages?sessionId=nope', post(body, json));
    await expectRefusal(legacyUnknown, 404, 'WHARF_SESSION_NOT_FOUND', INVALID_REQUEST);
  });

  it('WHARF_EVENT_ID_NOT_IN_SESSION and WHARF_STREAM_ALREADY_OPEN: GET streams', async () => {
    const { request } = await start({ eventStore: new MemoryEventStore() });
    const { sessionId } = await initialize(request);
    const headers = { accept: 'text/event-stream', 'mcp-session-id': sessionId! };
    const foreign = await request('/mcp', {
      headers: { ...headers, 'last-event-id': 'another-session.1.1' },
    });
    await expectRefusal(foreign, 404, 'WHARF_EVENT_ID_NOT_IN_SESSION', INVALID_REQUEST);
    const first = await request('/mcp', { headers });
    expect(first.status).toBe(200);
    try {
      const second = await request('/mcp', { headers });
      await expectRefusal(second, 409, 'WHARF_STREAM_ALREADY_OPEN', INVALID_REQUEST);
    } finally {
      await first.body?.cancel();
    }
  });

  it('WHARF_TOO_MANY_SESSIONS: initialize past maxSessions (with Retry-After)', async () => {
    const { request } = await start({ maxSessions: 1 });
    const { sessionId } = await initialize(request);
    // Its open GET stream keeps the one session from being ended to make room.
    const stream = await request('/mcp', {
      headers: { accept: 'text/event-stream', 'mcp-session-id': sessionId! },
    });
    try {
      const { response } = await initialize(request, { complete: false });
      expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
      await expectRefusal(response, 503, 'WHARF_TOO_MANY_SESSIONS', INTERNAL_ERROR);
    } finally {
      await stream.body?.cancel();
    }
  });

  it('WHARF_MIDDLEWARE_NO_ANSWER, WHARF_INTERNAL_ERROR, WHARF_BODY_CONSUMED: server faults', async () => {
    const { request } = await start({
      middleware: [
        async (req, next) => {
          if (req.path === '/silent') return;
          if (req.path === '/mcp') {
            // Drains the request itself, leaving the app nothing to read.
            if (req.raw instanceof Request) await req.raw.text();
            else for await (const _chunk of req.raw as AsyncIterable<unknown>);
          }
          await next();
        },
      ],
    });
    apps[0]!.route('GET', '/silent', () => new Response('never'));
    await expectRefusal(await request('/silent'), 500, 'WHARF_MIDDLEWARE_NO_ANSWER', INTERNAL_ERROR);
    await expectRefusal(await request('/broken'), 500, 'WHARF_INTERNAL_ERROR', INTERNAL_ERROR);
    const drained = await request('/mcp', post(JSON.stringify(listTools)));
    await expectRefusal(drained, 500, 'WHARF_BODY_CONSUMED', INTERNAL_ERROR);
  });
});

describe('WHARF_APP_CLOSED', () => {
  it('refuses new requests once the app is closed while its host keeps running (fetch and Node)', async () => {
    const app = newServer().httpApp();
    const host = createServer((req, res) => app(req, res));
    await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
    try {
      await app.close();
      const fetched = await app.fetch(new Request('http://localhost/health'));
      await expectRefusal(fetched, 503, 'WHARF_APP_CLOSED', INTERNAL_ERROR);
      const port = (host.address() as AddressInfo).port;
      const served = await fetch(`http://127.0.0.1:${port}/health`);
      await expectRefusal(served, 503, 'WHARF_APP_CLOSED', INTERNAL_ERROR);
    } finally {
      await new Promise<void>((resolve) => {
        host.close(() => resolve());
        host.closeAllConnections();
      });
    }
  });
});

describe('the refusal table', () => {
  const entries = Object.values(HttpRefusal);

  it('gives each refusal its own WHARF_ code, none shared with WharfErrorCode', () => {
    const codes = entries.map((entry) => entry.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const code of codes) expect(code).toMatch(/^WHARF_[A-Z_]+$/);
    const build = new Set<string>(Object.values(WharfErrorCode));
    expect(codes.filter((code) => build.has(code))).toEqual([]);
  });

  it('pairs client mistakes with 4xx and -32600/-32700, server faults with 5xx and -32603', () => {
    for (const entry of entries) {
      if (entry.status >= 500) expect(entry.rpcCode, entry.code).toBe(INTERNAL_ERROR);
      else expect([INVALID_REQUEST, PARSE_ERROR], entry.code).toContain(entry.rpcCode);
    }
  });

  it('is documented: the README lists every code with its status', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    for (const entry of entries) {
      expect(readme, entry.code).toMatch(new RegExp(`\\| \`${entry.code}\` \\| ${entry.status} \\|`));
    }
  });
});
