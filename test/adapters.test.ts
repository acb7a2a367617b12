/**
 * The framework adapters (toExpress for Express 5 and 4, toFastify, toKoa, toHono on Node and in
 * process, toNodeHandler) with the official SDK client, over Streamable HTTP and legacy SSE, under
 * three mount layouts: a prefix (`/mcp-server` + `/mcp`), the app at `/` mounted at `/mcp`, and a
 * nested mount (`/outer/inner`: routers in routers, plugins in plugins, mounts in mounts, sub-apps).
 * Every server message is validated against the spec schema of the negotiated version.
 *
 * Then, per host: its own routes and 404/error handlers keep working beside the app, a body the
 * host already parsed reaches MCP, compression middleware does not hold back SSE, the host's auth
 * reaches tools as `ctx.auth` (and its 401 keeps requests from MCP), and `app.close()` ends an open
 * legacy stream.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport, SseError } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CreateMessageRequestSchema, type Progress } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { McpServer } from 'wharf-mcp';
import { z } from 'zod';
import {
  mcpHeaders,
  messageOf,
  progressSeen,
  type RequestFn,
  initialize as rawInitialize,
  SseReader,
  textOf,
  until,
  WAIT_MS,
  withTimeout,
} from './support/bindings.js';
import {
  HOST_ERROR,
  HOST_NOT_FOUND,
  type Host,
  type HostExtras,
  hosts,
  ITEMS,
  type Layout,
  layouts,
  type RunningHost,
} from './support/hosts.js';
import { checkedTransport, WireChecker } from './support/wire-validator.js';

/** Every SDK request is bounded by this (the SDK's default is a minute). */
const REQUEST = { timeout: WAIT_MS };

type Kind = 'streamable' | 'legacy';
const KINDS: readonly Kind[] = ['streamable', 'legacy'];

// ---------------------------------------------------------------------------------------------
// Fixture
// ---------------------------------------------------------------------------------------------

function fixture() {
  /** How many times each tool ran. */
  const calls: Record<string, number> = {};
  const ran = (name: string) => {
    calls[name] = (calls[name] ?? 0) + 1;
  };
  /** `count` and `slow` go on after a progress once the test reports the client saw it. */
  const progress = progressSeen();
  const server = new McpServer({ name: 'adapters-fixture', version: '1.0.0' });
  server.tool('count', { description: 'Counts to three, reporting progress' }, async (_args, ctx) => {
    ran('count');
    for (const [step, word] of ['one', 'two', 'three'].entries()) {
      await ctx.progress(step + 1, 3, word);
      await progress.reached(word);
    }
    return 'counted';
  });
  server.tool('haiku', { description: 'Asks the client’s model for a haiku' }, async (_args, ctx) => {
    ran('haiku');
    const answer = await ctx.sample(
      { messages: [{ role: 'user', content: { type: 'text', text: 'A haiku about rain' } }], maxTokens: 50 },
      { timeoutMs: WAIT_MS },
    );
    return answer.content.type === 'text' ? `${answer.model}: ${answer.content.text}` : 'not text';
  });
  server.tool('whoami', { description: 'What the host’s auth established' }, (_args, ctx) => {
    ran('whoami');
    return JSON.stringify(ctx.auth ?? null);
  });
  server.tool('session', { description: 'The MCP session id' }, (_args, ctx) => {
    ran('session');
    return String(ctx.sessionId);
  });
  server.tool(
    'slow',
    { description: 'Reports progress, returns once the client saw it' },
    async (_args, ctx) => {
      ran('slow');
      await ctx.progress(1, 2, 'started');
      await progress.reached('started');
      return 'finished';
    },
  );
  server.tool(
    'echo',
    { description: 'Returns its text', inputSchema: z.object({ text: z.string() }) },
    ({ text }) => {
      ran('echo');
      return text;
    },
  );
  server.resource('note', 'memo://note', { description: 'A note', mimeType: 'text/plain' }, () => 'Buy milk');
  return { server, calls, progress };
}

interface Connection {
  client: Client;
  transport: StreamableHTTPClientTransport | SSEClientTransport;
  checker: WireChecker;
  /** What the client reported through `onerror`. */
  errors: Error[];
  close(): Promise<void>;
}

async function connect(
  running: RunningHost,
  kind: Kind,
  headers?: Record<string, string>,
): Promise<Connection> {
  const checker = new WireChecker();
  const requestInit = headers ? { headers } : undefined;
  const inner =
    kind === 'streamable'
      ? new StreamableHTTPClientTransport(running.mcpUrl, {
          ...(running.transportOptions.fetch ? { fetch: running.transportOptions.fetch } : {}),
          ...(requestInit ? { requestInit } : {}),
          reconnectionOptions: {
            maxRetries: 0,
            initialReconnectionDelay: 50,
            maxReconnectionDelay: 50,
            reconnectionDelayGrowFactor: 1,
          },
        })
      : new SSEClientTransport(running.sseUrl, {
          ...running.transportOptions,
          ...(requestInit ? { requestInit } : {}),
        });
  const transport = checkedTransport(inner, checker);
  const client = new Client(
    { name: 'adapters-test-client', version: '1.0.0' },
    { capabilities: { sampling: {} } },
  );
  const errors: Error[] = [];
  client.onerror = (error) => errors.push(error);
  client.setRequestHandler(CreateMessageRequestSchema, () => ({
    role: 'assistant',
    content: { type: 'text', text: 'Soft rain on the roof' },
    model: 'test-model',
  }));
  await withTimeout(client.connect(transport), `the ${kind} client to connect to ${running.mcpUrl.href}`);
  let done = false;
  return {
    client,
    transport,
    checker,
    errors,
    async close() {
      if (done) return;
      done = true;
      await withTimeout(client.close(), 'the client to close');
    },
  };
}

/** A raw POST of one JSON-RPC message to the Streamable HTTP endpoint. */
function rawPost(
  running: RunningHost,
  message: unknown,
  sessionId?: string,
  extra: Record<string, string> = {},
): Promise<Response> {
  return withTimeout(
    running.fetch(running.mcpUrl, {
      method: 'POST',
      headers: { ...mcpHeaders(sessionId, extra), 'mcp-protocol-version': '2025-11-25' },
      body: JSON.stringify(message),
    }),
    `a raw POST to ${running.mcpUrl.href}`,
  );
}

/** The legacy messages endpoint of a session (what the `endpoint` event names). */
function messagesUrl(running: RunningHost, sessionId: string): URL {
  return new URL(`messages?sessionId=${sessionId}`, running.sseUrl);
}

/** Starts a host with a fresh fixture app; everything is stopped by `stop()`. */
async function startHost(host: Host, layout: Layout, extras?: HostExtras) {
  const { server, calls, progress } = fixture();
  const app = server.httpApp({ path: layout.appPath });
  const running = await host.start(app, layout, extras);
  const connections: Connection[] = [];
  return {
    app,
    calls,
    progress,
    running,
    async connect(kind: Kind, headers?: Record<string, string>) {
      const connection = await connect(running, kind, headers);
      connections.push(connection);
      return connection;
    },
    async stop() {
      for (const connection of connections.splice(0)) await connection.close().catch(() => undefined);
      await withTimeout(app.close(), 'the app to close');
      await withTimeout(running.close(), 'the host to close');
    },
  };
}

type Started = Awaited<ReturnType<typeof startHost>>;

// ---------------------------------------------------------------------------------------------
// The matrix: host × transport × layout
// ---------------------------------------------------------------------------------------------

describe.each(hosts)('$name', (host) => {
  describe.each(KINDS)('%s', (kind) => {
    describe.each(layouts)('$name layout ($mount + $appPath)', (layout) => {
      let started: Started;
      let connection: Connection;

      beforeAll(async () => {
        started = await startHost(host, layout);
        connection = await started.connect(kind);
      });
      afterAll(() => started?.stop());

      it('initializes and lists tools', async () => {
        const { client, checker, errors } = connection;
        expect(client.getServerVersion()).toEqual({ name: 'adapters-fixture', version: '1.0.0' });
        const tools = await client.listTools(undefined, REQUEST);
        expect(tools.tools.map((tool) => tool.name).sort()).toEqual(
          ['count', 'echo', 'haiku', 'session', 'slow', 'whoami'].sort(),
        );
        checker.assertClean();
        expect(errors).toEqual([]);
      });

      it('calls a tool with progress: onprogress sees every step before the result', async () => {
        const { client, checker, errors } = connection;
        const order: string[] = [];
        const seen: Progress[] = [];
        const result = await client.callTool({ name: 'count' }, undefined, {
          ...REQUEST,
          onprogress: (progress) => {
            seen.push(progress);
            order.push(`progress ${progress.progress}`);
            started.progress.seen(String(progress.message));
          },
        });
        order.push('result');
        expect(textOf(result)).toBe('counted');
        expect(order).toEqual(['progress 1', 'progress 2', 'progress 3', 'result']);
        expect(seen.map((progress) => progress.message)).toEqual(['one', 'two', 'three']);
        checker.assertClean();
        expect(errors).toEqual([]);
      });

      it('round-trips sampling: the tool gets the client’s model answer', async () => {
        const { client, checker, errors } = connection;
        const result = await client.callTool({ name: 'haiku' }, undefined, REQUEST);
        expect(textOf(result)).toBe('test-model: Soft rain on the roof');
        checker.assertClean();
        expect(errors).toEqual([]);
      });

      it('reads a resource', async () => {
        const { client, checker, errors } = connection;
        const read = await client.readResource({ uri: 'memo://note' }, REQUEST);
        expect(read.contents).toEqual([{ uri: 'memo://note', mimeType: 'text/plain', text: 'Buy milk' }]);
        checker.assertClean();
        expect(errors).toEqual([]);
      });

      it('ends the session (Streamable: DELETE, then its id gets 404; legacy: closing the client)', async () => {
        const { client, transport, checker, errors } = connection;
        const sessionId = textOf(await client.callTool({ name: 'session' }, undefined, REQUEST));
        if (transport instanceof StreamableHTTPClientTransport) {
          expect(transport.sessionId).toBe(sessionId);
          await withTimeout(transport.terminateSession(), 'the DELETE that ends the session');
          const after = await rawPost(
            started.running,
            { jsonrpc: '2.0', id: 9, method: 'tools/list' },
            sessionId,
          );
          expect(after.status).toBe(404);
          expect(((await after.json()) as { error: { message: string } }).error.message).toMatch(/session/i);
          checker.assertClean();
          // The app ends the session's GET stream too; the SDK then gives up reconnecting it, and says so.
          expect(errors.filter((error) => !/reconnection attempts/.test(error.message))).toEqual([]);
          await connection.close();
        } else {
          // The session's messages endpoint answers 202 while it lives, 404 once the stream closed.
          const post = () =>
            started.running.fetch(messagesUrl(started.running, sessionId), {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
            });
          const alive = await post();
          await alive.body?.cancel();
          expect(alive.status).toBe(202);
          checker.assertClean();
          expect(errors).toEqual([]);
          await connection.close();
          await until(async () => {
            const response = await post();
            await response.body?.cancel();
            return response.status === 404;
          }, 'the legacy session to end once its client closed');
        }
      });
    });
  });
});

// ---------------------------------------------------------------------------------------------
// Per host: beside the host's own routes and middleware (nested layout)
// ---------------------------------------------------------------------------------------------

const NESTED = layouts.find((layout) => layout.name === 'nested')!;

async function getJson(running: RunningHost, path: string) {
  const response = await withTimeout(running.fetch(`${running.baseUrl}${path}`), `GET ${path}`);
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text, the assertion shows it
  }
  return { status: response.status, body };
}

describe.each(hosts)('$name beside its host', (host) => {
  const stops: Started[] = [];
  afterEach(async () => {
    for (const started of stops.splice(0)) await started.stop();
  });
  async function start(extras?: HostExtras) {
    const started = await startHost(host, NESTED, extras);
    stops.push(started);
    return started;
  }

  it('keeps its own route, 404 and error handlers; the app answers its own paths', async () => {
    const { running } = await start();
    expect(await getJson(running, '/items')).toEqual({ status: 200, body: ITEMS });
    expect(await getJson(running, '/nowhere')).toMatchObject({
      status: 404,
      body: { error: HOST_NOT_FOUND },
    });
    expect(await getJson(running, '/boom')).toMatchObject({ status: 500, body: { error: HOST_ERROR } });
    expect(await getJson(running, `${NESTED.mount}/health`)).toEqual({ status: 200, body: { status: 'ok' } });
  });

  it('hands paths under the mount that the app does not own to the host’s 404 handler', async () => {
    const { running } = await start();
    expect(await getJson(running, `${NESTED.mount}/nowhere`)).toMatchObject({
      status: 404,
      body: { error: HOST_NOT_FOUND },
    });
  });

  it('serves MCP when the host already parsed the JSON body', async () => {
    const started = await start({ parseBody: true });
    for (const kind of KINDS) {
      const before = started.running.stats.parsed;
      const { client, checker, errors } = await started.connect(kind);
      const result = await client.callTool(
        { name: 'echo', arguments: { text: `parsed ${kind}` } },
        undefined,
        REQUEST,
      );
      expect(textOf(result)).toBe(`parsed ${kind}`);
      expect(started.running.stats.parsed, 'bodies the host parsed').toBeGreaterThan(before);
      checker.assertClean();
      expect(errors).toEqual([]);
    }
  });

  it('streams SSE through the host’s compression middleware without holding it back', async () => {
    const started = await start({ compress: true });
    const { running } = started;
    // The SDK client: `slow` returns only once the client saw its progress, so the call can only
    // finish if the progress came through while the response was still open, not held back.
    const { client, checker, errors } = await started.connect('streamable');
    const seen: string[] = [];
    const result = await client.callTool({ name: 'slow' }, undefined, {
      ...REQUEST,
      onprogress: ({ message }) => {
        seen.push(String(message));
        started.progress.seen(String(message));
      },
    });
    expect(textOf(result)).toBe('finished');
    expect(seen).toEqual(['started']);
    checker.assertClean();
    expect(errors).toEqual([]);

    // The host's compression is live: its own JSON route comes back gzipped.
    const items = await running.fetch(`${running.baseUrl}/items`, { headers: { 'accept-encoding': 'gzip' } });
    expect(items.headers.get('content-encoding')).toBe('gzip');
    await items.body?.cancel();

    // On the raw stream, asking for gzip: the progress event must arrive while the tool waits for it.
    const request: RequestFn = (_path, init) => running.fetch(running.mcpUrl, init);
    const gzip = { 'accept-encoding': 'gzip' };
    const { sessionId } = await withTimeout(rawInitialize(request, { headers: gzip }), 'a raw initialize');
    const response = await rawPost(
      running,
      {
        jsonrpc: '2.0',
        id: 2,
        method: 'tools/call',
        params: { name: 'slow', _meta: { progressToken: 'p' } },
      },
      sessionId,
      gzip,
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    // Wharf marks SSE `Cache-Control: no-transform`, which the compression middleware respect.
    expect(response.headers.get('content-encoding')).toBeNull();
    const reader = new SseReader(response);
    const methods: string[] = [];
    for (;;) {
      const event = await reader.next('the slow tool’s events');
      if (!event) break;
      const message = messageOf(event);
      if (!message) continue;
      methods.push(String(message.method ?? 'result'));
      if (message.method === 'notifications/progress') started.progress.seen('started');
      if ('result' in message) break;
    }
    await reader.cancel();
    expect(methods).toEqual(['notifications/progress', 'result']);
  });

  it('gives tools the user the host’s auth established; what it refuses never reaches MCP', async () => {
    const started = await start({ auth: true });
    for (const kind of KINDS) {
      const { client, checker, errors, transport } = await started.connect(kind, {
        authorization: `Bearer alice-${kind}`,
      });
      const who = JSON.parse(
        textOf(await client.callTool({ name: 'whoami' }, undefined, REQUEST)),
      ) as unknown;
      expect(who).toEqual({ sub: `alice-${kind}`, host: host.name });
      checker.assertClean();
      expect(errors).toEqual([]);
      if (transport instanceof StreamableHTTPClientTransport) {
        // The live session's id, without credentials: the host answers 401 and the tool never runs.
        const ran = started.calls.whoami;
        const rejected = started.running.stats.rejected;
        const response = await rawPost(
          started.running,
          { jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name: 'whoami' } },
          transport.sessionId,
        );
        expect(response.status).toBe(401);
        expect(await response.json()).toEqual({ error: 'unauthorized' });
        expect(started.running.stats.rejected).toBe(rejected + 1);
        expect(started.calls.whoami).toBe(ran);
        // The next call with credentials is the only one more to run: the refused one never will.
        await client.callTool({ name: 'whoami' }, undefined, REQUEST);
        expect(started.calls.whoami).toBe((ran ?? 0) + 1);
      }
    }
    // Nor does an initialize, or a legacy stream, without credentials.
    const init = await rawPost(started.running, {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'x', version: '1' } },
    });
    expect(init.status).toBe(401);
    await init.body?.cancel();
    const stream = await started.running.fetch(started.running.sseUrl, {
      headers: { accept: 'text/event-stream' },
    });
    expect(stream.status).toBe(401);
    await stream.body?.cancel();
  });

  it('app.close() ends an open legacy SSE stream and its session', async () => {
    const started = await start();
    const { running, app } = started;
    const connection = await started.connect('legacy');
    const sessionId = textOf(await connection.client.callTool({ name: 'session' }, undefined, REQUEST));
    // A raw stream too, to see its end on the wire.
    const raw = await running.fetch(running.sseUrl, { headers: { accept: 'text/event-stream' } });
    expect(raw.status).toBe(200);
    const reader = new SseReader(raw);
    const endpoint = await reader.next('the endpoint event');
    expect(endpoint?.event).toBe('endpoint');

    await withTimeout(app.close(), 'app.close()');
    expect(await reader.rest('the raw stream to end after app.close()')).toEqual([]);
    expect(reader.ended).toBe(true);
    // The SDK client sees its stream end: its EventSource reports an SseError (and would reconnect).
    await until(() => connection.errors.length > 0, 'the SDK client to see its stream end');
    expect(connection.errors[0]).toBeInstanceOf(SseError);
    await connection.close();
    const post = await running.fetch(messagesUrl(running, sessionId), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'ping' }),
    });
    // The closed app refuses everything under its mount, that session's messages URL included.
    expect(post.status).toBe(503);
    expect(await post.text()).toContain('closed');
  });

  it('opens no new session once app.close() has run', async () => {
    const { running, app } = await start();
    await withTimeout(app.close(), 'app.close()');
    const response = await rawPost(running, {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'late', version: '1' } },
    });
    await response.body?.cancel();
    expect(response.headers.get('mcp-session-id')).toBeNull();
    expect(response.status).not.toBe(200);
  });
});
