/**
 * Sessions bound to the principal that opened them (issue 12, item 3; spec "Security Best
 * Practices", session hijacking). With an app middleware that signs requests in from
 * `Authorization: Bearer <name>`, a session id used by anyone else (another principal, or an
 * anonymous request) gets the same 404 `WHARF_SESSION_NOT_FOUND` as an unknown id, on every path:
 * POST, GET stream, DELETE, GET with `Last-Event-ID`, legacy `/messages`. The owner keeps working
 * afterwards. A custom `principalOf` decides who counts as the same principal. Both bindings.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type HttpAppOptions, McpServer, MemoryEventStore, type Middleware } from 'wharf-mcp';
import {
  type Binding,
  bindings,
  Cleanup,
  initialize,
  initializeRequest,
  mcpHeaders,
  messageOf,
  type RequestFn,
  rpc,
  type Served,
  SseReader,
  serve,
  toolText,
} from './support/bindings.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

/** Signs a request in as `{ sub: <name> }` from `Authorization: Bearer <name>`; anonymous without it. */
const bearerAuth: Middleware = async (request, next) => {
  const name = /^Bearer (.+)$/.exec(request.header('authorization') ?? '')?.[1];
  if (name) request.auth = { sub: name };
  await next();
};

const as = (name: string) => ({ authorization: `Bearer ${name}` });
const ANONYMOUS = {};

function newServer() {
  const server = new McpServer({ name: 'principal-test', version: '1.0.0' });
  server.tool('whoami', { description: 'Who the request came from' }, (_args, ctx) =>
    JSON.stringify(ctx.auth ?? null),
  );
  return server;
}

const whoami = (id: number) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'whoami' } });

/** Asserts the refusal of an unknown session: 404, `WHARF_SESSION_NOT_FOUND`; returns the body text. */
async function expectSessionNotFound(response: Response): Promise<string> {
  // An open SSE stream (the bug) would never end: cancel it so the test fails instead of hanging.
  if (response.status !== 404) await response.body?.cancel();
  const text = response.status === 404 ? await response.text() : '';
  expect(response.status, text).toBe(404);
  expect(JSON.parse(text)).toMatchObject({ error: { data: { code: 'WHARF_SESSION_NOT_FOUND' } } });
  return text;
}

function postAs(request: RequestFn, sessionId: string, who: Record<string, string>, message: unknown) {
  return request('/mcp', {
    method: 'POST',
    headers: mcpHeaders(sessionId, who),
    body: JSON.stringify(message),
  });
}

function getStreamAs(
  request: RequestFn,
  sessionId: string,
  who: Record<string, string>,
  lastEventId?: string,
) {
  return request('/mcp', {
    headers: {
      accept: 'text/event-stream',
      'mcp-session-id': sessionId,
      ...(lastEventId ? { 'last-event-id': lastEventId } : {}),
      ...who,
    },
  });
}

describe.each(bindings)('%s binding', (binding: Binding) => {
  async function start(options: HttpAppOptions = {}): Promise<Served> {
    return serve(newServer().httpApp({ middleware: [bearerAuth], ...options }), binding, { cleanup });
  }

  it('POST: another principal or an anonymous request gets the 404 of an unknown session; the owner goes on', async () => {
    const { request } = await start();
    const { sessionId } = await initialize(request, { headers: as('alice') });
    const unknown = await expectSessionNotFound(
      await postAs(request, 'no-such-session', as('bob'), whoami(2)),
    );
    // Word for word the refusal of an unknown id: a foreign id cannot be told from one that never was.
    expect(await expectSessionNotFound(await postAs(request, sessionId!, as('bob'), whoami(3)))).toBe(
      unknown,
    );
    await expectSessionNotFound(await postAs(request, sessionId!, ANONYMOUS, whoami(4)));
    const answer = await rpc(request, whoami(5), { sessionId, headers: as('alice') });
    expect(JSON.parse(toolText(answer))).toEqual({ sub: 'alice' });
  });

  it('POST: a session opened anonymously is refused to a signed-in principal and kept for anonymous requests', async () => {
    const { request } = await start();
    const { sessionId } = await initialize(request);
    await expectSessionNotFound(await postAs(request, sessionId!, as('alice'), whoami(2)));
    expect(JSON.parse(toolText(await rpc(request, whoami(3), { sessionId })))).toBeNull();
  });

  it('GET stream: refused to others with 404; the owner opens it', async () => {
    const { request } = await start();
    const { sessionId } = await initialize(request, { headers: as('alice') });
    await expectSessionNotFound(await getStreamAs(request, sessionId!, as('bob')));
    await expectSessionNotFound(await getStreamAs(request, sessionId!, ANONYMOUS));
    const own = await getStreamAs(request, sessionId!, as('alice'));
    expect(own.status).toBe(200);
    expect(own.headers.get('content-type')).toBe('text/event-stream');
    await own.body?.cancel();
  });

  it('DELETE: refused to others with 404 and the session lives on; the owner ends it', async () => {
    const { request } = await start();
    const { sessionId } = await initialize(request, { headers: as('alice') });
    const remove = (who: Record<string, string>) =>
      request('/mcp', { method: 'DELETE', headers: { 'mcp-session-id': sessionId!, ...who } });
    await expectSessionNotFound(await remove(as('bob')));
    await expectSessionNotFound(await remove(ANONYMOUS));
    expect(toolText(await rpc(request, whoami(2), { sessionId, headers: as('alice') }))).toContain('alice');
    const ended = await remove(as('alice'));
    expect(ended.status).toBe(200);
    await expectSessionNotFound(await postAs(request, sessionId!, as('alice'), whoami(3)));
  });

  it('GET with Last-Event-ID: another principal replays nothing (404); the owner resumes', async () => {
    const { request } = await start({ eventStore: new MemoryEventStore() });
    const { sessionId } = await initialize(request, { headers: as('alice') });
    const call = await postAs(request, sessionId!, as('alice'), whoami(2));
    const events = await new SseReader(call).rest('the tools/call stream');
    const priming = events[0];
    expect(priming?.data).toBe('');
    expect(priming?.id).toBeTruthy();
    await expectSessionNotFound(await getStreamAs(request, sessionId!, as('bob'), priming!.id));
    await expectSessionNotFound(await getStreamAs(request, sessionId!, ANONYMOUS, priming!.id));
    const resumed = await getStreamAs(request, sessionId!, as('alice'), priming!.id);
    expect(resumed.status).toBe(200);
    const replayed = (await new SseReader(resumed).rest('the replay')).map(messageOf);
    expect(replayed).toMatchObject([{ id: 2, result: { content: [{ text: '{"sub":"alice"}' }] } }]);
  });

  it('legacy /messages: a POST from anyone else is 404 and nothing of it reaches the owner’s stream', async () => {
    const { request, url } = await start();
    const stream = new SseReader(
      await request('/sse', { headers: { accept: 'text/event-stream', ...as('alice') } }),
    );
    try {
      const endpoint = await stream.next('the endpoint event');
      const target = new URL(endpoint!.data, url('/sse'));
      const postAt = (who: Record<string, string>, message: unknown) =>
        request(target.pathname + target.search, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...who },
          body: JSON.stringify(message),
        });
      expect((await postAt(as('alice'), initializeRequest('2024-11-05'))).status).toBe(202);
      expect(messageOf((await stream.next('the initialize answer'))!)).toMatchObject({ id: 1 });
      expect(
        (await postAt(as('alice'), { jsonrpc: '2.0', method: 'notifications/initialized' })).status,
      ).toBe(202);

      const foreign = await postAt(as('bob'), whoami(66));
      const text = await foreign.text();
      expect(foreign.status, text).toBe(404);
      expect(JSON.parse(text)).toMatchObject({ error: { data: { code: 'WHARF_SESSION_NOT_FOUND' } } });
      const anonymous = await postAt(ANONYMOUS, whoami(77));
      expect(anonymous.status).toBe(404);
      await anonymous.arrayBuffer();

      // The owner's next answer is the next event on its stream: nothing was answered there for the others.
      expect((await postAt(as('alice'), whoami(3))).status).toBe(202);
      expect(messageOf((await stream.next('the owner’s answer'))!)).toMatchObject({
        id: 3,
        result: { content: [{ text: '{"sub":"alice"}' }] },
      });
    } finally {
      await stream.cancel();
    }
  });

  it('honours a custom principalOf: two users of one tenant share a session, another tenant gets 404', async () => {
    interface User {
      tenant: string;
      user: string;
    }
    const server = new McpServer<{ auth: User }>({ name: 'tenant-test', version: '1.0.0' });
    server.tool('whoami', { description: 'The user' }, (_args, ctx) => ctx.auth?.user ?? 'anonymous');
    const signIn: Middleware<{ auth: User }> = async (request, next) => {
      const [tenant, user] = (request.header('x-user') ?? '').split('/');
      if (tenant && user) request.auth = { tenant, user };
      await next();
    };
    const { request } = await serve(
      server.httpApp({ middleware: [signIn], principalOf: (auth) => auth?.tenant }),
      binding,
      { cleanup },
    );
    const { sessionId } = await initialize(request, { headers: { 'x-user': 'acme/alice' } });
    const bob = await rpc(request, whoami(2), { sessionId, headers: { 'x-user': 'acme/bob' } });
    expect(toolText(bob)).toBe('bob');
    await expectSessionNotFound(await postAs(request, sessionId!, { 'x-user': 'globex/carol' }, whoami(3)));
  });
});
