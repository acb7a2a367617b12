/**
 * The HTTP app around MCP, on both bindings (in-process fetch, real Node socket): custom routes,
 * middleware (order, short-circuit, auth into `ctx.auth`), CORS, the server's startup/shutdown
 * hooks, SSE keep-alive, client disconnects, and validation of the app's options.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  type HttpApp,
  type HttpAppOptions,
  McpServer,
  MemoryEventStore,
  type Middleware,
  type ServerOptions,
  WharfError,
  WharfErrorCode,
} from 'wharf-mcp';
import { z } from 'zod';
import {
  type Binding,
  bindings,
  deferred,
  initialize,
  mcpHeaders,
  mountInNodeHost,
  type NodeHost,
  rawRequest,
  readAnswer,
  rpc,
  type Served,
  serve,
  sseReader,
  toolText,
  watchRequests,
  withTimeout,
} from './support/bindings.js';

const callTool = (id: number, name: string, args: Record<string, unknown> = {}) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name, arguments: args },
});

function newServer(options: Partial<ServerOptions> = {}): McpServer {
  const server = new McpServer({ name: 'http-app-server', version: '1.0.0', ...options });
  server.tool(
    'echo',
    { description: 'Echo the text', inputSchema: z.object({ text: z.string() }) },
    ({ text }) => text,
  );
  server.tool('whoami', { description: 'The auth the host established' }, (_args, ctx) =>
    JSON.stringify(ctx.auth),
  );
  return server;
}

describe.each(bindings)('%s binding', (binding: Binding) => {
  const opened: Served[] = [];

  async function start(options?: HttpAppOptions, server = newServer()): Promise<Served & { app: HttpApp }> {
    const app = server.httpApp(options);
    const served = await serve(app, binding);
    opened.push(served);
    return { ...served, app };
  }

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((served) => served.close()));
  });

  describe('custom routes', () => {
    it('serves a route added with server.route() in every app made from the server', async () => {
      const server = newServer();
      server.route('GET', '/items', (request) =>
        Response.json({ items: [1, 2], query: new URL(request.url).searchParams.get('q') }),
      );
      const one = await start(undefined, server);
      const response = await one.request('/items?q=boats');
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await response.json()).toEqual({ items: [1, 2], query: 'boats' });
      const two = await start(undefined, server);
      expect((await two.request('/items')).status).toBe(200);
    });

    it('serves a route added with app.route() with the request body readable; other apps do not get it', async () => {
      const server = newServer();
      const { app, request } = await start(undefined, server);
      app.route('POST', '/echo', async (req) => {
        const body = await req.text();
        return new Response(
          `${req.method} ${new URL(req.url).pathname} ${req.headers.get('x-tag')} ${body}`,
          {
            status: 201,
            headers: { 'content-type': 'text/plain', 'x-echoed': 'yes' },
          },
        );
      });
      const response = await request('/echo', {
        method: 'POST',
        headers: { 'content-type': 'text/plain', 'x-tag': 't1' },
        body: 'hello body',
      });
      expect(response.status).toBe(201);
      expect(response.headers.get('x-echoed')).toBe('yes');
      expect(await response.text()).toBe('POST /echo t1 hello body');
      const other = await start(undefined, server);
      expect((await other.request('/echo', { method: 'POST', body: 'x' })).status).toBe(404);
    });

    it('answers HEAD for a GET route', async () => {
      const { app, request } = await start();
      app.route('GET', '/items', () => new Response('listing', { headers: { 'x-count': '2' } }));
      const response = await request('/items', { method: 'HEAD' });
      expect(response.status).toBe(200);
      expect(response.headers.get('x-count')).toBe('2');
      await response.arrayBuffer();
    });

    it('answers 500 with a JSON-RPC body when a route throws, and reports the error', async () => {
      const errors: unknown[] = [];
      const { app, request } = await start(undefined, newServer({ onError: (error) => errors.push(error) }));
      app.route('GET', '/broken', () => {
        throw new Error('route exploded');
      });
      const response = await request('/broken');
      expect(response.status).toBe(500);
      const body = (await response.json()) as { error: { message: string } };
      expect(body.error.message).toMatch(/Internal Server Error/);
      expect(errors).toHaveLength(1);
      expect((errors[0] as Error).message).toBe('route exploded');
    });

    it('sends a binary route body byte for byte', async () => {
      const { app, request } = await start();
      const bytes = [0xff, 0x00, 0x80, 0xfe];
      app.route('GET', '/bin', () => new Response(new Uint8Array(bytes)));
      const response = await request('/bin');
      expect([...new Uint8Array(await response.arrayBuffer())]).toEqual(bytes);
    });

    it('keeps every Set-Cookie header a route sets', async () => {
      const { app, request } = await start();
      app.route('GET', '/login', () => {
        const headers = new Headers();
        headers.append('set-cookie', 'a=1');
        headers.append('set-cookie', 'b=2');
        return new Response('ok', { headers });
      });
      const response = await request('/login');
      expect(response.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    });

    it('hands a route a binary request body byte for byte', async () => {
      const { app, request } = await start();
      app.route('POST', '/len', async (req) => new Response(String((await req.arrayBuffer()).byteLength)));
      const response = await request('/len', { method: 'POST', body: new Uint8Array([0xff, 0xfe, 0x00]) });
      expect(await response.text()).toBe('3');
    });

    it('refuses a route body over maxBodyBytes with 413', async () => {
      const { app, request } = await start({ maxBodyBytes: 1024 });
      app.route('POST', '/len', async (req) => new Response(String((await req.arrayBuffer()).byteLength)));
      const response = await request('/len', { method: 'POST', body: 'x'.repeat(3000) });
      expect(response.status).toBe(413);
    });
  });

  describe('middleware', () => {
    it('runs in order (options first, then use()), each around the next', async () => {
      const order: string[] = [];
      const named =
        (name: string): Middleware =>
        async (_request, next) => {
          order.push(`${name}>`);
          await next();
          order.push(`<${name}`);
        };
      const { app, request } = await start({ middleware: [named('a'), named('b')] });
      app.use(named('c'));
      const response = await request('/health');
      expect(response.status).toBe(200);
      await response.arrayBuffer();
      expect(order).toEqual(['a>', 'b>', 'c>', '<c', '<b', '<a']);
    });

    it('short-circuits with request.respond(401): MCP requests stop too, and tools never run', async () => {
      const server = newServer();
      let ran = 0;
      server.tool('count', { description: 'Counts calls' }, () => String(++ran));
      const requireKey: Middleware = async (request, next) => {
        if (request.header('x-api-key') !== 'secret') {
          request.respond(
            401,
            { 'content-type': 'text/plain', 'www-authenticate': 'Bearer' },
            'Unauthorized',
          );
          return;
        }
        await next();
      };
      const { request } = await start({ middleware: [requireKey] }, server);
      const refused = await initialize(request, { complete: false });
      expect(refused.response.status).toBe(401);
      expect(refused.response.headers.get('www-authenticate')).toBe('Bearer');
      expect(await refused.response.text()).toBe('Unauthorized');
      expect(refused.sessionId).toBeUndefined();
      expect((await request('/health')).status).toBe(401);

      const key = { 'x-api-key': 'secret' };
      const { sessionId } = await initialize(request, { headers: key });
      const blocked = await request('/mcp', {
        method: 'POST',
        headers: mcpHeaders(sessionId),
        body: JSON.stringify(callTool(2, 'count')),
      });
      expect(blocked.status).toBe(401);
      await blocked.arrayBuffer();
      expect(ran).toBe(0);
      expect(toolText(await rpc(request, callTool(3, 'count'), { sessionId, headers: key }))).toBe('1');
    });

    it('hands request.auth to tools as ctx.auth (session and stateless)', async () => {
      const auth: Middleware = async (request, next) => {
        request.auth = { user: request.header('x-user'), scopes: ['read'] };
        await next();
      };
      for (const options of [{}, { stateless: true }, { jsonResponse: true }] as HttpAppOptions[]) {
        const { request } = await start({ ...options, middleware: [auth] });
        // The session is bob's (sessions are bound to the principal that opened them).
        const { sessionId } = await initialize(request, { headers: { 'x-user': 'bob' } });
        const answer = await rpc(request, callTool(2, 'whoami'), { sessionId, headers: { 'x-user': 'bob' } });
        expect(JSON.parse(toolText(answer))).toEqual({ user: 'bob', scopes: ['read'] });
      }
    });

    it('hands request.auth to tools called over legacy SSE', async () => {
      const auth: Middleware = async (request, next) => {
        request.auth = { user: 'legacy-user' };
        await next();
      };
      const { request, url } = await start({ middleware: [auth] });
      const events = sseReader(await request('/sse', { headers: { accept: 'text/event-stream' } }));
      try {
        const endpoint = await events.next();
        const target = new URL(endpoint!.data, url('/sse'));
        const post = (message: unknown) =>
          request(target.pathname + target.search, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(message),
          });
        await post({
          jsonrpc: '2.0',
          id: 1,
          method: 'initialize',
          params: {
            protocolVersion: '2024-11-05',
            capabilities: {},
            clientInfo: { name: 't', version: '1' },
          },
        });
        await events.next();
        await post({ jsonrpc: '2.0', method: 'notifications/initialized' });
        await post(callTool(2, 'whoami'));
        const answer = JSON.parse((await events.next())!.data) as { result: { content: { text: string }[] } };
        expect(JSON.parse(answer.result.content[0]!.text)).toEqual({ user: 'legacy-user' });
      } finally {
        await events.cancel();
      }
    });

    it('adds headers set with request.setHeader() to MCP answers', async () => {
      const tag: Middleware = async (request, next) => {
        request.setHeader('x-served-by', 'wharf-test');
        await next();
      };
      const { request } = await start({ middleware: [tag] });
      const { response } = await initialize(request);
      expect(response.headers.get('x-served-by')).toBe('wharf-test');
    });

    it('answers 500 when a middleware neither answers nor calls next()', async () => {
      const { request } = await start({ middleware: [() => undefined] });
      const response = await request('/health');
      expect(response.status).toBe(500);
      const body = (await response.json()) as { error: { message: string } };
      expect(body.error.message).toMatch(/neither answered nor called next/);
    });
  });

  describe('CORS', () => {
    const origin = 'http://localhost:5173';

    it('is off by default: no Access-Control-Allow-Origin, and no preflight answer', async () => {
      const { request } = await start();
      const { response } = await initialize(request, { headers: { origin } });
      expect(response.status).toBe(200);
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
      const preflight = await request('/mcp', {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST' },
      });
      expect(preflight.status).not.toBe(204);
      expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
      await preflight.arrayBuffer();
    });

    it('with cors: true, answers a preflight with 204 allowing the MCP methods and headers', async () => {
      const { request } = await start({ cors: true });
      const preflight = await request('/mcp', {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type, mcp-session-id, mcp-protocol-version',
        },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
      const methods = preflight.headers.get('access-control-allow-methods') ?? '';
      for (const method of ['GET', 'POST', 'DELETE']) expect(methods).toContain(method);
      const allowed = (preflight.headers.get('access-control-allow-headers') ?? '').toLowerCase();
      for (const header of ['content-type', 'mcp-session-id', 'mcp-protocol-version', 'last-event-id']) {
        expect(allowed).toContain(header);
      }
      expect(Number(preflight.headers.get('access-control-max-age'))).toBeGreaterThan(0);
      expect(await preflight.text()).toBe('');
    });

    it('with cors: true, allows the 2026-07-28 request headers, Mcp-Param-* as the preflight names them', async () => {
      const { request } = await start({ cors: true });
      const preflight = await request('/mcp', {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type, mcp-method, mcp-name, mcp-param-region, x-other',
        },
      });
      expect(preflight.status).toBe(204);
      const allowed = (preflight.headers.get('access-control-allow-headers') ?? '')
        .toLowerCase()
        .split(',')
        .map((name) => name.trim());
      expect(allowed).toEqual(expect.arrayContaining(['mcp-method', 'mcp-name', 'mcp-param-region']));
      expect(allowed).not.toContain('x-other');
      await preflight.arrayBuffer();
    });

    it('with cors: true, lets a browser read Mcp-Session-Id (expose-headers) on answers and refusals', async () => {
      const { request } = await start({ cors: true });
      const { response, sessionId } = await initialize(request, { headers: { origin } });
      expect(response.headers.get('access-control-allow-origin')).toBe('*');
      const exposed = (response.headers.get('access-control-expose-headers') ?? '').toLowerCase();
      expect(exposed).toContain('mcp-session-id');
      expect(exposed).toContain('mcp-protocol-version');
      expect(sessionId).toBeDefined();
      const refused = await request('/mcp', {
        method: 'POST',
        headers: mcpHeaders('unknown', { origin }),
        body: JSON.stringify(callTool(2, 'echo', { text: 'x' })),
      });
      expect(refused.status).toBe(404);
      expect(refused.headers.get('access-control-allow-origin')).toBe('*');
      await refused.arrayBuffer();
    });

    it('with cors: true, answers a preflight for a custom route', async () => {
      const { app, request } = await start({ cors: true });
      app.route('POST', '/echo', async (req) => new Response(await req.text()));
      const preflight = await request('/echo', {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST' },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    });

    it('with an origin list, allows a listed origin (echoed, Vary: Origin) and refuses others', async () => {
      // allowedOrigins lets both through the DNS-rebinding guard, so CORS alone decides.
      const { request } = await start({
        cors: { origin: ['https://a.example'] },
        allowedOrigins: ['https://a.example', 'https://b.example'],
      });
      const listed = await initialize(request, { headers: { origin: 'https://a.example' } });
      expect(listed.response.headers.get('access-control-allow-origin')).toBe('https://a.example');
      expect(listed.response.headers.get('vary')).toMatch(/Origin/i);

      const other = await initialize(request, { headers: { origin: 'https://b.example' } });
      expect(other.response.status).toBe(200);
      expect(other.response.headers.get('access-control-allow-origin')).toBeNull();
      expect(other.response.headers.get('access-control-expose-headers')).toBeNull();

      const preflight = await request('/mcp', {
        method: 'OPTIONS',
        headers: { origin: 'https://b.example', 'access-control-request-method': 'POST' },
      });
      expect(preflight.status).not.toBe(204);
      expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
      await preflight.arrayBuffer();
    });

    it('with credentials, echoes the origin and allows credentials', async () => {
      const { request } = await start({ cors: { credentials: true } });
      const { response } = await initialize(request, { headers: { origin } });
      expect(response.headers.get('access-control-allow-origin')).toBe(origin);
      expect(response.headers.get('access-control-allow-credentials')).toBe('true');
    });
  });

  describe('startup and shutdown hooks', () => {
    it('runs onStartup once, not before the first MCP request, and onShutdown once on close()', async () => {
      let started = 0;
      let stopped = 0;
      let ready = false;
      const starting = deferred();
      const finishStartup = deferred();
      const server = newServer({
        onStartup: async () => {
          started++;
          starting.resolve();
          await finishStartup.promise;
          ready = true;
        },
        onShutdown: () => {
          stopped++;
        },
      });
      server.tool('ready', { description: 'Whether startup finished' }, () => String(ready));
      const { app, request } = await start(undefined, server);
      expect(started).toBe(0);

      const health = request('/health').then((response) => response.arrayBuffer());
      const initializing = Promise.all([initialize(request), initialize(request), initialize(request)]);
      // Startup takes until the test lets it finish: the requests wait for it.
      await withTimeout(starting.promise, 'onStartup to run');
      finishStartup.resolve();
      await health;
      const sessions = await initializing;
      expect(started).toBe(1);
      for (const [i, { sessionId }] of sessions.entries()) {
        expect(toolText(await rpc(request, callTool(i + 2, 'ready'), { sessionId }))).toBe('true');
      }
      const stateless = await start({ stateless: true }, server);
      expect(toolText(await rpc(stateless.request, callTool(9, 'ready')))).toBe('true');
      expect(started).toBe(1);
      expect(stopped).toBe(0);

      await app.close();
      await app.close();
      expect(stopped).toBe(1);
      expect(started).toBe(1);
    });

    it('does not run onShutdown when startup never ran', async () => {
      let stopped = 0;
      const { app } = await start(undefined, newServer({ onShutdown: () => void stopped++ }));
      await app.close();
      expect(stopped).toBe(0);
    });

    it('answers 500 while onStartup fails, and retries it on the next initialize', async () => {
      let attempts = 0;
      const errors: unknown[] = [];
      const server = newServer({
        onError: (error) => errors.push(error),
        onStartup: () => {
          attempts++;
          if (attempts === 1) throw new Error('database not up yet');
        },
      });
      const { request } = await start(undefined, server);
      const first = await initialize(request, { complete: false });
      expect(first.response.status).toBe(500);
      const body = (await first.response.json()) as { error: { message: string } };
      expect(body.error.message).toMatch(/Internal Server Error/);
      expect(errors.map((error) => (error as Error).message)).toContain('database not up yet');
      const second = await initialize(request);
      expect(second.response.status).toBe(200);
      expect(attempts).toBe(2);
    });
  });

  describe('SSE streams', () => {
    it('sends keep-alive comments on a GET stream every keepAliveMs', async () => {
      const { request } = await start({ keepAliveMs: 50 });
      const { sessionId } = await initialize(request);
      const stream = await request('/mcp', {
        headers: { accept: 'text/event-stream', 'mcp-session-id': sessionId! },
      });
      expect(stream.status).toBe(200);
      const events = sseReader(stream);
      try {
        expect(await events.nextComment()).toBe('keep-alive');
        expect(await events.nextComment()).toBe('keep-alive');
      } finally {
        await events.cancel();
      }
    });

    it('sends keep-alive comments on a legacy SSE stream', async () => {
      const { request } = await start({ keepAliveMs: 50 });
      const events = sseReader(await request('/sse', { headers: { accept: 'text/event-stream' } }));
      try {
        expect((await events.next())?.event).toBe('endpoint');
        expect(await events.nextComment()).toBe('keep-alive');
      } finally {
        await events.cancel();
      }
    });

    it('sends no keep-alive comments with keepAliveMs: 0', async () => {
      // Keep-alives come from an interval timer: fake it (only it) and step past several of the
      // default's 15 s, then send a message. Comments go out in order with messages, so any sent
      // before it has been read by the time the message is.
      vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
      try {
        const { app, request } = await start({ keepAliveMs: 0 });
        const { sessionId } = await initialize(request);
        const stream = await request('/mcp', {
          headers: { accept: 'text/event-stream', 'mcp-session-id': sessionId! },
        });
        const events = sseReader(stream);
        try {
          await vi.advanceTimersByTimeAsync(60_000);
          app.server.log('info', 'a minute later');
          const message = JSON.parse((await events.next('the log message on the GET stream'))!.data);
          expect(message).toMatchObject({
            method: 'notifications/message',
            params: { data: 'a minute later' },
          });
          expect(events.comments).toEqual([]);
        } finally {
          await events.cancel();
        }
      } finally {
        vi.useRealTimers();
      }
    });

    it('sends keep-alive comments on the SSE answer to a long tools/call', async () => {
      const server = newServer();
      const release = deferred();
      server.tool('slow', { description: 'Waits to be released' }, async () => {
        await release.promise;
        return 'done';
      });
      const { request } = await start({ keepAliveMs: 50 }, server);
      const { sessionId } = await initialize(request);
      const response = await request('/mcp', {
        method: 'POST',
        headers: mcpHeaders(sessionId),
        body: JSON.stringify(callTool(2, 'slow')),
      });
      const events = sseReader(response);
      try {
        expect(await events.nextComment()).toBe('keep-alive');
      } finally {
        release.resolve();
        await events.cancel();
      }
    });

    it("aborts the tool's ctx.signal when the client disconnects from its SSE answer (no event store)", async () => {
      const server = newServer();
      const aborted = deferred<unknown>();
      const running = deferred();
      server.tool('wait', { description: 'Waits for its signal' }, (_args, ctx) => {
        running.resolve();
        return new Promise<string>((resolve) => {
          ctx.signal.addEventListener('abort', () => {
            aborted.resolve(ctx.signal.reason);
            resolve('aborted');
          });
        });
      });
      const { request } = await start(undefined, server);
      const { sessionId } = await initialize(request);
      const controller = new AbortController();
      const response = await request('/mcp', {
        method: 'POST',
        headers: mcpHeaders(sessionId),
        body: JSON.stringify(callTool(2, 'wait')),
        signal: controller.signal,
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/event-stream');
      await withTimeout(running.promise, 'the tool to start');
      controller.abort();
      await withTimeout(aborted.promise, 'ctx.signal to abort');
      // The session outlives the dropped request.
      expect(toolText(await rpc(request, callTool(3, 'echo', { text: 'after' }), { sessionId }))).toBe(
        'after',
      );
    });

    it("leaves the tool's ctx.signal alone on disconnect when an event store can resume the stream", async () => {
      const server = newServer();
      const running = deferred();
      const release = deferred();
      let abortedFlag = false;
      server.tool('wait', { description: 'Waits to be released' }, async (_args, ctx) => {
        ctx.signal.addEventListener('abort', () => {
          abortedFlag = true;
        });
        running.resolve();
        await release.promise;
        return 'finished';
      });
      const watch = watchRequests();
      const { request } = await start(
        { eventStore: new MemoryEventStore(), middleware: [watch.middleware] },
        server,
      );
      const { sessionId } = await initialize(request);
      const controller = new AbortController();
      const response = await request('/mcp', {
        method: 'POST',
        headers: mcpHeaders(sessionId),
        body: JSON.stringify(callTool(2, 'wait')),
        signal: controller.signal,
      });
      expect(response.status).toBe(200);
      await withTimeout(running.promise, 'the tool to start');
      controller.abort();
      // Where the app would abort the signal: as it sees the client go (the tool is still waiting).
      const call = watch.latest((seen) => seen.method === 'POST');
      await withTimeout(call.closed, 'the app to see the client go');
      expect(abortedFlag).toBe(false);
      release.resolve();
      await withTimeout(call.handled, 'the tool call to finish');
      expect(abortedFlag).toBe(false);
    });

    it('ends open streams when the app closes', async () => {
      const { app, request } = await start({ keepAliveMs: 0 });
      const { sessionId } = await initialize(request);
      const stream = await request('/mcp', {
        headers: { accept: 'text/event-stream', 'mcp-session-id': sessionId! },
      });
      const events = sseReader(stream);
      await app.close();
      // A clean end or a torn-down connection: either way the client stops waiting.
      const ended = await events.next().then(
        (event) => event === undefined,
        (error: Error) => !/Timed out/.test(error.message),
      );
      expect(ended).toBe(true);
    });
  });

  describe('readAnswer', () => {
    it('reads the JSON-RPC response of a JSON answer', async () => {
      const { request } = await start({ jsonResponse: true });
      const { sessionId } = await initialize(request);
      const response = await request('/mcp', {
        method: 'POST',
        headers: mcpHeaders(sessionId),
        body: JSON.stringify(callTool(2, 'echo', { text: 'json' })),
      });
      expect(toolText(await readAnswer(response))).toBe('json');
    });
  });
});

describe('node binding: mounted with next()', () => {
  let host: NodeHost | undefined;

  async function mount(options: HttpAppOptions): Promise<string> {
    host = await mountInNodeHost(newServer().httpApp(options), { next: true, nextBody: 'host route' });
    return host.url;
  }

  afterEach(async () => {
    await host?.close();
    host = undefined;
  });

  it("passes a CORS preflight for the host's own path to next()", async () => {
    const base = await mount({ cors: true });
    const response = await fetch(`${base}/elsewhere`, {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:3000', 'access-control-request-method': 'POST' },
    });
    expect(response.status).toBe(418);
  });

  it("passes an OPTIONS request for the host's own path to next(), whatever its Origin", async () => {
    const base = await mount({});
    const response = await fetch(`${base}/elsewhere`, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example' },
    });
    expect(response.status).toBe(418);
  });

  it('passes other requests for paths it does not serve to next()', async () => {
    const base = await mount({ cors: true });
    const response = await fetch(`${base}/elsewhere`, {
      method: 'POST',
      headers: { origin: 'http://localhost:3000' },
    });
    expect(response.status).toBe(418);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(await response.text()).toBe('host route');
  });
});

describe('options validation', () => {
  const invalid = (options: HttpAppOptions): WharfError => {
    try {
      newServer().httpApp(options);
    } catch (error) {
      expect(error).toBeInstanceOf(WharfError);
      return error as WharfError;
    }
    throw new Error(`httpApp(${JSON.stringify(options)}) did not throw`);
  };

  it.each([
    [{ path: 'mcp' }, /"path" must start with "\/"/],
    [{ health: 'status' }, /"health" must start with "\/"/],
    [{ sse: { path: 'events' } }, /"sse\.path" must start with "\/"/],
  ] as [HttpAppOptions, RegExp][])('refuses a path without a leading slash: %j', (options, message) => {
    const error = invalid(options);
    expect(error.code).toBe(WharfErrorCode.InvalidOption);
    expect(error.code).toBe('WHARF_INVALID_OPTION');
    expect(error.message).toMatch(message);
  });

  it.each([
    { health: '/mcp' },
    { sse: { path: '/mcp' } },
    { sse: { messagesPath: '/sse' } },
    { path: '/health' },
    { path: '/api', health: '/api/' },
  ] as HttpAppOptions[])('refuses two routes on one path: %j', (options) => {
    const error = invalid(options);
    expect(error.code).toBe('WHARF_INVALID_OPTION');
    expect(error.message).toMatch(/Two routes share a path/);
  });

  it.each([
    { maxBodyBytes: 0 },
    { maxBodyBytes: -1 },
    { sessionIdleMs: Number.NaN },
    { maxSessions: 0 },
    { keepAliveMs: -5 },
  ] as HttpAppOptions[])('refuses a number that is not positive: %j', (options) => {
    const error = invalid(options);
    expect(error.code).toBe('WHARF_INVALID_OPTION');
    expect(error.message).toMatch(/must be a positive number/);
  });

  it('accepts "/" as the MCP path and keepAliveMs: 0', () => {
    expect(() => newServer().httpApp({ path: '/', keepAliveMs: 0 })).not.toThrow();
  });
});

describe('custom routes behind a proxy (node binding)', () => {
  let app: HttpApp | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  async function urlSeenByRoute(trustProxy: boolean) {
    const server = new McpServer({ name: 'proxy', version: '1.0.0' });
    server.route('GET', '/where', (request) => new Response(request.url));
    app = server.httpApp({ trustProxy });
    const { port } = await app.listen({ port: 0 });
    const forwarded = { 'x-forwarded-host': 'api.example.com', 'x-forwarded-proto': 'https' };
    return rawRequest(`http://127.0.0.1:${port}/where`, { headers: forwarded });
  }

  it('builds the route’s URL from X-Forwarded-Host and X-Forwarded-Proto only with trustProxy', async () => {
    const trusted = await urlSeenByRoute(true);
    expect(trusted.status).toBe(200);
    expect(trusted.body).toBe('https://api.example.com/where');
  });

  it('ignores the forwarded headers without trustProxy', async () => {
    const untrusted = await urlSeenByRoute(false);
    expect(untrusted.body).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/where$/);
  });
});
