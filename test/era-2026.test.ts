/**
 * Protocol 2026-07-28, served per request, at the server layer and over stdio (issue 13, item 1):
 * `server/discover`; version, client and capabilities from each request's `_meta`; `resultType` and
 * `serverInfo` on every result; caching hints (per server, per list, per resource); deterministic
 * lists; per-request log levels; the revision's errors (-32602 for a bad envelope or a missing
 * resource, -32021, -32022, -32601 for the removed methods); `subscriptions/listen`; and, on one stdio
 * connection, a 2025 session beside it, undisturbed. Every 2026 message the server emits is checked
 * against `2026-07-28/schema.json` (with `WHARF_SPEC_DIR`).
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { type JsonRpcMessage, McpError, McpServer, WharfError } from 'wharf-mcp';
import { StdioTransport } from 'wharf-mcp/stdio';
import { z } from 'zod';
import { Cleanup, deferred, withTimeout } from './support/common.js';
import { type Message, request, V } from './support/era-2026.js';
import { validateDefinition, validateServerMessage, type WireVersion } from './support/wire-validator.js';

const SERVER_INFO = 'io.modelcontextprotocol/serverInfo';
const SUBSCRIPTION_ID = 'io.modelcontextprotocol/subscriptionId';
const ALL_VERSIONS = ['2026-07-28', '2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05'];

function createServer(options: Partial<ConstructorParameters<typeof McpServer>[0]> = {}) {
  const server = new McpServer({
    name: 'era-2026-test',
    version: '2.6.0',
    title: 'Era test',
    instructions: 'Use add to add.',
    ...options,
  });
  server.tool(
    'add',
    { description: 'Adds', inputSchema: z.object({ a: z.number(), b: z.number() }) },
    ({ a, b }) => String(a + b),
  );
  server.tool('whoami', { description: 'Says what the request declared' }, (_args, ctx) => ({
    content: [{ type: 'text', text: 'me' }],
    structuredContent: {
      version: ctx.protocolVersion,
      client: ctx.client.info?.name ?? null,
      capabilities: ctx.client.capabilities,
      session: ctx.sessionId ?? null,
    },
    _meta: { 'com.example/own': true },
  }));
  server.tool('chatty', { description: 'Logs and reports progress' }, async (_args, ctx) => {
    await ctx.log('info', 'an info');
    await ctx.log('error', 'an error');
    await ctx.progress(1, 2, 'half');
    return 'done';
  });
  server.tool('summarize', { description: 'Asks the client model' }, async (_args, ctx) => {
    const answer = await ctx.sample({ messages: [], maxTokens: 5 });
    return String(answer.model);
  });
  server.resource('readme', 'file:///readme.md', { mimeType: 'text/markdown' }, () => '# Readme');
  server.resource('motd', 'app://motd', { cache: { ttlMs: 3_600_000, cacheScope: 'public' } }, () => 'hi');
  server.resourceTemplate('user', 'users://{id}', { cache: { ttlMs: 5_000 } }, (uri, { id }) => {
    if (id !== '1') throw McpError.resourceNotFound(uri);
    return 'Ada';
  });
  server.prompt(
    'greet',
    { description: 'Greets', arguments: [{ name: 'name', required: true }] },
    ({ name }) => {
      return `Hello, ${name}`;
    },
  );
  return server;
}

/** Asserts a server message is valid 2026-07-28 (the response checked as the result of `method`). */
function expectWire(message: unknown, method?: string, version: WireVersion = V): void {
  expect(validateServerMessage(version, message, method), JSON.stringify(message)).toEqual([]);
}

/** One request through `server.handlePerRequest`, as transports hand it over; every message checked. */
async function ask(server: McpServer, message: Message) {
  const sent: Message[] = [];
  const answer = await server.handlePerRequest(message, {
    reply: (outgoing) => {
      sent.push(outgoing as Message);
    },
  });
  for (const note of sent) expectWire(note);
  if (answer.message) expectWire(answer.message, message.method);
  return { ...answer, response: answer.message as Message, sent };
}

describe('2026-07-28 at the server layer', () => {
  it('answers server/discover with every version it speaks, its capabilities and identity, cacheable', async () => {
    const server = createServer();
    const { response, refused } = await ask(server, request(1, 'server/discover'));
    expect(refused).toBe(false);
    expect(validateDefinition(V, 'DiscoverResult', response.result)).toEqual([]);
    expect(response.result).toEqual({
      resultType: 'complete',
      supportedVersions: ALL_VERSIONS,
      capabilities: {
        logging: {},
        tools: { listChanged: true },
        resources: { subscribe: true, listChanged: true },
        prompts: { listChanged: true },
        completions: {},
      },
      instructions: 'Use add to add.',
      ttlMs: 60_000,
      cacheScope: 'public',
      _meta: { [SERVER_INFO]: { name: 'era-2026-test', version: '2.6.0', title: 'Era test' } },
    });
    // Answered without a session: nothing to remember afterwards.
    expect(server.sessions.size).toBe(0);
  });

  it('puts resultType and serverInfo on every result, beside the handler own _meta', async () => {
    const server = createServer();
    const calls: [string, Record<string, unknown>][] = [
      ['tools/call', { name: 'add', arguments: { a: 1, b: 2 } }],
      ['prompts/get', { name: 'greet', arguments: { name: 'Ada' } }],
      [
        'completion/complete',
        { ref: { type: 'ref/prompt', name: 'greet' }, argument: { name: 'name', value: '' } },
      ],
    ];
    for (const [method, params] of calls) {
      const { response } = await ask(server, request(7, method, params));
      expect(response.result?.resultType, method).toBe('complete');
      expect(response.result?._meta?.[SERVER_INFO], method).toEqual(server.info);
    }
    const { response } = await ask(server, request(8, 'tools/call', { name: 'whoami' }));
    expect(response.result._meta).toEqual({ 'com.example/own': true, [SERVER_INFO]: server.info });
  });

  it('reads version, client and capabilities from each request’s _meta, and no session', async () => {
    const server = createServer();
    const caps = { sampling: {}, extensions: { 'com.example/x': {} } };
    const { response } = await ask(
      server,
      request(
        3,
        'tools/call',
        { name: 'whoami' },
        { clientInfo: { name: 'probe', version: '9' }, clientCapabilities: caps },
      ),
    );
    expect(response.result.structuredContent).toEqual({
      version: V,
      client: 'probe',
      capabilities: caps,
      session: null,
    });
    // clientInfo is a SHOULD: a request without it is served.
    const { response: anonymous } = await ask(
      server,
      request(4, 'tools/call', { name: 'whoami' }, { clientInfo: undefined }),
    );
    expect(anonymous.result.structuredContent.client).toBeNull();
  });

  it('gives caching hints: defaults, per server, per list, per resource and template', async () => {
    const defaults = createServer();
    const hint = async (server: McpServer, method: string, params: Record<string, unknown> = {}) => {
      const { response } = await ask(server, request(2, method, params));
      return { ttlMs: response.result.ttlMs, cacheScope: response.result.cacheScope };
    };
    const minute = { ttlMs: 60_000, cacheScope: 'public' };
    for (const method of ['tools/list', 'prompts/list', 'resources/list', 'resources/templates/list']) {
      expect(await hint(defaults, method), method).toEqual(minute);
    }
    expect(await hint(defaults, 'resources/read', { uri: 'file:///readme.md' })).toEqual({
      ttlMs: 0,
      cacheScope: 'private',
    });
    expect(await hint(defaults, 'resources/read', { uri: 'app://motd' })).toEqual({
      ttlMs: 3_600_000,
      cacheScope: 'public',
    });
    expect(await hint(defaults, 'resources/read', { uri: 'users://1' })).toEqual({
      ttlMs: 5_000,
      cacheScope: 'private',
    });

    const tuned = createServer({
      cache: {
        tools: { ttlMs: 300_000 },
        read: { cacheScope: 'public' },
        discover: { ttlMs: 0, cacheScope: 'private' },
      },
    });
    expect(await hint(tuned, 'tools/list')).toEqual({ ttlMs: 300_000, cacheScope: 'public' });
    expect(await hint(tuned, 'prompts/list')).toEqual(minute);
    expect(await hint(tuned, 'resources/read', { uri: 'file:///readme.md' })).toEqual({
      ttlMs: 0,
      cacheScope: 'public',
    });
    expect(await hint(tuned, 'server/discover')).toEqual({ ttlMs: 0, cacheScope: 'private' });
    // The definition lists no `cache`: it is Wharf's, not a field of the resource.
    const { response } = await ask(defaults, request(2, 'resources/list'));
    expect(response.result.resources.map((r: Message) => 'cache' in r)).toEqual([false, false]);
  });

  it('checks hints once, at construction and registration', () => {
    expect(() => new McpServer({ name: 'x', version: '1', cache: { tools: { ttlMs: -1 } } })).toThrow(
      WharfError,
    );
    expect(() => new McpServer({ name: 'x', version: '1', cache: { tools: { ttlMs: 1.5 } } })).toThrow(
      /whole number/,
    );
    expect(() => new McpServer({ name: 'x', version: '1', cache: { lists: {} } as never })).toThrow(
      /no target "lists"/,
    );
    const server = new McpServer({ name: 'x', version: '1' });
    expect(() =>
      server.resource('r', 'app://r', { cache: { cacheScope: 'shared' as never } }, () => ''),
    ).toThrow(/"public".*"private"/);
  });

  it('lists in registration order, page by page, each page with its hint', async () => {
    const server = new McpServer({ name: 'pages', version: '1', pageSize: 2 });
    const names = ['zeta', 'alpha', 'mid', 'beta', 'omega'];
    const handles = names.map((name) => server.tool(name, { description: name }, () => name));
    handles[1]!.disable();
    handles[1]!.enable(); // back in its place, not at the end
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const { response } = await ask(server, request(1, 'tools/list', cursor ? { cursor } : {}));
      expect(response.result.ttlMs).toBe(60_000);
      seen.push(...response.result.tools.map((tool: Message) => tool.name));
      cursor = response.result.nextCursor;
    } while (cursor);
    expect(seen).toEqual(names);
  });

  it('refuses a malformed envelope with -32602, naming what to send', async () => {
    const server = createServer();
    const cases: [Message, RegExp][] = [
      [{ jsonrpc: '2.0', id: 1, method: 'tools/list' }, /no _meta/],
      [
        {
          jsonrpc: '2.0',
          id: 1,
          method: 'tools/list',
          params: { _meta: { 'io.modelcontextprotocol/clientCapabilities': {} } },
        },
        /protocolVersion/,
      ],
      [request(1, 'tools/list', {}, { clientCapabilities: undefined }), /clientCapabilities/],
      [request(1, 'tools/list', {}, { logLevel: 'loud' }), /Unknown log level "loud"/],
    ];
    for (const [message, why] of cases) {
      const { response, refused } = await ask(server, message);
      expect(refused).toBe(true);
      expect(response.id).toBe(1);
      expect(response.error.code).toBe(-32602);
      expect(response.error.message).toMatch(why);
    }
  });

  it('answers an unknown version with -32022 listing every version it speaks', async () => {
    const server = createServer();
    const { response, refused } = await ask(
      server,
      request(5, 'server/discover', {}, { protocolVersion: '2099-01-01' }),
    );
    expect(refused).toBe(true);
    expect(validateDefinition(V, 'UnsupportedProtocolVersionError', response)).toEqual([]);
    expect(response.error.code).toBe(-32022);
    expect(response.error.data).toEqual({ supported: ALL_VERSIONS, requested: '2099-01-01' });
    expect(response.error.message).toContain('2026-07-28');
  });

  it('has no initialize, ping, logging/setLevel or resources/(un)subscribe: -32601 says what to use instead', async () => {
    const server = createServer();
    const removed: [string, RegExp][] = [
      ['initialize', /server\/discover/],
      ['ping', /any request/],
      ['logging/setLevel', /io\.modelcontextprotocol\/logLevel/],
      ['resources/subscribe', /subscriptions\/listen/],
      ['resources/unsubscribe', /subscriptions\/listen/],
    ];
    for (const [method, instead] of removed) {
      const { response, refused } = await ask(
        server,
        request(9, method, { uri: 'file:///readme.md', level: 'info' }),
      );
      expect(refused, method).toBe(false);
      expect(response.error.code, method).toBe(-32601);
      expect(response.error.message, method).toMatch(instead);
    }
    const { response } = await ask(server, request(9, 'tasks/list'));
    expect(response.error.message).toMatch(/server\/discover, subscriptions\/listen, tools\/list/);
    expect(response.error.message).not.toMatch(/ping/);
  });

  it('has no methods beyond the capabilities it advertises (-32601), so discover and the methods agree', async () => {
    const server = new McpServer({ name: 'tools-only', version: '1' });
    server.tool('t', { description: 't' }, () => 't');
    const { response: discovered } = await ask(server, request(1, 'server/discover'));
    expect(Object.keys(discovered.result.capabilities).sort()).toEqual(['logging', 'tools']);
    for (const method of ['prompts/list', 'resources/list', 'resources/read', 'completion/complete']) {
      const { response } = await ask(server, request(2, method, { uri: 'file:///x' }));
      expect(response.error.code, method).toBe(-32601);
      expect(response.error.message, method).toMatch(/capability, which this server does not offer/);
    }
    // A 2025 session keeps its empty lists.
    const legacy = await server.handleStateless(
      { jsonrpc: '2.0', id: 3, method: 'prompts/list' },
      '2025-11-25',
    );
    expect((legacy as Message).result).toEqual({ prompts: [] });
  });

  it('says a missing resource with -32602, where a 2025 session still says -32002', async () => {
    const server = createServer();
    for (const uri of ['file:///nope', 'users://2']) {
      const { response } = await ask(server, request(6, 'resources/read', { uri }));
      expect(response.error.code, uri).toBe(-32602);
      expect(response.error.data).toEqual({ uri });
    }
    const legacy = await server.handleStateless(
      { jsonrpc: '2.0', id: 6, method: 'resources/read', params: { uri: 'users://2' } },
      '2025-11-25',
    );
    expect((legacy as Message).error.code).toBe(-32002);
  });

  it('sends notifications/message only to a request that named a level, at or above it', async () => {
    const server = createServer();
    const silent = await ask(server, request(1, 'tools/call', { name: 'chatty' }, { progressToken: 'p' }));
    expect(silent.sent.map((m) => m.method)).toEqual(['notifications/progress']);
    expect(silent.sent[0]!.params).toEqual({ progressToken: 'p', progress: 1, total: 2, message: 'half' });
    const loud = await ask(server, request(2, 'tools/call', { name: 'chatty' }, { logLevel: 'warning' }));
    expect(loud.sent).toEqual([
      { jsonrpc: '2.0', method: 'notifications/message', params: { level: 'error', data: 'an error' } },
    ]);
  });

  it('answers a call needing an undeclared client capability with -32021', async () => {
    const server = createServer();
    const { response } = await ask(server, request(4, 'tools/call', { name: 'summarize' }));
    expect(validateDefinition(V, 'MissingRequiredClientCapabilityError', response)).toEqual([]);
    expect(response.error).toMatchObject({ code: -32021, data: { requiredCapabilities: { sampling: {} } } });
    // Declared, the call gets as far as asking, which this era does through input_required (mrtr).
    const declared = await ask(
      server,
      request(5, 'tools/call', { name: 'summarize' }, { clientCapabilities: { sampling: {} } }),
    );
    expect(declared.response.result.resultType).toBe('input_required');
    expect(declared.response.result.inputRequests['input-1'].method).toBe('sampling/createMessage');
  });

  it('refuses batches, responses and garbage with -32600; takes notifications silently', async () => {
    const server = createServer();
    const batch = await server.handlePerRequest([request(1, 'tools/list')]);
    expect(batch).toMatchObject({ refused: true, message: { error: { code: -32600 } } });
    const response = await server.handlePerRequest({ jsonrpc: '2.0', id: 1, result: {} });
    expect(response).toMatchObject({ refused: true, message: { error: { code: -32600 } } });
    const garbage = await server.handlePerRequest({ jsonrpc: '1.0', id: 3, method: 'x' });
    expect(garbage).toMatchObject({ refused: true, message: { id: 3, error: { code: -32600 } } });
    expect(await server.handlePerRequest({ jsonrpc: '2.0', method: 'notifications/initialized' })).toEqual({
      message: undefined,
      refused: false,
    });
  });

  it('checks x-mcp-header annotations at registration', () => {
    const server = new McpServer({ name: 'x', version: '1' });
    const tool = (name: string, properties: Record<string, unknown>) =>
      server.tool(name, { inputSchema: { type: 'object', properties } }, () => '');
    expect(() =>
      tool('ok', {
        region: { type: 'string', 'x-mcp-header': 'Region' },
        n: { type: 'integer', 'x-mcp-header': 'N' },
      }),
    ).not.toThrow();
    expect(() => tool('zod', {})).not.toThrow();
    expect(() =>
      server.tool(
        'zod2',
        { inputSchema: z.object({ r: z.string().meta({ 'x-mcp-header': 'R' }) }) },
        () => '',
      ),
    ).not.toThrow();
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ n: { type: 'number', 'x-mcp-header': 'N' } }, /never number/],
      [
        { a: { type: 'string', 'x-mcp-header': 'Same' }, b: { type: 'string', 'x-mcp-header': 'same' } },
        /used twice/,
      ],
      [{ a: { type: 'string', 'x-mcp-header': 'Bad Name' } }, /HTTP token/],
      [{ a: { type: 'string', 'x-mcp-header': '' } }, /HTTP token/],
      [
        { list: { type: 'array', items: { type: 'string', 'x-mcp-header': 'Item' } } },
        /through "properties" alone/,
      ],
      [{ any: { anyOf: [{ type: 'string', 'x-mcp-header': 'Any' }] } }, /through "properties" alone/],
    ];
    bad.forEach(([properties, why], i) => {
      expect(() => tool(`bad${i}`, properties)).toThrow(why);
    });
  });
});

/** One side of a stdio pipe pair: a real `StdioTransport` on the server, lines on the client. */
class StdioPeer {
  readonly messages: Message[] = [];
  private readonly input = new PassThrough();
  private readonly output = new PassThrough();
  private readonly waiters = new Set<() => boolean>();
  private readonly eras = new Map<string | number, { version: WireVersion; method: string }>();

  constructor(readonly server: McpServer) {
    createInterface({ input: this.output }).on('line', (line) => {
      const message = JSON.parse(line) as Message;
      this.check(message);
      this.messages.push(message);
      for (const waiter of [...this.waiters]) if (waiter()) this.waiters.delete(waiter);
    });
  }

  connect() {
    return this.server.connect(new StdioTransport({ input: this.input, output: this.output }));
  }

  /** Sends a message; a request is remembered with its era, to check its answer against that schema. */
  send(message: Message, version: WireVersion = V): void {
    if (message.id !== undefined && message.method)
      this.eras.set(message.id, { version, method: message.method });
    this.input.write(`${JSON.stringify(message)}\n`);
  }

  async call(message: Message, version: WireVersion = V): Promise<Message> {
    this.send(message, version);
    return this.next((m) => m.id === message.id && !('method' in m), `the answer to ${message.method}`);
  }

  /** The first message (seen already or to come) that `match` accepts; taken off the list. */
  next(match: (message: Message) => boolean, what: string): Promise<Message> {
    const found = deferred<Message>();
    const attempt = () => {
      const index = this.messages.findIndex(match);
      if (index === -1) return false;
      found.resolve(this.messages.splice(index, 1)[0]!);
      return true;
    };
    if (!attempt()) this.waiters.add(attempt);
    return withTimeout(found.promise, what);
  }

  end(): void {
    this.input.end();
  }

  private check(message: Message): void {
    const era = message.id !== undefined && !('method' in message) ? this.eras.get(message.id) : undefined;
    expectWire(message, era?.method, era?.version ?? V);
  }
}

describe('2026-07-28 over stdio, beside a 2025 session on the same connection', () => {
  const cleanup = new Cleanup();
  afterEach(() => cleanup.run());

  async function connected(server = createServer()) {
    const peer = new StdioPeer(server);
    await peer.connect();
    cleanup.add(() => server.close());
    return peer;
  }

  it('answers server/discover as the probe, then a 2025 client initializes as always', async () => {
    const peer = await connected();
    const discovered = await peer.call(request('probe', 'server/discover'));
    expect(discovered.result.supportedVersions).toEqual(ALL_VERSIONS);
    // A legacy client that probes without the 2026 _meta gets a non-modern error and falls back.
    const legacyProbe = await peer.call(
      { jsonrpc: '2.0', id: 'p2', method: 'server/discover' },
      '2025-11-25',
    );
    expect(legacyProbe.error.code).toBe(-32600);
    const init = await peer.call(
      {
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: {
          protocolVersion: '2026-07-28',
          capabilities: {},
          clientInfo: { name: 'old', version: '1' },
        },
      },
      '2025-11-25',
    );
    // initialize never negotiates the per-request revision: the latest session one instead.
    expect(init.result.protocolVersion).toBe('2025-11-25');
    peer.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    const legacyList = await peer.call({ jsonrpc: '2.0', id: 2, method: 'tools/list' }, '2025-11-25');
    expect(legacyList.result.resultType).toBeUndefined();
    expect(legacyList.result.ttlMs).toBeUndefined();
    const modernList = await peer.call(request(3, 'tools/list'));
    expect(modernList.result).toMatchObject({ resultType: 'complete', ttlMs: 60_000 });
    const whoami = await peer.call(request(4, 'tools/call', { name: 'whoami' }));
    expect(whoami.result.structuredContent.client).toBe('era-2026-test-client');
  });

  it('touches no session: 2026 requests before initialize are answered, and the session still needs initialize', async () => {
    const peer = await connected();
    const answer = await peer.call(request(1, 'tools/call', { name: 'add', arguments: { a: 2, b: 3 } }));
    expect(answer.result.content).toEqual([{ type: 'text', text: '5' }]);
    const early = await peer.call({ jsonrpc: '2.0', id: 2, method: 'tools/list' }, '2025-11-25');
    expect(early.error.message).toMatch(/before initialization/);
    // Its progress and logs ride on the same channel, before its answer.
    peer.send(request(3, 'tools/call', { name: 'chatty' }, { progressToken: 7, logLevel: 'debug' }));
    const progress = await peer.next((m) => m.method === 'notifications/progress', 'the progress');
    expect(progress.params.progressToken).toBe(7);
    const logs = [
      await peer.next((m) => m.method === 'notifications/message', 'a log'),
      await peer.next((m) => m.method === 'notifications/message', 'another log'),
    ];
    expect(logs.map((m) => m.params.level)).toEqual(['info', 'error']);
    expect((await peer.next((m) => m.id === 3, 'the answer')).result.content[0].text).toBe('done');
  });

  it('stops a request on notifications/cancelled: its signal aborts and no answer is sent', async () => {
    const server = createServer();
    const aborted = deferred<unknown>();
    const started = deferred();
    server.tool('wait', { description: 'Waits to be cancelled' }, async (_args, ctx) => {
      ctx.signal.addEventListener('abort', () => aborted.resolve(ctx.signal.reason));
      started.resolve();
      await aborted.promise;
      return 'too late';
    });
    const peer = await connected(server);
    peer.send(request('slow', 'tools/call', { name: 'wait' }));
    await withTimeout(started.promise, 'the tool to start');
    peer.send({
      jsonrpc: '2.0',
      method: 'notifications/cancelled',
      params: { requestId: 'slow', reason: 'user' },
    });
    expect(String(await withTimeout(aborted.promise, 'the abort'))).toContain('user');
    // The next answer is the next request's: the cancelled one never gets one.
    const after = await peer.call(request('after', 'server/discover'));
    expect(after.result.resultType).toBe('complete');
    expect(peer.messages.find((m) => m.id === 'slow')).toBeUndefined();
  });

  it('serves subscriptions/listen: acknowledged first, tagged, filtered, ended by cancel or by the server', async () => {
    const server = createServer();
    const peer = await connected(server);
    peer.send(
      request(10, 'subscriptions/listen', {
        notifications: { toolsListChanged: true, resourceSubscriptions: ['file:///readme.md'], bogus: true },
      }),
    );
    const ack = await peer.next((m) => m.method === 'notifications/subscriptions/acknowledged', 'the ack');
    expect(ack.params).toEqual({
      _meta: { [SUBSCRIPTION_ID]: 10 },
      notifications: { toolsListChanged: true, resourceSubscriptions: ['file:///readme.md'] },
    });
    peer.send(request(11, 'subscriptions/listen', { notifications: { promptsListChanged: true } }));
    await peer.next((m) => m.params?._meta?.[SUBSCRIPTION_ID] === 11, 'the second ack');

    server.tool('fresh', { description: 'new' }, () => '');
    const changed = await peer.next(
      (m) => m.method === 'notifications/tools/list_changed',
      'the tools change',
    );
    expect(changed.params._meta).toEqual({ [SUBSCRIPTION_ID]: 10 });
    server.notifyResourceUpdated('file:///other');
    server.notifyResourceUpdated('file:///readme.md');
    const updated = await peer.next((m) => m.method === 'notifications/resources/updated', 'the update');
    expect(updated.params).toEqual({ uri: 'file:///readme.md', _meta: { [SUBSCRIPTION_ID]: 10 } });
    // Stream 11 (prompts only) heard nothing of the tools change; cancelling it ends it with no answer.
    peer.send({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 11 } });
    const probe = await peer.call(request(12, 'server/discover'));
    expect(probe.result).toBeDefined();
    expect(peer.messages.filter((m) => m.params?._meta?.[SUBSCRIPTION_ID] === 11 || m.id === 11)).toEqual([]);

    // The server closing ends stream 10 gracefully: a final response carrying its id.
    await server.close();
    const final = await peer.next((m) => m.id === 10, 'the final response');
    expect(final.result).toEqual({
      resultType: 'complete',
      _meta: { [SUBSCRIPTION_ID]: 10, [SERVER_INFO]: server.info },
    });
  });
});

describe('2026-07-28 on the everything fixture, in a real child process', () => {
  let child: ChildProcessWithoutNullStreams | undefined;
  afterEach(() => {
    child?.kill();
    child = undefined;
  });

  it('answers the stdio probe, and a 2025 client then initializes on the same process', async () => {
    const root = fileURLToPath(new URL('..', import.meta.url));
    child = spawn(process.execPath, ['--import', 'tsx', 'examples/everything/stdio.ts'], { cwd: root });
    const lines = createInterface({ input: child.stdout });
    const pending = new Map<string | number, (message: Message) => void>();
    lines.on('line', (line) => {
      const message = JSON.parse(line) as Message;
      pending.get(message.id)?.(message);
    });
    const call = (message: Message) => {
      const answer = deferred<Message>();
      pending.set(message.id, answer.resolve);
      child!.stdin.write(`${JSON.stringify(message)}\n`);
      return withTimeout(answer.promise, `the answer to ${message.method}`, 15_000);
    };
    const discovered = await call(request('probe', 'server/discover'));
    expectWire(discovered, 'server/discover');
    expect(discovered.result.supportedVersions).toContain('2026-07-28');
    expect(discovered.result._meta[SERVER_INFO].name).toBeTruthy();
    const tools = await call(request('list', 'tools/list'));
    expectWire(tools, 'tools/list');
    const init = await call({
      jsonrpc: '2.0',
      id: 'init',
      method: 'initialize',
      params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'old', version: '1' } },
    } satisfies JsonRpcMessage as Message);
    expectWire(init, 'initialize', '2025-11-25');
    expect(init.result.protocolVersion).toBe('2025-11-25');
  });
});
