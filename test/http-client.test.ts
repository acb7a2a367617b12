/**
 * The official SDK client against a Wharf HTTP app, over both bindings (real node:http and
 * in-process `app.fetch`): Streamable HTTP with SSE answers, with JSON answers, stateless, and the
 * legacy HTTP+SSE transport. Every server message is validated against the spec schema.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  type JSONRPCMessage,
  ListRootsRequestSchema,
  LoggingMessageNotificationSchema,
  type Progress,
} from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { type HttpAppOptions, McpServer, type Middleware } from 'wharf-mcp';
import { z } from 'zod';
import {
  type Binding,
  bindings,
  Cleanup,
  connectSdk,
  progressSeen,
  type SdkConnection,
  type SdkTransportKind,
  type Served,
  SseReader,
  serve,
  textOf,
  until,
  WAIT_MS,
  withTimeout,
} from './support/bindings.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

/** Every request the tests make is bounded by this (the SDK's default is a minute). */
const REQUEST = { timeout: WAIT_MS };

const CAPABILITIES = { sampling: {}, elicitation: { form: {} }, roots: { listChanged: true } };

/** Progress notifications and results in the order the client transport delivered them. */
function wireOrder(received: JSONRPCMessage[]): string[] {
  return received.flatMap((message) => {
    if ('method' in message && message.method === 'notifications/progress') {
      return [`progress ${String(message.params?.progress)}`];
    }
    if ('result' in message && 'content' in message.result) return ['result'];
    return [];
  });
}

/**
 * `progress` is what `count` and `echo` wait on after each progress, until the client's
 * `onprogress` saw it: progress sent in the same chunk as the result reaches onprogress too late
 * (see 'burst' below, which checks the wire order instead). A test that calls them reports what
 * its onprogress sees with `progress.seen(message)`.
 */
function fixtureServer(progress = progressSeen()): McpServer {
  const server = new McpServer({ name: 'http-client-fixture', version: '1.0.0' });
  server.tool('count', { description: 'Counts to three, reporting progress' }, async (_args, ctx) => {
    for (const [step, word] of ['one', 'two', 'three'].entries()) {
      await ctx.progress(step + 1, 3, word);
      await progress.reached(word);
    }
    return 'counted';
  });
  server.tool('burst', { description: 'Reports progress and returns at once' }, async (_args, ctx) => {
    for (let step = 1; step <= 5; step++) await ctx.progress(step, 5);
    return 'burst';
  });
  server.tool('haiku', { description: 'Asks the client’s model for a haiku' }, async (_args, ctx) => {
    const answer = await ctx.sample(
      {
        messages: [{ role: 'user', content: { type: 'text', text: 'A haiku about rain' } }],
        maxTokens: 50,
      },
      { timeoutMs: WAIT_MS },
    );
    return answer.content.type === 'text' ? `${answer.model}: ${answer.content.text}` : 'not text';
  });
  server.tool('ask', { description: 'Asks the user for their name' }, async (_args, ctx) => {
    const answer = await ctx.elicit(
      {
        message: 'What is your name?',
        requestedSchema: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
      },
      { timeoutMs: WAIT_MS },
    );
    return `${answer.action}: ${String(answer.content?.name)}`;
  });
  server.tool('roots', { description: 'Lists the client’s roots' }, async (_args, ctx) => {
    const roots = await ctx.listRoots({ timeoutMs: WAIT_MS });
    return roots.map((root) => root.uri).join(' ');
  });
  server.tool('chatty', { description: 'Logs at several levels' }, async (_args, ctx) => {
    await ctx.log('info', 'starting');
    await ctx.log('warning', { slow: true }, 'upstream');
    await ctx.log('error', 'one part failed');
    return 'logged';
  });
  server.tool(
    'echo',
    {
      description: 'Reports progress tagged with a marker, returns the marker',
      inputSchema: z.object({ marker: z.string() }),
    },
    async ({ marker }, ctx) => {
      for (let step = 1; step <= 3; step++) {
        await ctx.progress(step, 3, `${marker}#${step}`);
        await progress.reached(`${marker}#${step}`);
      }
      return marker;
    },
  );
  server.resource('note', 'memo://note', { description: 'A note', mimeType: 'text/plain' }, () => 'Buy milk');
  server.prompt(
    'greet',
    { description: 'Greets someone', arguments: z.object({ name: z.string() }) },
    ({ name }) => `Say hello to ${name}`,
  );
  return server;
}

function clientHandlers(client: Client): void {
  client.setRequestHandler(CreateMessageRequestSchema, () => ({
    role: 'assistant',
    content: { type: 'text', text: 'Soft rain on the roof' },
    model: 'test-model',
  }));
  client.setRequestHandler(ElicitRequestSchema, () => ({ action: 'accept', content: { name: 'Ada' } }));
  client.setRequestHandler(ListRootsRequestSchema, () => ({
    roots: [
      { uri: 'file:///work', name: 'work' },
      { uri: 'file:///home', name: 'home' },
    ],
  }));
}

/**
 * Middleware that notes each session whose GET stream the app opened, so a JSON-answer test can
 * wait for the stream its notifications and server requests travel on.
 */
function standaloneWatcher() {
  const opened = new Set<string>();
  const middleware: Middleware = async (request, next) => {
    await next();
    const id = request.header('mcp-session-id');
    if (request.method === 'GET' && id && request.answered) opened.add(id);
  };
  return {
    middleware,
    waitFor(sessionId: string | undefined) {
      if (!sessionId) throw new Error('no session id');
      return until(() => opened.has(sessionId), `the GET stream of session ${sessionId}`);
    },
  };
}

function sessionIdOf(transport: StreamableHTTPClientTransport | SSEClientTransport): string | undefined {
  return transport instanceof StreamableHTTPClientTransport ? transport.sessionId : undefined;
}

interface Mode {
  label: string;
  kind: SdkTransportKind;
  app: HttpAppOptions;
  stateful: boolean;
}

const MODES: Mode[] = [
  { label: 'Streamable HTTP with SSE answers', kind: 'streamable', app: {}, stateful: true },
  {
    label: 'Streamable HTTP with JSON answers',
    kind: 'streamable',
    app: { jsonResponse: true },
    stateful: true,
  },
  { label: 'Streamable HTTP, stateless', kind: 'streamable', app: { stateless: true }, stateful: false },
  { label: 'legacy HTTP+SSE', kind: 'sse', app: {}, stateful: true },
];

async function setUp(binding: Binding, mode: Mode, basePath?: string) {
  const watcher = standaloneWatcher();
  const progress = progressSeen();
  const served = await serve(
    fixtureServer(progress).httpApp({ ...mode.app, middleware: [watcher.middleware] }),
    binding,
    { cleanup, ...(basePath ? { basePath } : {}) },
  );
  const connection: SdkConnection<StreamableHTTPClientTransport | SSEClientTransport> =
    mode.kind === 'streamable'
      ? await connectSdk(
          served,
          'streamable',
          { capabilities: CAPABILITIES, handlers: clientHandlers },
          cleanup,
        )
      : await connectSdk(served, 'sse', { capabilities: CAPABILITIES, handlers: clientHandlers }, cleanup);
  // Over Streamable HTTP with a session, notifications and server requests of a JSON-answered
  // call travel on the GET stream the SDK opens after initialize: wait for it.
  if (mode.kind === 'streamable' && mode.stateful) {
    await watcher.waitFor(sessionIdOf(connection.transport));
  }
  return { served, progress, ...connection };
}

describe.each(bindings)('%s binding', (binding) => {
  describe.each(MODES)('$label', (mode) => {
    it('initializes, then lists tools, resources and prompts', async () => {
      const { client, checker, errors } = await setUp(binding, mode);
      expect(client.getServerVersion()).toEqual({ name: 'http-client-fixture', version: '1.0.0' });
      expect(client.getServerCapabilities()).toMatchObject({ tools: {}, resources: {}, prompts: {} });
      const tools = await client.listTools(undefined, REQUEST);
      expect(tools.tools.map((tool) => tool.name).sort()).toEqual(
        ['ask', 'burst', 'chatty', 'count', 'echo', 'haiku', 'roots'].sort(),
      );
      const resources = await client.listResources(undefined, REQUEST);
      expect(resources.resources.map((resource) => resource.uri)).toEqual(['memo://note']);
      const prompts = await client.listPrompts(undefined, REQUEST);
      expect(prompts.prompts.map((prompt) => prompt.name)).toEqual(['greet']);
      checker.assertClean();
      expect(checker.checked).toBeGreaterThanOrEqual(4);
      expect(errors).toEqual([]);
    });

    it('calls a tool with progress: onprogress gets every value before the result', async () => {
      const { client, checker, errors, received, progress: gate } = await setUp(binding, mode);
      const order: string[] = [];
      const seen: Progress[] = [];
      const result = await client.callTool({ name: 'count' }, undefined, {
        ...REQUEST,
        onprogress: (progress) => {
          seen.push(progress);
          order.push(`progress ${progress.progress}`);
          gate.seen(String(progress.message));
        },
      });
      order.push('result');
      expect(textOf(result)).toBe('counted');
      expect(order).toEqual(['progress 1', 'progress 2', 'progress 3', 'result']);
      expect(seen).toEqual([
        { progress: 1, total: 3, message: 'one' },
        { progress: 2, total: 3, message: 'two' },
        { progress: 3, total: 3, message: 'three' },
      ]);
      expect(wireOrder(received)).toEqual(['progress 1', 'progress 2', 'progress 3', 'result']);
      checker.assertClean();
      expect(errors).toEqual([]);
    });

    // With JSON answers the progress travels on the GET stream and the result on the POST: two
    // connections, no order between them, so only the one-stream modes are checked here.
    it.runIf(!mode.app.jsonResponse)(
      'sends a tool’s progress before its result on the wire, even with no pause between them',
      async () => {
        const { client, checker, received } = await setUp(binding, mode);
        const result = await client.callTool({ name: 'burst' }, undefined, {
          ...REQUEST,
          onprogress: () => undefined,
        });
        expect(textOf(result)).toBe('burst');
        expect(wireOrder(received)).toEqual([
          'progress 1',
          'progress 2',
          'progress 3',
          'progress 4',
          'progress 5',
          'result',
        ]);
        checker.assertClean();
      },
    );

    it.runIf(mode.stateful)('round-trips sampling: the tool gets the client’s model answer', async () => {
      const { client, checker, errors } = await setUp(binding, mode);
      const result = await client.callTool({ name: 'haiku' }, undefined, REQUEST);
      expect(result.isError).toBeFalsy();
      expect(textOf(result)).toBe('test-model: Soft rain on the roof');
      checker.assertClean();
      expect(errors).toEqual([]);
    });

    it.runIf(mode.stateful)('round-trips elicitation: the tool gets the user’s answer', async () => {
      const { client, checker, errors } = await setUp(binding, mode);
      const result = await client.callTool({ name: 'ask' }, undefined, REQUEST);
      expect(textOf(result)).toBe('accept: Ada');
      checker.assertClean();
      expect(errors).toEqual([]);
    });

    it.runIf(mode.stateful)('round-trips roots/list', async () => {
      const { client, checker, errors } = await setUp(binding, mode);
      const result = await client.callTool({ name: 'roots' }, undefined, REQUEST);
      expect(textOf(result)).toBe('file:///work file:///home');
      checker.assertClean();
      expect(errors).toEqual([]);
    });

    it.runIf(!mode.stateful)(
      'sampling, elicitation and roots fail fast with an isError result saying the server is stateless',
      async () => {
        const { client, checker } = await setUp(binding, mode);
        for (const name of ['haiku', 'ask', 'roots']) {
          // Failing fast shows in the message: a call that waited for the client would end with
          // its timeout's error instead of one that names the cause.
          const result = await withTimeout(
            client.callTool({ name }, undefined, REQUEST),
            `the stateless ${name} call`,
          );
          expect(result.isError, name).toBe(true);
          expect(textOf(result), name).toMatch(/stateless/i);
        }
        checker.assertClean();
      },
    );

    it('reads a resource and gets a prompt', async () => {
      const { client, checker, errors } = await setUp(binding, mode);
      const read = await client.readResource({ uri: 'memo://note' }, REQUEST);
      expect(read.contents).toEqual([{ uri: 'memo://note', mimeType: 'text/plain', text: 'Buy milk' }]);
      const prompt = await client.getPrompt({ name: 'greet', arguments: { name: 'Ada' } }, REQUEST);
      expect(prompt.messages).toEqual([
        { role: 'user', content: { type: 'text', text: 'Say hello to Ada' } },
      ]);
      checker.assertClean();
      expect(errors).toEqual([]);
    });

    it('delivers logging notifications sent by a tool', async () => {
      const { client, checker, errors } = await setUp(binding, mode);
      const logs: unknown[] = [];
      client.setNotificationHandler(LoggingMessageNotificationSchema, (notification) => {
        logs.push(notification.params);
      });
      expect(textOf(await client.callTool({ name: 'chatty' }, undefined, REQUEST))).toBe('logged');
      // With JSON answers logs travel on the GET stream, which may deliver them after the result.
      await until(() => logs.length >= 3, 'three log messages');
      expect(logs).toEqual([
        { level: 'info', data: 'starting' },
        { level: 'warning', data: { slow: true }, logger: 'upstream' },
        { level: 'error', data: 'one part failed' },
      ]);
      if (mode.stateful) {
        // The level the client sets sticks to its session.
        await client.setLoggingLevel('warning', REQUEST);
        logs.length = 0;
        await client.callTool({ name: 'chatty' }, undefined, REQUEST);
        // The tool logs info, warning, error, in that order on one stream: once the error is
        // here, an info message that got through would be here too.
        const levels = () => logs.map((log) => (log as { level: string }).level);
        await until(() => levels().includes('error'), 'the error log message');
        expect(levels()).toEqual(['warning', 'error']);
      }
      checker.assertClean();
      expect(errors).toEqual([]);
    });
  });

  describe.each([
    { label: 'SSE answers', app: {} },
    { label: 'JSON answers', app: { jsonResponse: true } },
  ])('session termination ($label)', ({ app }) => {
    it('terminateSession() ends the session: a later request with its id gets 404', async () => {
      const mode: Mode = { label: 'terminate', kind: 'streamable', app, stateful: true };
      const { client, transport, served, checker } = await setUp(binding, mode);
      await client.listTools(undefined, REQUEST);
      if (!(transport instanceof StreamableHTTPClientTransport)) throw new Error('not Streamable HTTP');
      const sessionId = transport.sessionId;
      expect(sessionId).toBeTruthy();
      await withTimeout(transport.terminateSession(), 'the DELETE to end the session');
      const response = await withTimeout(
        served.fetch(served.mcpUrl, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            accept: 'application/json, text/event-stream',
            'mcp-session-id': sessionId!,
            'mcp-protocol-version': '2025-11-25',
          },
          body: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/list' }),
        }),
        'the POST on the ended session',
      );
      expect(response.status).toBe(404);
      const body = (await response.json()) as { jsonrpc: string; error: { code: number; message: string } };
      expect(body.jsonrpc).toBe('2.0');
      expect(body.error.message).toMatch(/session/i);
      // A GET (and a DELETE) on the ended session are refused the same way.
      const get = await served.fetch(served.mcpUrl, {
        headers: { accept: 'text/event-stream', 'mcp-session-id': sessionId! },
      });
      expect(get.status).toBe(404);
      await get.body?.cancel();
      checker.assertClean();
    });
  });

  it.runIf(binding === 'fetch')(
    'mounted under /outer: Streamable HTTP and legacy SSE both work under the prefix',
    async () => {
      for (const kind of ['streamable', 'sse'] as const) {
        const mode: Mode = { label: kind, kind, app: {}, stateful: true };
        const { client, checker, errors, served, progress: gate } = await setUp(binding, mode, '/outer');
        expect(served.mcpUrl.pathname).toBe('/outer/mcp');
        const seen: Progress[] = [];
        const result = await client.callTool({ name: 'count' }, undefined, {
          ...REQUEST,
          onprogress: (progress) => {
            seen.push(progress);
            gate.seen(String(progress.message));
          },
        });
        expect(textOf(result), kind).toBe('counted');
        expect(
          seen.map((progress) => progress.progress),
          kind,
        ).toEqual([1, 2, 3]);
        expect(textOf(await client.callTool({ name: 'haiku' }, undefined, REQUEST)), kind).toBe(
          'test-model: Soft rain on the roof',
        );
        checker.assertClean();
        expect(errors, kind).toEqual([]);
      }
    },
  );
});

describe.each(bindings)('%s binding, more on sessions', (binding) => {
  it('closing a legacy SSE client ends its session: its messages endpoint then answers 404', async () => {
    const posts: string[] = [];
    const watch: Middleware = async (request, next) => {
      if (request.method === 'POST') posts.push(`${request.path}?${request.query}`);
      await next();
    };
    const served = await serve(fixtureServer().httpApp({ middleware: [watch] }), binding, { cleanup });
    const { client, checker, close } = await connectSdk(served, 'sse', {}, cleanup);
    await client.listTools(undefined, REQUEST);
    checker.assertClean();
    const endpoint = new URL(posts[0]!, served.sseUrl);
    expect(endpoint.pathname).toBe('/messages');
    await close();
    // The app sees the stream close when the connection does, which on a socket comes later.
    await until(async () => {
      const response = await served.fetch(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'ping' }),
      });
      await response.body?.cancel();
      return response.status === 404;
    }, 'the messages endpoint of the closed session to answer 404');
  });

  // Found as a bug: with JSON answers a tool's messages go to the session's GET stream; with none
  // open a server request was silently dropped and the tool waited for an answer that could never
  // come, until its timeout (requestTimeoutMs, 60 s by default).
  it('JSON answers, no GET stream open: a tool’s sampling request fails fast', async () => {
    const served = await serve(fixtureServer().httpApp({ jsonResponse: true }), binding, { cleanup });
    const rpc = async (message: unknown, sessionId?: string) =>
      served.fetch(served.mcpUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          ...(sessionId ? { 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25' } : {}),
        },
        body: JSON.stringify(message),
      });
    const init = await rpc({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: {
        protocolVersion: '2025-11-25',
        capabilities: { sampling: {} },
        clientInfo: { name: 'raw', version: '1' },
      },
    });
    const sessionId = init.headers.get('mcp-session-id')!;
    expect(((await init.json()) as { result: unknown }).result).toBeTruthy();
    (await rpc({ jsonrpc: '2.0', method: 'notifications/initialized' }, sessionId)).body?.cancel();
    // The tool's own timeout is WAIT_MS: a call that waited for it would fail with a timeout,
    // not with the message that names the missing GET stream.
    const answer = await withTimeout(
      rpc({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'haiku' } }, sessionId).then(
        (response) => response.json() as Promise<{ result: { isError?: boolean } }>,
      ),
      'the sampling tool to answer',
    );
    expect(answer.result.isError).toBe(true);
    expect(textOf(answer.result)).toMatch(/GET stream/);
  });
});

describe('fetch binding mounted under a prefix, legacy endpoint', () => {
  it('the endpoint event resolves under the prefix, and POSTs there reach the app', async () => {
    const served = await serve(fixtureServer().httpApp(), 'fetch', { basePath: '/outer', cleanup });
    const response = await served.fetch(served.sseUrl, { headers: { accept: 'text/event-stream' } });
    expect(response.status).toBe(200);
    const reader = new SseReader(response);
    cleanup.add(() => reader.cancel());
    const endpoint = await reader.next('the endpoint event');
    expect(endpoint?.event).toBe('endpoint');
    const target = new URL(endpoint!.data, served.sseUrl);
    expect(target.pathname).toBe('/outer/messages');
    expect(target.searchParams.get('sessionId')).toBeTruthy();
    const post = await served.fetch(target, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: {
          protocolVersion: '2024-11-05',
          capabilities: {},
          clientInfo: { name: 'raw', version: '1' },
        },
      }),
    });
    expect(post.status).toBe(202);
    await post.body?.cancel();
    const answer = await reader.next('the initialize result on the SSE stream');
    expect(JSON.parse(answer!.data)).toMatchObject({ id: 1, result: { protocolVersion: '2024-11-05' } });
  });
});

describe('100 concurrent sessions (node binding)', () => {
  it('each client gets exactly its own result and only its own progress', async () => {
    const progress = progressSeen();
    const served: Served = await serve(fixtureServer(progress).httpApp(), 'node', { cleanup });
    const count = 100;
    const markers = Array.from(
      { length: count },
      (_, i) => `client-${i}-${Math.random().toString(36).slice(2, 8)}`,
    );
    const connections = await withTimeout(
      Promise.all(markers.map((marker) => connectSdk(served, 'streamable', { name: marker }, cleanup))),
      `${count} clients to connect`,
      15_000,
    );
    const sessionIds = new Set(connections.map(({ transport }) => transport.sessionId));
    expect(sessionIds.size).toBe(count);
    const outcomes = await withTimeout(
      Promise.all(
        connections.map(async ({ client }, i) => {
          const marker = markers[i]!;
          const seen: string[] = [];
          const result = await client.callTool({ name: 'echo', arguments: { marker } }, undefined, {
            timeout: 15_000,
            onprogress: ({ message }) => {
              seen.push(String(message));
              progress.seen(String(message));
            },
          });
          return { marker, text: textOf(result), progress: seen };
        }),
      ),
      `${count} concurrent tool calls`,
      15_000,
    );
    for (const { marker, text, progress } of outcomes) {
      expect(text).toBe(marker);
      expect(progress).toEqual([`${marker}#1`, `${marker}#2`, `${marker}#3`]);
    }
    for (const { checker, errors } of connections) {
      checker.assertClean();
      expect(errors).toEqual([]);
    }
  }, 30_000);
});
