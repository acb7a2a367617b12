/**
 * Resumable Streamable HTTP with an event store (spec 2025-11-25, "Resumability and Redelivery"),
 * over both bindings. Raw fetch first, so the exact SSE bytes are visible: priming events, streams
 * the server closes (`ctx.closeStream()`), replay after `Last-Event-ID`, a client that drops its
 * connection mid-call. Then the SDK client, which must resume on its own.
 */
import type { Progress } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { type HttpAppOptions, McpServer, MemoryEventStore } from 'wharf-mcp';
import {
  type Binding,
  bindings,
  Cleanup,
  connectSdk,
  deferred,
  messageOf,
  type RequestWatch,
  type Served,
  type SseEvent,
  SseReader,
  serve,
  WAIT_MS,
  type WatchedRequest,
  watchRequests,
  withTimeout,
} from './support/bindings.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

const RETRY_MS = 250;

type Version = '2025-11-25' | '2025-06-18';

/** What the tools report to the test, and what the test lets them do. */
interface Probe {
  /** `slow` resolves this once it reported progress and waits for `release`. */
  waiting: ReturnType<typeof deferred<void>>;
  /** Lets `slow` return, and `pause` once it closed its stream. */
  release: ReturnType<typeof deferred<void>>;
  /** Tools resolve this just before returning, with whether their signal had aborted. */
  done: ReturnType<typeof deferred<{ aborted: boolean }>>;
}

function newProbe(): Probe {
  return { waiting: deferred(), release: deferred(), done: deferred<{ aborted: boolean }>() };
}

function resumableServer(probe: Probe): McpServer {
  const server = new McpServer({ name: 'resume-fixture', version: '1.0.0' });
  // Reports progress, closes its stream (the client is to resume), works on until released, returns.
  server.tool('pause', { description: 'Progress, close the stream, return later' }, async (_args, ctx) => {
    await ctx.progress(1, 2, 'half way');
    ctx.closeStream();
    await probe.release.promise;
    probe.done.resolve({ aborted: ctx.signal.aborted });
    return 'finished';
  });
  // Reports progress, then waits for the test (or for its signal to abort).
  server.tool('slow', { description: 'Progress, then wait for the test' }, async (_args, ctx) => {
    await ctx.progress(1, 2, 'started');
    probe.waiting.resolve();
    const aborted = new Promise<void>((resolve) => {
      if (ctx.signal.aborted) resolve();
      ctx.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await Promise.race([probe.release.promise, aborted]);
    probe.done.resolve({ aborted: ctx.signal.aborted });
    return 'survived';
  });
  server.tool('steps', { description: 'Two progress notifications, then a result' }, async (_args, ctx) => {
    await ctx.progress(1, 2);
    await ctx.progress(2, 2);
    return 'stepped';
  });
  return server;
}

function headers(
  sessionId: string | undefined,
  version: Version | undefined,
  extra: Record<string, string> = {},
) {
  const out: Record<string, string> = { ...extra };
  if (sessionId) out['mcp-session-id'] = sessionId;
  if (version) out['mcp-protocol-version'] = version;
  return out;
}

function post(
  served: Served,
  sessionId: string | undefined,
  version: Version | undefined,
  message: unknown,
  signal?: AbortSignal,
): Promise<Response> {
  return withTimeout(
    served.fetch(served.mcpUrl, {
      method: 'POST',
      headers: headers(sessionId, version, {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      }),
      body: JSON.stringify(message),
      ...(signal ? { signal } : {}),
    }),
    'the POST response',
  );
}

function get(
  served: Served,
  sessionId: string,
  version: Version,
  lastEventId?: string,
  signal?: AbortSignal,
): Promise<Response> {
  return withTimeout(
    served.fetch(served.mcpUrl, {
      headers: headers(sessionId, version, {
        accept: 'text/event-stream',
        ...(lastEventId ? { 'last-event-id': lastEventId } : {}),
      }),
      ...(signal ? { signal } : {}),
    }),
    'the GET response',
  );
}

/** Opens a session: initialize (its answer read to the end), then notifications/initialized. */
async function initialize(served: Served, version: Version): Promise<string> {
  const response = await post(served, undefined, undefined, {
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: {
      protocolVersion: version,
      capabilities: {},
      clientInfo: { name: 'raw-client', version: '1.0.0' },
    },
  });
  expect(response.status).toBe(200);
  const sessionId = response.headers.get('mcp-session-id');
  expect(sessionId).toBeTruthy();
  const answers = (await new SseReader(response).rest('the initialize answer')).map(messageOf);
  expect(answers.at(-1)).toMatchObject({ id: 1, result: { protocolVersion: version } });
  const initialized = await post(served, sessionId!, version, {
    jsonrpc: '2.0',
    method: 'notifications/initialized',
  });
  expect(initialized.status).toBe(202);
  await initialized.body?.cancel();
  return sessionId!;
}

function callTool(id: number, name: string) {
  return {
    jsonrpc: '2.0',
    id,
    method: 'tools/call',
    params: { name, _meta: { progressToken: `token-${id}` } },
  };
}

/** The position of an event in its stream: MemoryEventStore ids are `<stream id>.<sequence>`. */
function sequenceOf(id: string | undefined): number {
  const match = /^(.+)\.(\d+)$/.exec(id ?? '');
  if (!match) throw new Error(`not a MemoryEventStore event id: ${String(id)}`);
  return Number(match[2]);
}

function streamOf(id: string | undefined): string {
  return (id ?? '').replace(/\.\d+$/, '');
}

/**
 * The JSON-RPC messages a resuming GET delivered: none when the server refused it (an HTTP error,
 * or anything but an event stream), else those of every event until the stream ends.
 */
async function replayedMessages(response: Response): Promise<unknown[]> {
  if (!response.ok || !response.headers.get('content-type')?.startsWith('text/event-stream')) {
    await response.body?.cancel();
    return [];
  }
  const events = await new SseReader(response).rest('the resumed stream to end');
  return events.map(messageOf).filter((message) => message !== undefined);
}

function kinds(events: SseEvent[]): string[] {
  return events.map((event) => {
    const message = messageOf(event);
    if (!message) return 'priming';
    if (message.method === 'notifications/progress') return 'progress';
    if ('result' in message)
      return `result ${(message.result as { content: { text: string }[] }).content[0]?.text}`;
    return String(message.method ?? 'other');
  });
}

/** The app with an event store; `watch` sees every request, so tests wait for what the app saw. */
async function setUp(binding: Binding, options: HttpAppOptions = {}) {
  const probe = newProbe();
  const watch = watchRequests();
  const app = resumableServer(probe).httpApp({
    eventStore: new MemoryEventStore(),
    retryMs: RETRY_MS,
    middleware: [watch.middleware],
    ...options,
  });
  const served = await serve(app, binding, { cleanup });
  return { probe, served, watch };
}

/** The tools/call POST the app saw last (the latest POST of the test). */
function lastPost(watch: RequestWatch): WatchedRequest {
  return watch.latest((request) => request.method === 'POST');
}

describe.each(bindings)('%s binding', (binding) => {
  describe('a POST answered with SSE on a 2025-11-25 session', () => {
    it('starts with a priming event: an id, the configured retry, empty data', async () => {
      const { served } = await setUp(binding);
      const sessionId = await initialize(served, '2025-11-25');
      const response = await post(served, sessionId, '2025-11-25', callTool(2, 'steps'));
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
      const reader = new SseReader(response);
      const events = await reader.rest();
      const [priming] = events;
      expect(priming?.id).toBeTruthy();
      expect(priming?.retry).toBe(RETRY_MS);
      expect(priming?.data).toBe('');
      // The stream starts with it, as exactly these three lines.
      const [firstBlock] = reader.text.split('\n\n');
      expect(firstBlock!.split('\n').sort()).toEqual(
        [`id: ${priming!.id}`, `retry: ${RETRY_MS}`, 'data: '].sort(),
      );
      expect(kinds(events)).toEqual(['priming', 'progress', 'progress', 'result stepped']);
      // Every event of the stream carries an id, in increasing order.
      const sequences = events.map((event) => sequenceOf(event.id));
      expect(sequences).toEqual([...sequences].sort((a, b) => a - b));
      expect(new Set(events.map((event) => streamOf(event.id))).size).toBe(1);
    });

    it('ctx.closeStream() ends the POST stream without the result; Last-Event-ID resumes it', async () => {
      const { served, probe } = await setUp(binding);
      const sessionId = await initialize(served, '2025-11-25');
      const response = await post(served, sessionId, '2025-11-25', callTool(2, 'pause'));
      const first = await new SseReader(response).rest('the POST stream the tool closes');
      expect(kinds(first)).toEqual(['priming', 'progress']);
      expect(first[0]?.retry).toBe(RETRY_MS);
      const lastSeen = first.at(-1)!.id!;
      // The tool is still at work: it returns once released, after the client resumed.
      const resumed = await get(served, sessionId, '2025-11-25', lastSeen);
      expect(resumed.status).toBe(200);
      expect(resumed.headers.get('content-type')).toMatch(/^text\/event-stream/);
      probe.release.resolve();
      const rest = await new SseReader(resumed).rest('the resumed stream to carry the result and end');
      expect(kinds(rest)).toEqual(['result finished']);
      expect(messageOf(rest[0]!)).toMatchObject({
        jsonrpc: '2.0',
        id: 2,
        result: { content: [{ type: 'text', text: 'finished' }] },
      });
      const seenIds = new Set(first.map((event) => event.id));
      for (const event of rest) expect(seenIds.has(event.id)).toBe(false);
      const sequences = [...first, ...rest].map((event) => sequenceOf(event.id));
      for (let i = 1; i < sequences.length; i++) expect(sequences[i]).toBeGreaterThan(sequences[i - 1]!);
      expect(streamOf(rest[0]!.id)).toBe(streamOf(lastSeen));
      expect((await probe.done.promise).aborted).toBe(false);
    });

    it('after the tool finished, Last-Event-ID replays what was missed and nothing seen', async () => {
      const { served, probe, watch } = await setUp(binding);
      const sessionId = await initialize(served, '2025-11-25');
      const response = await post(served, sessionId, '2025-11-25', callTool(2, 'pause'));
      const first = await new SseReader(response).rest();
      expect(kinds(first)).toEqual(['priming', 'progress']);
      probe.release.resolve();
      // Done with the request: the result is in the event store, and the stream it belongs to is over.
      await withTimeout(lastPost(watch).handled, 'the app to finish the tools/call');
      // Resuming from the priming event replays the progress too; from the progress, only the result.
      const fromPriming = await new SseReader(
        await get(served, sessionId, '2025-11-25', first[0]!.id),
      ).rest();
      expect(kinds(fromPriming)).toEqual(['progress', 'result finished']);
      expect(fromPriming[0]!.id).toBe(first[1]!.id);
      expect(fromPriming[0]!.data).toBe(first[1]!.data);
      const fromProgress = await new SseReader(
        await get(served, sessionId, '2025-11-25', first[1]!.id),
      ).rest();
      expect(kinds(fromProgress)).toEqual(['result finished']);
      expect(fromProgress[0]!.id).toBe(fromPriming[1]!.id);
      expect(sequenceOf(fromProgress[0]!.id)).toBeGreaterThan(sequenceOf(first[1]!.id));
    });

    it('a GET with an unknown Last-Event-ID gets no replayed events', async () => {
      const { served } = await setUp(binding);
      const sessionId = await initialize(served, '2025-11-25');
      // A stream with events exists, so there is something that could wrongly be replayed.
      await new SseReader(await post(served, sessionId, '2025-11-25', callTool(2, 'steps'))).rest();
      const unknownIds = [
        // Shaped like this session's ids, naming a stream that never existed.
        `${sessionId}.${crypto.randomUUID()}.0`,
        `${crypto.randomUUID()}.0`,
        'not-an-event-id',
      ];
      for (const unknown of unknownIds) {
        const response = await get(served, sessionId, '2025-11-25', unknown);
        expect(await replayedMessages(response), unknown).toEqual([]);
      }
    });

    // Found as a bug (the event store was not scoped to sessions: any session could replay any
    // stream by presenting its event id); the spec: the server MUST NOT replay messages that would
    // have been delivered on a different stream.
    it('a Last-Event-ID from another session replays nothing of that session', async () => {
      const { served } = await setUp(binding);
      const alice = await initialize(served, '2025-11-25');
      const bob = await initialize(served, '2025-11-25');
      const aliceEvents = await new SseReader(
        await post(served, alice, '2025-11-25', callTool(2, 'steps')),
      ).rest();
      expect(kinds(aliceEvents)).toEqual(['priming', 'progress', 'progress', 'result stepped']);
      for (const event of aliceEvents.slice(0, 2)) {
        const response = await get(served, bob, '2025-11-25', event.id);
        expect(await replayedMessages(response)).toEqual([]);
      }
    });
  });

  describe('a 2025-06-18 session', () => {
    it('gets no priming event (its events still carry ids)', async () => {
      const { served } = await setUp(binding);
      const sessionId = await initialize(served, '2025-06-18');
      const reader = new SseReader(await post(served, sessionId, '2025-06-18', callTool(2, 'steps')));
      const events = await reader.rest();
      expect(kinds(events)).toEqual(['progress', 'progress', 'result stepped']);
      expect(reader.text).not.toMatch(/^retry:/m);
      for (const event of events) {
        expect(event.data).not.toBe('');
        expect(event.id).toBeTruthy();
      }
      // The GET stream is not primed either: the first thing on it is a real message.
      const controller = new AbortController();
      cleanup.add(() => controller.abort());
      const stream = new SseReader(await get(served, sessionId, '2025-06-18', undefined, controller.signal));
      served.app.server.log('info', 'hello');
      const first = await stream.next('the log message on the GET stream');
      expect(messageOf(first!)).toMatchObject({ method: 'notifications/message', params: { data: 'hello' } });
      expect(stream.text).not.toMatch(/^retry:/m);
    });

    // Found as a bug (closeStream ended the stream under every version). Closing a request's
    // stream early (polling) is 2025-11-25 only: 2025-06-18 says the server SHOULD NOT close the
    // SSE stream before sending the response, and such a client gets no priming event or retry hint.
    it('ctx.closeStream() keeps the stream of a 2025-06-18 request until its result', async () => {
      const { served, probe } = await setUp(binding);
      probe.release.resolve();
      const sessionId = await initialize(served, '2025-06-18');
      const events = await new SseReader(
        await post(served, sessionId, '2025-06-18', callTool(2, 'pause')),
      ).rest();
      expect(kinds(events)).toEqual(['progress', 'result finished']);
    });
  });

  describe('a client that drops its connection mid-call', () => {
    it('with an event store the tool keeps running, and Last-Event-ID gets its result', async () => {
      const { served, probe, watch } = await setUp(binding);
      const sessionId = await initialize(served, '2025-11-25');
      const controller = new AbortController();
      const response = await post(served, sessionId, '2025-11-25', callTool(2, 'slow'), controller.signal);
      const reader = new SseReader(response);
      const priming = await reader.next('the priming event');
      const progress = await reader.next('the progress event');
      expect(kinds([priming!, progress!])).toEqual(['priming', 'progress']);
      await withTimeout(probe.waiting.promise, 'the tool to wait');
      controller.abort();
      await reader.cancel();
      const call = lastPost(watch);
      await withTimeout(call.closed, 'the app to see the client go');
      probe.release.resolve();
      const outcome = await withTimeout(probe.done.promise, 'the tool to finish after the disconnect');
      expect(outcome.aborted).toBe(false);
      await withTimeout(call.handled, 'the app to store the result');
      const rest = await new SseReader(await get(served, sessionId, '2025-11-25', progress!.id)).rest();
      expect(kinds(rest)).toEqual(['result survived']);
      expect(messageOf(rest[0]!)).toMatchObject({ id: 2 });
      expect(sequenceOf(rest[0]!.id)).toBeGreaterThan(sequenceOf(progress!.id));
    });

    it('resuming while the tool still runs carries the rest live on the new connection', async () => {
      const { served, probe, watch } = await setUp(binding);
      const sessionId = await initialize(served, '2025-11-25');
      const controller = new AbortController();
      const reader = new SseReader(
        await post(served, sessionId, '2025-11-25', callTool(2, 'slow'), controller.signal),
      );
      await reader.next('the priming event');
      const progress = await reader.next('the progress event');
      await withTimeout(probe.waiting.promise, 'the tool to wait');
      controller.abort();
      await reader.cancel();
      await withTimeout(lastPost(watch).closed, 'the app to see the client go');
      const resumed = new SseReader(await get(served, sessionId, '2025-11-25', progress!.id));
      // Nothing is left to replay yet; the result comes once the tool returns.
      probe.release.resolve();
      const rest = await resumed.rest('the result on the resumed stream');
      expect(kinds(rest)).toEqual(['result survived']);
      expect((await probe.done.promise).aborted).toBe(false);
    });

    it('without an event store the disconnect aborts the tool’s signal', async () => {
      const { served, probe } = await setUp(binding, { eventStore: undefined });
      const sessionId = await initialize(served, '2025-11-25');
      const controller = new AbortController();
      const reader = new SseReader(
        await post(served, sessionId, '2025-11-25', callTool(2, 'slow'), controller.signal),
      );
      const first = await reader.next('the progress event');
      expect(kinds([first!])).toEqual(['progress']);
      expect(first!.id).toBeUndefined();
      await withTimeout(probe.waiting.promise, 'the tool to wait');
      controller.abort();
      await reader.cancel();
      const outcome = await withTimeout(probe.done.promise, 'the tool to see its signal abort');
      expect(outcome.aborted).toBe(true);
    });

    it('a dropped GET stream resumes with Last-Event-ID, with what was sent meanwhile', async () => {
      const { served, watch } = await setUp(binding);
      const sessionId = await initialize(served, '2025-11-25');
      const controller = new AbortController();
      const reader = new SseReader(await get(served, sessionId, '2025-11-25', undefined, controller.signal));
      const priming = await reader.next('the GET stream’s priming event');
      expect(priming?.retry).toBe(RETRY_MS);
      expect(priming?.data).toBe('');
      controller.abort();
      await reader.cancel();
      const stream = watch.latest((request) => request.method === 'GET');
      await withTimeout(stream.closed, 'the app to see the GET stream go');
      served.app.server.log('info', 'while you were away');
      const again = new AbortController();
      cleanup.add(() => again.abort());
      const resumed = new SseReader(await get(served, sessionId, '2025-11-25', priming!.id, again.signal));
      const missed = await resumed.next('the message sent while disconnected');
      expect(messageOf(missed!)).toMatchObject({
        method: 'notifications/message',
        params: { data: 'while you were away' },
      });
      // The resumed stream is the session's GET stream from now on.
      served.app.server.log('info', 'welcome back');
      const live = await resumed.next('a message sent after resuming');
      expect(messageOf(live!)).toMatchObject({ params: { data: 'welcome back' } });
      expect(sequenceOf(live!.id)).toBeGreaterThan(sequenceOf(missed!.id));
    });
  });

  describe('the SDK client', () => {
    it('resumes on its own after ctx.closeStream(): callTool resolves with the result', async () => {
      const { served, probe, watch } = await setUp(binding, { retryMs: 50 });
      // The client's own backoff is a minute: the call can only end in time if the client waits
      // the server's retry (50 ms) instead.
      const { client, checker, errors } = await connectSdk(
        served,
        'streamable',
        {
          reconnectionOptions: {
            initialReconnectionDelay: 60_000,
            maxReconnectionDelay: 60_000,
            reconnectionDelayGrowFactor: 1,
            maxRetries: 2,
          },
        },
        cleanup,
      );
      const seen: Progress[] = [];
      const call = client.callTool({ name: 'pause' }, undefined, {
        timeout: WAIT_MS,
        onprogress: (progress) => seen.push(progress),
      });
      const isResume = (request: WatchedRequest) => request.method === 'GET' && !!request.lastEventId;
      await watch.waitFor(isResume, 'the client to resume with Last-Event-ID');
      probe.release.resolve();
      const result = await call;
      expect(result).toEqual({ content: [{ type: 'text', text: 'finished' }] });
      expect(seen).toEqual([{ progress: 1, total: 2, message: 'half way' }]);
      expect(watch.requests.filter(isResume)).toHaveLength(1);
      checker.assertClean();
      expect(errors).toEqual([]);
    });
  });
});

describe('the SDK client, JSON answers with an event store', () => {
  it('never needs to resume: closeStream has no stream to close', async () => {
    const { served, probe } = await setUp('node', { jsonResponse: true });
    probe.release.resolve();
    const { client, checker } = await connectSdk(served, 'streamable', {}, cleanup);
    const result = await client.callTool({ name: 'pause' }, undefined, { timeout: WAIT_MS });
    expect(result).toEqual({ content: [{ type: 'text', text: 'finished' }] });
    checker.assertClean();
  });
});
