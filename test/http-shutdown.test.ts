/**
 * Clean shutdown and slow clients (issue 12, items 4 and 5b). `app.close()` lets calls in flight
 * finish within `shutdownGraceMs` while new requests get 503 `WHARF_SHUTTING_DOWN`; a call still
 * running after that is answered with a JSON-RPC error the way it expects (its SSE answer, its JSON
 * body, the legacy stream) and its handler's `ctx.signal` aborts; open streams then end cleanly.
 * `app.listen()` does the same on SIGTERM (a real child process) and cuts off clients that are too
 * slow to send a request (`headersTimeout`, `requestTimeout`), never a long answer.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { connect } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { McpError as SdkMcpError } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { type HttpApp, type HttpAppOptions, McpError, McpServer, WharfError } from 'wharf-mcp';
import { z } from 'zod';
import {
  type Binding,
  bindings,
  Cleanup,
  connectSdk,
  deferred,
  initialize,
  initializeRequest,
  type JsonRpcAnswer,
  mcpHeaders,
  type RequestFn,
  readAnswer,
  rpc,
  type SseReader,
  serve,
  sseReader,
  toolText,
  until,
  withTimeout,
} from './support/bindings.js';

const INTERNAL_ERROR = -32603;
const SHUTTING_DOWN = 'WHARF_SHUTTING_DOWN';
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const FIXTURE = 'test/fixtures/shutdown-server.ts';

/** A server whose `wait` tool runs until `gate` settles (never, if it never does). */
function waitingServer(gate: Promise<void>) {
  const started = new Set<string>();
  const aborted = new Map<string, unknown>();
  const server = new McpServer({ name: 'shutdown-test', version: '1.0.0' });
  server.tool(
    'wait',
    { description: 'Waits for the test', inputSchema: z.object({ label: z.string() }) },
    async ({ label }, ctx) => {
      ctx.signal.addEventListener('abort', () => aborted.set(label, ctx.signal.reason), { once: true });
      started.add(label);
      await gate;
      return `done ${label}`;
    },
  );
  return { server, started, aborted };
}

const callWait = (id: number, label: string) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name: 'wait', arguments: { label } },
});

/** Asserts a refusal by its code: status, JSON-RPC code, the Wharf code in `error.data.code`. */
async function expectRefusal(response: Response, status: number, code: string) {
  const text = await response.text();
  expect(response.status, text).toBe(status);
  const body = JSON.parse(text) as { error: { code: number; data?: unknown } };
  expect(body.error.data).toEqual({ code });
  expect(body.error.code).toBe(INTERNAL_ERROR);
}

/** The answer to a call cut off by shutdown: a JSON-RPC error to its id, with the Wharf code. */
function expectShuttingDown(answer: JsonRpcAnswer | Record<string, unknown> | undefined, id: number) {
  expect(answer).toMatchObject({
    jsonrpc: '2.0',
    id,
    error: {
      code: INTERNAL_ERROR,
      message: expect.stringMatching(/shutting down/),
      data: { code: SHUTTING_DOWN },
    },
  });
  expect(answer).not.toHaveProperty('result');
}

/** Three calls in flight, one per way of answering, plus the session's open GET stream. */
interface InFlight {
  /** Answered on its own SSE stream (id 2). */
  sse: Promise<Response>;
  /** Answered with a JSON body: the client accepts nothing else (id 3). */
  json: Promise<Response>;
  /** Answered on the legacy SSE stream (id 4), which is `legacyStream`. */
  legacyStream: SseReader;
  /** The Streamable HTTP session's GET stream. */
  getStream: SseReader;
  sessionId: string;
}

async function startCalls(request: RequestFn, started: Set<string>): Promise<InFlight> {
  const { sessionId } = await initialize(request);
  const post = (message: unknown, accept?: string) =>
    request('/mcp', {
      method: 'POST',
      headers: mcpHeaders(sessionId, accept ? { accept } : {}),
      body: JSON.stringify(message),
    });
  const get = await request('/mcp', {
    headers: { accept: 'text/event-stream', 'mcp-session-id': sessionId! },
  });
  expect(get.status).toBe(200);
  const getStream = sseReader(get);

  const legacy = await request('/sse', { headers: { accept: 'text/event-stream' } });
  const legacyStream = sseReader(legacy);
  const endpoint = await legacyStream.next('the endpoint event');
  const messages = `/${endpoint!.data}`;
  const postLegacy = async (message: unknown) => {
    const response = await request(messages, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(message),
    });
    expect(response.status).toBe(202);
    await response.arrayBuffer();
  };
  await postLegacy(initializeRequest('2024-11-05'));
  expect(await legacyStream.next('the legacy initialize answer')).toBeDefined();
  await postLegacy({ jsonrpc: '2.0', method: 'notifications/initialized' });
  await postLegacy(callWait(4, 'legacy'));

  // Not awaited: on Node an SSE answer's headers leave with its first event.
  const sse = post(callWait(2, 'sse'));
  const json = post(callWait(3, 'json'), 'application/json');
  await until(() => started.size === 3, 'the three calls to start');
  return { sse, json, legacyStream, getStream, sessionId: sessionId! };
}

/** The legacy stream's next message event, parsed. */
async function nextLegacyMessage(stream: SseReader): Promise<Record<string, unknown>> {
  const event = await stream.next('an answer on the legacy stream');
  expect(event?.event ?? 'message').toBe('message');
  return JSON.parse(event!.data) as Record<string, unknown>;
}

describe.each(bindings)('app.close() with calls in flight (%s binding)', (binding: Binding) => {
  const cleanup = new Cleanup();
  afterEach(() => cleanup.run());

  async function start(gate: Promise<void>, options: HttpAppOptions) {
    const waiting = waitingServer(gate);
    const app = waiting.server.httpApp({ keepAliveMs: 0, ...options });
    const served = await serve(app, binding, { cleanup });
    return { ...waiting, app, served };
  }

  it('refuses new work with 503 while calls finish, answers each call, then ends the streams cleanly', async () => {
    const gate = deferred();
    const { app, served, started, aborted } = await start(gate.promise, { shutdownGraceMs: 20_000 });
    const { request } = served;
    const calls = await startCalls(request, started);

    let closed = false;
    const closing = app.close();
    void closing.then(() => {
      closed = true;
    });
    expect(app.close()).toBe(closing);

    // New sessions and new calls on an existing session alike: 503, and the connection closes.
    const newSession = await request('/mcp', {
      method: 'POST',
      headers: mcpHeaders(),
      body: JSON.stringify(initializeRequest()),
    });
    expect(newSession.headers.get('connection')).toBe('close');
    expect(newSession.headers.get('mcp-session-id')).toBeNull();
    await expectRefusal(newSession, 503, SHUTTING_DOWN);
    const newCall = await request('/mcp', {
      method: 'POST',
      headers: mcpHeaders(calls.sessionId),
      body: JSON.stringify(callWait(5, 'late')),
    });
    await expectRefusal(newCall, 503, SHUTTING_DOWN);
    expect(started.has('late')).toBe(false);
    expect(closed).toBe(false);

    gate.resolve();
    expect(toolText(await readAnswer(await calls.sse))).toBe('done sse');
    const json = await calls.json;
    expect(json.headers.get('content-type')).toMatch(/^application\/json/);
    expect(toolText((await json.json()) as JsonRpcAnswer)).toBe('done json');
    expect(await nextLegacyMessage(calls.legacyStream)).toMatchObject({
      id: 4,
      result: { content: [{ type: 'text', text: 'done legacy' }] },
    });
    await withTimeout(closing, 'app.close() once the calls are answered');
    // Ended, not torn down: a reset would reject here.
    expect(await calls.getStream.rest('the GET stream to end')).toEqual([]);
    expect(await calls.legacyStream.rest('the legacy stream to end')).toEqual([]);
    expect(aborted.size).toBe(0);

    const late = await app.fetch(new Request('http://localhost/health'));
    await expectRefusal(late, 503, 'WHARF_APP_CLOSED');
  });

  it('answers calls still running after shutdownGraceMs with the shutting-down error and aborts them', async () => {
    const { app, served, started, aborted } = await start(new Promise(() => undefined), {
      shutdownGraceMs: 50,
    });
    const calls = await startCalls(served.request, started);

    const closing = app.close();
    expectShuttingDown(await readAnswer(await calls.sse), 2);
    const json = await calls.json;
    expect(json.status).toBe(200);
    expectShuttingDown((await json.json()) as JsonRpcAnswer, 3);
    expectShuttingDown(await nextLegacyMessage(calls.legacyStream), 4);
    await withTimeout(closing, 'app.close()');
    expect(await calls.getStream.rest('the GET stream to end')).toEqual([]);
    expect(await calls.legacyStream.rest('the legacy stream to end')).toEqual([]);

    expect([...aborted.keys()].sort()).toEqual(['json', 'legacy', 'sse']);
    for (const reason of aborted.values()) {
      expect(reason).toBeInstanceOf(McpError);
      expect((reason as McpError).data).toEqual({ code: SHUTTING_DOWN });
    }
  });

  it('fails a call at once with shutdownGraceMs: 0, as the SDK client sees it', async () => {
    const { app, served, started, aborted } = await start(new Promise(() => undefined), {
      shutdownGraceMs: 0,
    });
    const { client, checker } = await connectSdk(served, 'streamable', {}, cleanup);
    const call = client.callTool({ name: 'wait', arguments: { label: 'sdk' } });
    const failed = call.then(
      () => undefined,
      (error: unknown) => error,
    );
    await until(() => started.has('sdk'), 'the call to start');
    await withTimeout(app.close(), 'app.close()');
    const error = await withTimeout(failed, 'the call to fail');
    expect(error).toBeInstanceOf(SdkMcpError);
    expect(error).toMatchObject({ code: INTERNAL_ERROR, data: { code: SHUTTING_DOWN } });
    expect(aborted.has('sdk')).toBe(true);
    checker.assertClean();
  });
});

describe('app.listen() and process signals', () => {
  const apps: HttpApp[] = [];
  let child: ChildProcess | undefined;
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });
  afterAll(() => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });

  const listeners = () => ({
    SIGTERM: process.listenerCount('SIGTERM'),
    SIGINT: process.listenerCount('SIGINT'),
  });

  it('adds one SIGTERM and one SIGINT listener per listening app, removed by close(); none with handleSignals: false', async () => {
    const before = listeners();
    for (let i = 0; i < 3; i++) {
      const app = waitingServer(Promise.resolve()).server.httpApp();
      apps.push(app);
      await app.listen({ port: 0 });
    }
    expect(listeners()).toEqual({ SIGTERM: before.SIGTERM + 3, SIGINT: before.SIGINT + 3 });
    const own = waitingServer(Promise.resolve()).server.httpApp();
    apps.push(own);
    await own.listen({ port: 0, handleSignals: false });
    expect(listeners()).toEqual({ SIGTERM: before.SIGTERM + 3, SIGINT: before.SIGINT + 3 });
    await Promise.all(apps.splice(0).map((app) => app.close()));
    expect(listeners()).toEqual(before);
  });

  it('closes gracefully on SIGTERM, then exits by that signal', async () => {
    const spawned = spawn(process.execPath, ['--import', 'tsx', FIXTURE], {
      cwd: ROOT,
      env: { ...process.env, SHUTDOWN_GRACE_MS: '500' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    child = spawned;
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      spawned.once('exit', (code, signal) => resolve({ code, signal })),
    );
    const lines: Record<string, unknown>[] = [];
    createInterface({ input: spawned.stdout! }).on('line', (line) => lines.push(JSON.parse(line)));
    await until(() => lines.some((line) => 'url' in line), 'the child to listen', 15_000);
    const origin = new URL(String(lines.find((line) => 'url' in line)?.url)).origin;
    const request: RequestFn = (path, init) => fetch(origin + path, init);

    const { sessionId } = await initialize(request);
    const call = (id: number, name: string) => ({
      jsonrpc: '2.0',
      id,
      method: 'tools/call',
      params: { name },
    });
    const finishing = rpc(request, call(2, 'until_sigterm'), { sessionId });
    const cut = rpc(request, call(3, 'never'), { sessionId });
    await until(() => lines.filter((line) => 'started' in line).length === 2, 'both calls to start');

    spawned.kill('SIGTERM');
    expect(toolText(await finishing)).toBe('finished after SIGTERM');
    expectShuttingDown(await cut, 3);
    expect(await withTimeout(exited, 'the child to exit')).toEqual({ code: null, signal: 'SIGTERM' });
  });
});

describe('app.listen() against slow clients', () => {
  const apps: HttpApp[] = [];
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });

  async function listen(options: Parameters<HttpApp['listen']>[0], appOptions?: HttpAppOptions) {
    const app = waitingServer(Promise.resolve()).server.httpApp(appOptions);
    apps.push(app);
    return app.listen({ port: 0, ...options });
  }

  /** A raw connection that sends `text` (if any) and reports what came back and when it closed. */
  function rawConnection(port: number, text?: string) {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
    });
    socket.on('error', () => undefined);
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    if (text !== undefined) socket.write(text);
    return {
      closed: () => withTimeout(closed, 'the server to close the connection', 10_000),
      received: () => received,
      destroy: () => socket.destroy(),
    };
  }

  it('cuts off clients too slow to send their request, but not a long SSE answer', async () => {
    // Generous enough that the test's own requests, on a machine busy with the rest of the suite,
    // are never the slow clients; small enough to keep the test short.
    const timeouts = { headersTimeout: 1500, requestTimeout: 2000, connectionsCheckingInterval: 100 };
    // Keep-alive comments every 250 ms: the tenth shows the stream outlived requestTimeout.
    const { port, url } = await listen(timeouts, { keepAliveMs: 250 });
    const partialHeaders = rawConnection(port, 'POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    const partialBody = rawConnection(
      port,
      'POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"jsonrpc"',
    );
    const silent = rawConnection(port);
    try {
      const request: RequestFn = (path, init) => fetch(new URL(path, url), init);
      const { sessionId } = await initialize(request);
      const stream = await request('/mcp', {
        headers: { accept: 'text/event-stream', 'mcp-session-id': sessionId! },
      });
      const events = sseReader(stream);
      for (let i = 0; i < 10; i++) expect(await events.nextComment('a keep-alive')).toBe('keep-alive');
      expect(events.ended).toBe(false);
      await events.cancel();

      await partialHeaders.closed();
      expect(partialHeaders.received()).toMatch(/^HTTP\/1\.1 408 /);
      await partialBody.closed();
      expect(partialBody.received()).toMatch(/^HTTP\/1\.1 408 /);
      await silent.closed();
      // Closed either by Wharf's first-byte timer (nothing sent) or by Node's own headersTimeout
      // check (a 408), whichever runs first on a busy machine: what matters is that it is cut off.
      expect(silent.received()).toMatch(/^(HTTP\/1\.1 408 [\s\S]*)?$/);
    } finally {
      for (const connection of [partialHeaders, partialBody, silent]) connection.destroy();
    }
  });

  it('refuses timeouts Node cannot use, saying which and what to do', async () => {
    await expect(listen({ headersTimeout: 2000, requestTimeout: 1000 })).rejects.toThrow(
      /headersTimeout \(2000\) must not exceed requestTimeout \(1000\)/,
    );
    await expect(listen({ keepAliveTimeout: -1 })).rejects.toBeInstanceOf(WharfError);
    await expect(listen({ connectionsCheckingInterval: 0 })).rejects.toThrow(/connectionsCheckingInterval/);
  });
});
