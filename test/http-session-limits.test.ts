/**
 * No session-table lockout (issue 12, item 6). A full table makes room by ending its longest-idle
 * session that has nothing in flight and no open stream; only when every session is in use does
 * initialize get 503 `WHARF_TOO_MANY_SESSIONS`. Per principal (or, for anonymous requests, per
 * client address; the fetch binding cannot tell addresses) `maxSessionsPerPrincipal` caps the
 * sessions held at once: past it that principal's own longest-idle session ends, else 429
 * `WHARF_TOO_MANY_SESSIONS_FOR_PRINCIPAL`. An ended session answers 404 as an expired one does.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type HttpAppOptions, McpServer, type Middleware } from 'wharf-mcp';
import {
  type Binding,
  bindings,
  Cleanup,
  deferred,
  initialize,
  mcpHeaders,
  type RequestFn,
  readAnswer,
  rpc,
  type Served,
  serve,
  toolText,
  withTimeout,
} from './support/bindings.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

const signIn: Middleware = async (request, next) => {
  const name = /^Bearer (.+)$/.exec(request.header('authorization') ?? '')?.[1];
  if (name) request.auth = { sub: name };
  await next();
};
const as = (name: string) => ({ authorization: `Bearer ${name}` });

/** A server whose `wait` tool stays in flight until the test releases it. */
function newServer() {
  const started = deferred();
  const release = deferred();
  const server = new McpServer({ name: 'limits-test', version: '1.0.0' });
  server.tool('echo', { description: 'Says hi' }, () => 'hi');
  server.tool('wait', { description: 'Waits for the test' }, async () => {
    started.resolve();
    await release.promise;
    return 'released';
  });
  return { server, started, release };
}

const call = (id: number, name: string) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name } });

async function expectRefusal(response: Response, status: number, code: string): Promise<void> {
  const text = await response.text();
  expect(response.status, text).toBe(status);
  expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
  expect(JSON.parse(text)).toMatchObject({ error: { data: { code } } });
}

/** The status a tools/call on the session gets (its body read); 200 means the session lives. */
async function statusOf(request: RequestFn, sessionId: string, headers: Record<string, string> = {}) {
  const response = await request('/mcp', {
    method: 'POST',
    headers: mcpHeaders(sessionId, headers),
    body: JSON.stringify(call(9, 'echo')),
  });
  if (response.status === 200) expect(toolText(await readAnswer(response))).toBe('hi');
  else await response.arrayBuffer();
  return response.status;
}

async function open(request: RequestFn, headers: Record<string, string> = {}): Promise<string> {
  const { sessionId, response } = await initialize(request, { headers });
  expect(response.status).toBe(200);
  return sessionId!;
}

/** Opens the session's GET stream and leaves it open (cancelled at cleanup). */
async function openStream(request: RequestFn, sessionId: string, headers: Record<string, string> = {}) {
  const stream = await request('/mcp', {
    headers: { accept: 'text/event-stream', 'mcp-session-id': sessionId, ...headers },
  });
  expect(stream.status).toBe(200);
  cleanup.add(() => stream.body?.cancel());
}

describe.each(bindings)('%s binding', (binding: Binding) => {
  async function start(options: HttpAppOptions = {}) {
    const fixture = newServer();
    const served: Served = await serve(
      fixture.server.httpApp({ middleware: [signIn], ...options }),
      binding,
      { cleanup },
    );
    cleanup.add(() => fixture.release.resolve());
    return { ...fixture, request: served.request };
  }

  describe('a full table (maxSessions)', () => {
    it('takes a new client by ending the longest-idle session, which then answers 404', async () => {
      const { request } = await start({ maxSessions: 20 });
      const ids: string[] = [];
      for (let i = 0; i < 20; i++) ids.push(await open(request));
      const newcomer = await open(request);
      expect(await statusOf(request, ids[0]!)).toBe(404);
      expect(await statusOf(request, ids[1]!)).toBe(200);
      expect(await statusOf(request, newcomer)).toBe(200);
    });

    it('counts idle time from the last request: a session just used is not the one to go', async () => {
      const { request } = await start({ maxSessions: 3 });
      const [first, second, third] = [await open(request), await open(request), await open(request)];
      expect(await statusOf(request, first)).toBe(200);
      await open(request);
      expect(await statusOf(request, second)).toBe(404);
      expect(await statusOf(request, first)).toBe(200);
      expect(await statusOf(request, third)).toBe(200);
    });

    it('never ends a session with an open GET stream or a call in flight; when all are such, 503', async () => {
      const { request, started, release } = await start({ maxSessions: 3 });
      const streaming = await open(request);
      const busy = await open(request);
      const idle = await open(request);
      await openStream(request, streaming);
      const inFlight = rpc(request, call(2, 'wait'), { sessionId: busy });
      await withTimeout(started.promise, 'the wait tool to start');

      const newcomer = await open(request);
      expect(await statusOf(request, idle)).toBe(404);
      await openStream(request, newcomer);
      const { response } = await initialize(request, { complete: false });
      await expectRefusal(response, 503, 'WHARF_TOO_MANY_SESSIONS');

      // Once its call is answered the busy session is idle, and the next client takes its place.
      release.resolve();
      expect(toolText(await inFlight)).toBe('released');
      await open(request);
      expect(await statusOf(request, busy)).toBe(404);
      expect(await statusOf(request, streaming)).toBe(200);
      expect(await statusOf(request, newcomer)).toBe(200);
    });
  });

  describe('maxSessionsPerPrincipal', () => {
    it('ends the principal’s own longest-idle session for its next one; another principal is untouched', async () => {
      const { request } = await start({ maxSessionsPerPrincipal: 3 });
      const bob = await open(request, as('bob'));
      const alice: string[] = [];
      for (let i = 0; i < 3; i++) alice.push(await open(request, as('alice')));
      const fourth = await open(request, as('alice'));
      expect(await statusOf(request, alice[0]!, as('alice'))).toBe(404);
      for (const id of [alice[1]!, alice[2]!, fourth])
        expect(await statusOf(request, id, as('alice'))).toBe(200);
      expect(await statusOf(request, bob, as('bob'))).toBe(200);
    });

    it('answers 429 with Retry-After when all of the principal’s sessions are streaming; others still get in', async () => {
      const { request } = await start({ maxSessionsPerPrincipal: 3 });
      const alice: string[] = [];
      for (let i = 0; i < 3; i++) alice.push(await open(request, as('alice')));
      for (const id of alice) await openStream(request, id, as('alice'));
      const { response } = await initialize(request, { headers: as('alice'), complete: false });
      await expectRefusal(response, 429, 'WHARF_TOO_MANY_SESSIONS_FOR_PRINCIPAL');
      await open(request, as('bob'));
      await open(request);
      for (const id of alice) expect(await statusOf(request, id, as('alice'))).toBe(200);
    });

    it('counts anonymous sessions per client address on Node; on fetch (no address) only signed-in principals are capped', async () => {
      const { request } = await start({ maxSessionsPerPrincipal: 2 });
      const anonymous = [await open(request), await open(request), await open(request)];
      expect(await statusOf(request, anonymous[0]!)).toBe(binding === 'node' ? 404 : 200);
      // Signed-in principals on the same address are counted apart from it, on either binding.
      const alice = [await open(request, as('alice')), await open(request, as('alice'))];
      await open(request, as('alice'));
      expect(await statusOf(request, alice[0]!, as('alice'))).toBe(404);
      expect(await statusOf(request, alice[1]!, as('alice'))).toBe(200);
      for (const id of anonymous.slice(1)) expect(await statusOf(request, id)).toBe(200);
    });
  });
});
