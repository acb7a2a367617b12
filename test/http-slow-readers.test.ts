/**
 * Slow readers (issue 12, items 1 and 2): a client that opens an SSE stream and does not read it
 * cannot make the server queue without end, nor stall it when it leaves. Every stream kind (a
 * POST's SSE answer, the Streamable GET stream, the legacy `/sse` stream) has a byte budget,
 * `maxStreamBufferBytes`: past it the server closes the stream, the handlers writing to it carry on
 * to their answer, and the server serves everyone else. A resumable stream keeps its events for
 * `Last-Event-ID`. Then each binding's stream on its own: one waiter for every queued write, and
 * every pending write settled when the stream goes.
 *
 * "Unread" means a real client that stops reading: on node an `http.request` whose response is
 * never consumed (its socket stops reading once Node's buffer is full), on fetch a body nobody reads.
 */
import { createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type HttpAppOptions, McpServer, MemoryEventStore } from 'wharf-mcp';
import { NodeExchange } from '../src/http/node-exchange.js';
import { WebExchange } from '../src/http/web-exchange.js';
import {
  type Binding,
  bindings,
  Cleanup,
  type Deferred,
  deferred,
  initialize,
  mcpHeaders,
  PROTOCOL_VERSION,
  rpc,
  type Served,
  SseReader,
  serve,
  toolText,
  watchRequests,
  withTimeout,
} from './support/bindings.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

/** A small budget, so a few notifications exceed it. */
const BUDGET = 64 * 1024;
/** Notifications the flooding tool sends: far more than the budget plus any socket buffers. */
const COUNT = 400;
const PAD = 'x'.repeat(16 * 1024);

interface Probe {
  /** When set, `flood` waits for it before sending anything. */
  go?: Deferred<void>;
  /** `flood` resolves this once it sent everything, just before it returns. */
  done: Deferred<void>;
}

function floodServer(probe: Probe): McpServer {
  const server = new McpServer({ name: 'slow-readers', version: '1.0.0' });
  // Awaits every log, as a handler would: it must get to its answer although nobody reads them.
  server.tool('flood', { description: 'Many large log notifications, then a result' }, async (_args, ctx) => {
    await probe.go?.promise;
    for (let i = 0; i < COUNT; i++) await ctx.log('info', { i, pad: PAD });
    probe.done.resolve();
    return 'flooded';
  });
  server.tool('echo', { description: 'Echo' }, () => 'echo');
  return server;
}

const callTool = (id: number, name: string) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name, arguments: {} },
});

/** A response the client stops reading. */
interface Unread {
  /** What was read before stopping. */
  readonly text: string;
  /** Reads on to the end: the text that still arrives and whether the body ended complete. */
  outcome(): Promise<{ text: string; complete: boolean }>;
  close(): void;
}

interface UnreadInit {
  method?: string;
  headers: Record<string, string>;
  body?: string;
}

/**
 * Sends a request and stops reading its response: at once (`sent`: the response may never come),
 * once its headers arrived, or once what was read satisfies `until`.
 */
function openUnread(
  served: Served,
  path: string,
  init: UnreadInit,
  until: 'sent' | 'headers' | ((text: string) => boolean),
): Promise<Unread> {
  return served.binding === 'node'
    ? openUnreadNode(served.url(path), init, until)
    : openUnreadFetch(served, path, init, until);
}

async function openUnreadNode(
  url: string,
  init: UnreadInit,
  until: 'sent' | 'headers' | ((text: string) => boolean),
): Promise<Unread> {
  const responded = deferred<IncomingMessage | undefined>();
  const ended = deferred<boolean>();
  const req = httpRequest(url, { method: init.method ?? 'GET', headers: init.headers }, (res) => {
    responded.resolve(res);
    res.on('end', () => ended.resolve(res.complete));
    res.on('error', () => ended.resolve(false));
    res.on('close', () => ended.resolve(res.complete));
  });
  // The server dropping the connection before any response is one of the outcomes, not a failure.
  req.on('error', () => {
    responded.resolve(undefined);
    ended.resolve(false);
  });
  req.end(init.body);
  let text = '';
  if (until !== 'sent') {
    const res = await withTimeout(responded.promise, 'the response headers');
    if (!res) throw new Error(`${url} failed before its headers`);
    if (typeof until === 'function') {
      await withTimeout(
        new Promise<void>((resolve) => {
          const onData = (chunk: Buffer) => {
            text += chunk.toString('utf8');
            if (!until(text)) return;
            res.off('data', onData);
            res.pause();
            resolve();
          };
          res.on('data', onData);
        }),
        'the first events',
      );
    }
  }
  return {
    get text() {
      return text;
    },
    async outcome() {
      const res = await Promise.race([responded.promise, ended.promise.then(() => undefined)]);
      let rest = '';
      res?.on('data', (chunk: Buffer) => {
        rest += chunk.toString('utf8');
      });
      res?.resume();
      const complete = await ended.promise;
      return { text: rest, complete };
    },
    close: () => req.destroy(),
  };
}

async function openUnreadFetch(
  served: Served,
  path: string,
  init: UnreadInit,
  until: 'sent' | 'headers' | ((text: string) => boolean),
): Promise<Unread> {
  const response = await withTimeout(
    served.fetch(served.url(path), { method: init.method ?? 'GET', headers: init.headers, body: init.body }),
    'the response',
  );
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  if (typeof until === 'function') {
    while (!until(text)) {
      const { done, value } = await withTimeout(reader.read(), 'the first events');
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
  }
  return {
    get text() {
      return text;
    },
    async outcome() {
      let rest = '';
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return { text: rest, complete: true };
          rest += decoder.decode(value, { stream: true });
        }
      } catch {
        return { text: rest, complete: false };
      }
    },
    close: () => void reader.cancel().catch(() => undefined),
  };
}

/** How many log notifications a piece of SSE text carries. */
function logsIn(text: string): number {
  return text.split('notifications/message').length - 1;
}

/** The server still serves: `/health`, and a tool call on a fresh session. */
async function expectServing(served: Served): Promise<void> {
  expect((await served.request('/health')).status).toBe(200);
  const { sessionId } = await initialize(served.request);
  expect(toolText(await rpc(served.request, callTool(9, 'echo'), { sessionId }))).toBe('echo');
}

describe.each(bindings)('%s binding', (binding: Binding) => {
  async function start(probe: Probe, options: HttpAppOptions = {}) {
    const watch = watchRequests();
    const app = floodServer(probe).httpApp({
      maxStreamBufferBytes: BUDGET,
      ...options,
      middleware: [watch.middleware],
    });
    const served = await serve(app, binding, { cleanup });
    return { served, watch };
  }

  it('closes an unread POST SSE answer past maxStreamBufferBytes; the call ends and the server serves on', async () => {
    const probe: Probe = { done: deferred() };
    const { served, watch } = await start(probe);
    const { sessionId } = await initialize(served.request);
    const call = await openUnread(
      served,
      '/mcp',
      { method: 'POST', headers: mcpHeaders(sessionId), body: JSON.stringify(callTool(2, 'flood')) },
      'sent',
    );
    cleanup.add(() => call.close());
    await withTimeout(probe.done.promise, 'the tool to send every notification and return');
    const post = watch.latest((r) => r.method === 'POST');
    await withTimeout(post.closed, 'the server to close the unread stream');
    await withTimeout(post.handled, 'the call to end');
    const outcome = await withTimeout(call.outcome(), 'the client to see the stream end');
    expect(outcome.complete).toBe(false);
    expect(logsIn(call.text + outcome.text)).toBeLessThan(COUNT);
    expect(outcome.text).not.toContain('"flooded"');
    await expectServing(served);
  });

  it('answers every JSON call while their logs overflow an unread GET stream, which the server closes', async () => {
    const probe: Probe = { done: deferred() };
    const { served, watch } = await start(probe, { jsonResponse: true });
    const { sessionId } = await initialize(served.request);
    const getHeaders = { accept: 'text/event-stream', 'mcp-session-id': sessionId! };
    const stream = await openUnread(served, '/mcp', { headers: getHeaders }, 'headers');
    cleanup.add(() => stream.close());
    const answers = await withTimeout(
      Promise.all([2, 3, 4].map((id) => rpc(served.request, callTool(id, 'flood'), { sessionId }))),
      'every call to be answered',
    );
    expect(answers.map(toolText)).toEqual(['flooded', 'flooded', 'flooded']);
    const get = watch.latest((r) => r.method === 'GET');
    await withTimeout(get.closed, 'the server to close the unread GET stream');
    expect((await withTimeout(stream.outcome(), 'the client to see the stream end')).complete).toBe(false);
    // The closed stream counts as gone: the session may open a new one.
    const again = await served.request('/mcp', { headers: getHeaders });
    expect(again.status).toBe(200);
    await again.body?.cancel();
    await expectServing(served);
  });

  it('closes an unread legacy SSE stream and ends its session; the call ends and the server serves on', async () => {
    const probe: Probe = { done: deferred() };
    const { served, watch } = await start(probe);
    const stream = await openUnread(served, '/sse', { headers: { accept: 'text/event-stream' } }, (text) =>
      text.includes('\n\n'),
    );
    cleanup.add(() => stream.close());
    const data = /^data: (.*)$/m.exec(stream.text)?.[1];
    expect(data).toContain('sessionId=');
    const endpoint = new URL(data!, served.url('/sse'));
    const post = async (message: unknown) => {
      const response = await served.request(endpoint.pathname + endpoint.search, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(message),
      });
      await response.arrayBuffer();
      return response.status;
    };
    const init = {
      protocolVersion: '2024-11-05',
      capabilities: {},
      clientInfo: { name: 'slow', version: '1' },
    };
    expect(await post({ jsonrpc: '2.0', id: 1, method: 'initialize', params: init })).toBe(202);
    expect(await post({ jsonrpc: '2.0', method: 'notifications/initialized' })).toBe(202);
    expect(await post(callTool(2, 'flood'))).toBe(202);
    await withTimeout(probe.done.promise, 'the tool to send every notification and return');
    await withTimeout(watch.latest((r) => r.method === 'GET').closed, 'the server to close the stream');
    expect((await withTimeout(stream.outcome(), 'the client to see the stream end')).complete).toBe(false);
    // The legacy stream was the session: it ended with it.
    expect(await post(callTool(3, 'echo'))).toBe(404);
    await expectServing(served);
  });

  it('keeps the events of an overflowed resumable stream; Last-Event-ID replays all the client did not read', async () => {
    const probe: Probe = { go: deferred(), done: deferred() };
    const eventStore = new MemoryEventStore({ maxEventsPerStream: COUNT + 10 });
    const { served, watch } = await start(probe, { eventStore });
    const { sessionId } = await initialize(served.request);
    const headers = mcpHeaders(sessionId, { 'mcp-protocol-version': PROTOCOL_VERSION });
    // Reads the priming event (an id to resume from), then stops reading.
    const call = await openUnread(
      served,
      '/mcp',
      { method: 'POST', headers, body: JSON.stringify(callTool(2, 'flood')) },
      (text) => /^id: .+\n[\s\S]*?\n\n/m.test(text),
    );
    cleanup.add(() => call.close());
    const primingId = /^id: (.+)$/m.exec(call.text)![1]!;
    probe.go!.resolve();
    await withTimeout(probe.done.promise, 'the tool to send every notification and return');
    const post = watch.latest((r) => r.method === 'POST');
    await withTimeout(post.closed, 'the server to close the unread stream');
    await withTimeout(post.handled, 'the call to end');
    expect((await withTimeout(call.outcome(), 'the client to see the stream end')).complete).toBe(false);

    const resumed = await served.request('/mcp', {
      headers: {
        accept: 'text/event-stream',
        'mcp-session-id': sessionId!,
        'mcp-protocol-version': PROTOCOL_VERSION,
        'last-event-id': primingId,
      },
    });
    expect(resumed.status).toBe(200);
    const messages = (await new SseReader(resumed).rest('the replay to end')).map(
      (event) =>
        JSON.parse(event.data) as { method?: string; params?: { data?: { i: number } }; id?: number },
    );
    const logs = messages.filter((message) => message.method === 'notifications/message');
    expect(logs.map((message) => message.params?.data?.i)).toEqual([...Array(COUNT).keys()]);
    expect(messages.at(-1)).toMatchObject({ id: 2, result: { content: [{ text: 'flooded' }] } });
    await expectServing(served);
  });
});

describe('node binding: one stream on its own', () => {
  it('keeps one drain waiter for thousands of queued writes, settles them all when the client leaves, and serves on', async () => {
    const writes: Promise<void>[] = [];
    const queued = deferred<{ before: Listeners; after: Listeners; closed: boolean }>();
    const host = createServer((req, res) => {
      if (req.url === '/health') {
        res.end('ok');
        return;
      }
      const exchange = new NodeExchange(req, res, {
        basePath: '',
        stripBasePath: false,
        maxBodyBytes: 1024,
        body: undefined,
        maxStreamBufferBytes: 1024 * 1024 * 1024,
      });
      const stream = exchange.stream(200, { 'content-type': 'text/event-stream' });
      const before = listenersOf(res);
      const chunk = `data: ${'x'.repeat(4096)}\n\n`;
      for (let i = 0; i < 5000; i++) writes.push(stream.write(chunk));
      queued.resolve({ before, after: listenersOf(res), closed: stream.closed });
    });
    await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
    cleanup.add(
      () =>
        new Promise<void>((resolve) => {
          host.close(() => resolve());
          host.closeAllConnections();
        }),
    );
    const url = `http://127.0.0.1:${(host.address() as AddressInfo).port}`;
    const client = await openUnreadNode(`${url}/stream`, { headers: {} }, 'headers');
    const { before, after, closed } = await withTimeout(queued.promise, 'the writes to be queued');
    // 20 MB queued for a client that reads nothing: every write past the socket's buffer waits.
    expect(closed).toBe(false);
    expect(after.drain - before.drain).toBeLessThanOrEqual(1);
    expect(after.close - before.close).toBeLessThanOrEqual(1);
    client.close();
    await withTimeout(Promise.all(writes), 'every queued write to settle');
    expect(await (await fetch(`${url}/health`)).text()).toBe('ok');
  });
});

interface Listeners {
  drain: number;
  close: number;
}

function listenersOf(res: { listenerCount(event: string): number }): Listeners {
  return { drain: res.listenerCount('drain'), close: res.listenerCount('close') };
}

describe('fetch binding: one stream on its own', () => {
  function newStream(budget: number) {
    const exchange = new WebExchange(new Request('http://localhost/stream'), {
      basePath: '',
      stripBasePath: false,
      maxBodyBytes: 1024,
      body: undefined,
      maxStreamBufferBytes: budget,
    });
    const closed = deferred();
    exchange.onClose(() => closed.resolve());
    const stream = exchange.stream(200, { 'content-type': 'text/event-stream' });
    return { exchange, stream, closed: closed.promise };
  }

  it('closes a stream nobody reads past its budget, and settles every pending write', async () => {
    const { exchange, stream, closed } = newStream(BUDGET);
    const response = await exchange.response;
    const chunk = `data: ${PAD}\n\n`;
    const writes: Promise<void>[] = [];
    // Past the high-water mark each write waits for the reader; a few more go past the budget.
    for (let i = 0; i < 10; i++) writes.push(stream.write(chunk));
    expect(stream.closed).toBe(true);
    await withTimeout(Promise.all(writes), 'every pending write to settle');
    await withTimeout(closed, 'the exchange to report its close');
    expect(exchange.signal.aborted).toBe(true);
    const reader = response.body!.getReader();
    await expect(reader.read()).rejects.toMatchObject({ code: 'WHARF_STREAM_OVERFLOW' });
    // Writes after the close are dropped, and settle at once.
    await withTimeout(stream.write(chunk), 'a write on the closed stream');
  });

  it('paces concurrent writers to a reader that reads: every write settles, nothing is lost', async () => {
    // Room for the writers that wake together past the high-water mark: pacing, not overflow.
    const { exchange, stream } = newStream(4 * BUDGET);
    const reader = (await exchange.response).body!.getReader();
    const chunk = `data: ${PAD}\n\n`;
    const writer = async () => {
      for (let i = 0; i < 10; i++) await stream.write(chunk);
    };
    const writers = Promise.all([writer(), writer(), writer(), writer()]).then(() => stream.end());
    let bytes = 0;
    for (;;) {
      const { done, value } = await withTimeout(reader.read(), 'the next chunk');
      if (done) break;
      bytes += value.byteLength;
    }
    await withTimeout(writers, 'every writer to finish');
    expect(bytes).toBe(40 * Buffer.byteLength(chunk));
  });
});
