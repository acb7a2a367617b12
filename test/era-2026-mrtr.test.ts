/**
 * Multi round-trip under protocol 2026-07-28 (issue 13, item 2; basic/patterns/mrtr): `ctx.elicit()`,
 * `ctx.sample()` and `ctx.listRoots()` end the attempt with `input_required`, and the retry (answers
 * plus the signed `requestState`) runs the same handler again with the answers. Covers several
 * questions (sequential and parallel), `key`, `ctx.once`, a forged, rebound, expired or foreign
 * state, malformed answers, principals over HTTP, stdio, and the same handler in a 2025 session.
 * Every 2026 message the server emits is checked against the schema (with `WHARF_SPEC_DIR`).
 */
import { PassThrough } from 'node:stream';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type Delivery, McpServer, type Middleware, WharfError } from 'wharf-mcp';
import { StdioTransport } from 'wharf-mcp/stdio';
import { z } from 'zod';
import { Cleanup, connectSdk, deferred, serve, textOf, withTimeout } from './support/bindings.js';
import { type Message, post, request } from './support/era-2026.js';
import { validateServerMessage } from './support/wire-validator.js';

const CAPABILITIES = { elicitation: {}, sampling: {}, roots: { listChanged: true } };
const NAME_SCHEMA = { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] } as const;
const accept = (content: Record<string, unknown>) => ({ action: 'accept', content });
const SAMPLED = {
  role: 'assistant',
  content: { type: 'text', text: 'Paris' },
  model: 'test-model',
  stopReason: 'endTurn',
};
const ROOTS = { roots: [{ uri: 'file:///work', name: 'Work' }] };
const SECRET_A = 'a'.repeat(32);
const SECRET_B = 'b'.repeat(32);

function createServer(options: Partial<ConstructorParameters<typeof McpServer>[0]> = {}) {
  const server = new McpServer({ name: 'mrtr-test', version: '1.0.0', ...options });
  const counts = { greet: 0, draft: 0, drafted: 0 };
  const greet = async (_args: unknown, ctx: Parameters<Parameters<typeof server.tool>[2]>[1]) => {
    counts.greet++;
    const answer = await ctx.elicit(
      { message: 'What is your name?', requestedSchema: NAME_SCHEMA },
      { key: 'user_name' },
    );
    return `Hello, ${String(answer.content?.name)} (${answer.action})`;
  };
  server.tool('greet', { description: 'Asks a name' }, greet);
  server.tool('greet2', { description: 'The same, under another name' }, greet);
  server.tool(
    'echo',
    { description: 'Asks, then echoes', inputSchema: z.object({ x: z.number() }) },
    async ({ x }, ctx) => {
      const answer = await ctx.elicit({ message: `About ${x}?`, requestedSchema: NAME_SCHEMA });
      return `${x}: ${String(answer.content?.name)}`;
    },
  );
  server.tool('survey', { description: 'Two questions, one after the other' }, async (_args, ctx) => {
    const first = await ctx.elicit(
      { message: 'Step 1: name?', requestedSchema: NAME_SCHEMA },
      { key: 'step1' },
    );
    const second = await ctx.elicit(
      { message: `Step 2: ${String(first.content?.name)}, colour?`, requestedSchema: NAME_SCHEMA },
      { key: 'step2' },
    );
    return `${String(first.content?.name)} likes ${String(second.content?.name)}`;
  });
  server.tool('all', { description: 'Three questions at once' }, async (_args, ctx) => {
    const [answer, sampled, roots] = await Promise.all([
      ctx.elicit({ message: 'Name?', requestedSchema: NAME_SCHEMA }),
      ctx.sample({
        messages: [{ role: 'user', content: { type: 'text', text: 'Capital?' } }],
        maxTokens: 10,
      }),
      ctx.listRoots(),
    ]);
    const text = sampled.content as { text?: string };
    return `${String(answer.content?.name)} / ${String(text.text)} / ${roots.map((r) => r.uri).join(',')}`;
  });
  server.tool('draft', { description: 'Work once, then two questions' }, async (_args, ctx) => {
    counts.draft++;
    const draft = await ctx.once('draft', () => ({ id: ++counts.drafted }));
    const first = await ctx.elicit({ message: 'Title?', requestedSchema: NAME_SCHEMA }, { key: 'title' });
    const second = await ctx.elicit({ message: 'Body?', requestedSchema: NAME_SCHEMA }, { key: 'body' });
    return `draft ${draft.id}: ${String(first.content?.name)} ${String(second.content?.name)}`;
  });
  server.prompt('context', { description: 'Asks for context' }, async (_args, ctx) => {
    const answer = await ctx.elicit(
      { message: 'Context?', requestedSchema: NAME_SCHEMA },
      { key: 'user_context' },
    );
    return `Use ${String(answer.content?.name)}`;
  });
  server.resource('secret', 'app://secret', {}, async (_uri, ctx) => {
    const answer = await ctx.elicit(
      { message: 'Password?', requestedSchema: NAME_SCHEMA },
      { key: 'password' },
    );
    return `open: ${String(answer.content?.name)}`;
  });
  return { server, counts };
}

function expectWire(message: unknown, method?: string): void {
  expect(validateServerMessage('2026-07-28', message, method), JSON.stringify(message)).toEqual([]);
}

interface Retry {
  inputResponses?: unknown;
  requestState?: unknown;
}

/** One 2026 request in process, its answer schema-checked; `retry` adds the MRTR fields. */
async function call(
  server: McpServer,
  method: string,
  params: Record<string, unknown>,
  retry: Retry = {},
  options: { capabilities?: object; delivery?: Delivery } = {},
): Promise<Message> {
  const message = request(
    7,
    method,
    { ...params, ...retry },
    { clientCapabilities: options.capabilities ?? CAPABILITIES },
  );
  const answer = await server.handlePerRequest(message, options.delivery);
  expectWire(answer.message, method);
  return answer.message as Message;
}

const tool = (server: McpServer, name: string, retry?: Retry, options?: Parameters<typeof call>[4]) =>
  call(server, 'tools/call', { name, arguments: {} }, retry, options);

describe('multi round-trip in process', () => {
  it('asks one question in input_required, then completes the retry with the answer', async () => {
    const { server, counts } = createServer();
    const first = await tool(server, 'greet');
    expect(first.result).toMatchObject({
      resultType: 'input_required',
      inputRequests: {
        user_name: {
          method: 'elicitation/create',
          params: { message: 'What is your name?', requestedSchema: NAME_SCHEMA },
        },
      },
      _meta: { 'io.modelcontextprotocol/serverInfo': { name: 'mrtr-test' } },
    });
    expect(first.result.requestState).toEqual(expect.any(String));
    const done = await tool(server, 'greet', {
      inputResponses: { user_name: accept({ name: 'Alice' }) },
      requestState: first.result.requestState,
    });
    expect(done.result.resultType).toBe('complete');
    expect(textOf(done.result)).toBe('Hello, Alice (accept)');
    expect(counts.greet).toBe(2);
  });

  it('carries earlier answers in the state across three rounds, each with a new state', async () => {
    const { server } = createServer();
    const r1 = await tool(server, 'survey');
    expect(Object.keys(r1.result.inputRequests)).toEqual(['step1']);
    const r2 = await tool(server, 'survey', {
      inputResponses: { step1: accept({ name: 'Alice' }) },
      requestState: r1.result.requestState,
    });
    expect(r2.result.resultType).toBe('input_required');
    expect(r2.result.inputRequests).toEqual({
      step2: {
        method: 'elicitation/create',
        params: { message: 'Step 2: Alice, colour?', requestedSchema: NAME_SCHEMA },
      },
    });
    expect(r2.result.requestState).not.toBe(r1.result.requestState);
    // Round 3 resends only the newest answer; the first rides in the state.
    const r3 = await tool(server, 'survey', {
      inputResponses: { step2: accept({ name: 'blue' }) },
      requestState: r2.result.requestState,
    });
    expect(textOf(r3.result)).toBe('Alice likes blue');
    // A client cannot swap an answer the state already carries.
    const swapped = await tool(server, 'survey', {
      inputResponses: { step1: accept({ name: 'Mallory' }), step2: accept({ name: 'red' }) },
      requestState: r2.result.requestState,
    });
    expect(textOf(swapped.result)).toBe('Alice likes red');
  });

  it('sends questions asked together in one input_required, keyed by their order', async () => {
    const { server } = createServer();
    const first = await tool(server, 'all');
    expect(first.result.inputRequests).toEqual({
      'input-1': { method: 'elicitation/create', params: { message: 'Name?', requestedSchema: NAME_SCHEMA } },
      'input-2': {
        method: 'sampling/createMessage',
        params: { messages: [{ role: 'user', content: { type: 'text', text: 'Capital?' } }], maxTokens: 10 },
      },
      'input-3': { method: 'roots/list', params: {} },
    });
    const done = await tool(server, 'all', {
      inputResponses: { 'input-1': accept({ name: 'Ada' }), 'input-2': SAMPLED, 'input-3': ROOTS },
      requestState: first.result.requestState,
    });
    expect(textOf(done.result)).toBe('Ada / Paris / file:///work');
  });

  it('works for prompts/get and resources/read too', async () => {
    const { server } = createServer();
    const prompt = await call(server, 'prompts/get', { name: 'context' });
    expect(Object.keys(prompt.result.inputRequests)).toEqual(['user_context']);
    const got = await call(
      server,
      'prompts/get',
      { name: 'context' },
      {
        inputResponses: { user_context: accept({ name: 'tests' }) },
        requestState: prompt.result.requestState,
      },
    );
    expect(got.result.messages[0].content.text).toBe('Use tests');
    const read = await call(server, 'resources/read', { uri: 'app://secret' });
    const opened = await call(
      server,
      'resources/read',
      { uri: 'app://secret' },
      { inputResponses: { password: accept({ name: 'sesame' }) }, requestState: read.result.requestState },
    );
    expect(opened.result.contents[0].text).toBe('open: sesame');
  });

  it('runs ctx.once once across three rounds and hands its value to later rounds', async () => {
    const { server, counts } = createServer();
    const r1 = await tool(server, 'draft');
    const r2 = await tool(server, 'draft', {
      inputResponses: { title: accept({ name: 'T' }) },
      requestState: r1.result.requestState,
    });
    const r3 = await tool(server, 'draft', {
      inputResponses: { body: accept({ name: 'B' }) },
      requestState: r2.result.requestState,
    });
    expect(textOf(r3.result)).toBe('draft 1: T B');
    expect([counts.draft, counts.drafted]).toEqual([3, 1]);
  });

  it('aborts ctx.signal when the attempt ends with questions', async () => {
    const { server } = createServer();
    const aborted = deferred<unknown>();
    server.tool('watcher', { description: 'Watches its signal' }, async (_args, ctx) => {
      ctx.signal.addEventListener('abort', () => aborted.resolve(ctx.signal.reason));
      await ctx.elicit({ message: 'Go?', requestedSchema: NAME_SCHEMA });
      return 'never';
    });
    expect((await tool(server, 'watcher')).result.resultType).toBe('input_required');
    expect(await withTimeout(aborted.promise, 'the abort')).toMatchObject({ name: 'InputRequired' });
  });

  it('answers a first call that already carries the answer (no state), ignoring unknown keys', async () => {
    const { server } = createServer();
    const done = await tool(server, 'greet', {
      inputResponses: { user_name: accept({ name: 'Alice' }), unknown_extra_key: accept({ x: 1 }) },
    });
    expect(textOf(done.result)).toBe('Hello, Alice (accept)');
    const wrongKey = await tool(server, 'greet', {
      inputResponses: { wrong_key: accept({ data: 'wrong' }) },
    });
    expect(wrongKey.result.resultType).toBe('input_required');
  });

  it.each([
    ['null', null],
    ['an array', [accept({ name: 'A' })]],
    ['a number for an answer', { user_name: 12345 }],
    ['a string', 'answers'],
  ])('refuses inputResponses that is %s with -32602', async (_what, inputResponses) => {
    const { server } = createServer();
    const answer = await tool(server, 'greet', { inputResponses });
    expect(answer.error.code).toBe(-32602);
    expect(answer.error.message).toContain('inputResponses');
  });

  it.each([
    ['greet', { user_name: { name: 'Alice' } }, 'user_name'],
    ['greet', { user_name: { action: 'maybe' } }, 'user_name'],
    [
      'all',
      { 'input-1': accept({ name: 'A' }), 'input-2': { role: 'assistant' }, 'input-3': ROOTS },
      'input-2',
    ],
    ['all', { 'input-1': accept({ name: 'A' }), 'input-2': SAMPLED, 'input-3': { roots: 'x' } }, 'input-3'],
  ])(
    'refuses an answer of the wrong shape for %s with -32602 naming its key',
    async (name, inputResponses, key) => {
      const { server } = createServer();
      const answer = await tool(server, name, { inputResponses });
      expect(answer.error.code).toBe(-32602);
      expect(answer.error.message).toContain(`inputResponses["${key}"]`);
    },
  );

  it('still needs the capability: -32021 without elicitation in _meta', async () => {
    const { server } = createServer();
    const answer = await tool(server, 'greet', {}, { capabilities: { sampling: {} } });
    expect(answer.error).toMatchObject({ code: -32021, data: { requiredCapabilities: { elicitation: {} } } });
  });
});

describe('requestState integrity', () => {
  async function issued(server: McpServer, name = 'greet', options?: Parameters<typeof call>[4]) {
    const first = await tool(server, name, {}, options);
    return first.result.requestState as string;
  }
  const answer = { user_name: accept({ name: 'Alice' }) };

  function tamperPayload(state: string): string {
    const [body, signature] = state.split('.') as [string, string];
    const payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    payload.r = { user_name: accept({ name: 'Mallory' }) };
    return `${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${signature}`;
  }

  it.each([
    ['a changed payload', tamperPayload],
    ['a changed signature', (s: string) => `${s.slice(0, -2)}${s.endsWith('AA') ? 'BB' : 'AA'}`],
    ['a suffix', (s: string) => `${s}-TAMPERED`],
    ['garbage', () => 'garbage'],
    ['a non-string', () => 12345],
  ])('refuses %s with -32602', async (_what, tamper: (state: string) => unknown) => {
    const { server } = createServer();
    const state = await issued(server);
    const refused = await tool(server, 'greet', { inputResponses: answer, requestState: tamper(state) });
    expect(refused.error.code).toBe(-32602);
    expect(refused.error.message).toMatch(/requestState/);
    expect(refused.error.message).toContain('without requestState');
  });

  it('refuses a state on another tool, or with other arguments', async () => {
    const { server } = createServer();
    const state = await issued(server);
    const other = await tool(server, 'greet2', { inputResponses: answer, requestState: state });
    expect(other.error.code).toBe(-32602);
    const echoed = await call(server, 'tools/call', { name: 'echo', arguments: { x: 1 } });
    const retry = {
      inputResponses: { 'input-1': accept({ name: 'n' }) },
      requestState: echoed.result.requestState,
    };
    const moved = await call(server, 'tools/call', { name: 'echo', arguments: { x: 2 } }, retry);
    expect(moved.error.code).toBe(-32602);
    const same = await call(server, 'tools/call', { name: 'echo', arguments: { x: 1 } }, retry);
    expect(textOf(same.result)).toBe('1: n');
  });

  it('refuses a state issued to another principal', async () => {
    const { server } = createServer();
    const state = await issued(server, 'greet', { delivery: { principal: 'sub:alice' } });
    const retry = { inputResponses: answer, requestState: state };
    expect((await tool(server, 'greet', retry, { delivery: { principal: 'sub:bob' } })).error.code).toBe(
      -32602,
    );
    expect((await tool(server, 'greet', retry)).error.code).toBe(-32602);
    const own = await tool(server, 'greet', retry, { delivery: { principal: 'sub:alice' } });
    expect(textOf(own.result)).toBe('Hello, Alice (accept)');
  });

  it('refuses an expired state', async () => {
    const { server } = createServer({ requestState: { ttlMs: 60_000 } });
    const state = await issued(server);
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(Date.now() + 60_001);
      const late = await tool(server, 'greet', { inputResponses: answer, requestState: state });
      expect(late.error.code).toBe(-32602);
      expect(late.error.message).toContain('expired');
    } finally {
      vi.useRealTimers();
    }
  });

  it('refuses a state signed with another secret, and accepts an old secret during rotation', async () => {
    const { server: a } = createServer({ requestState: { secret: SECRET_A } });
    const { server: b } = createServer({ requestState: { secret: SECRET_B } });
    const { server: rotated } = createServer({
      requestState: { secret: [SECRET_B, new TextEncoder().encode(SECRET_A)] },
    });
    const state = await issued(a);
    const retry = { inputResponses: answer, requestState: state };
    expect((await tool(b, 'greet', retry)).error.code).toBe(-32602);
    expect(textOf((await tool(rotated, 'greet', retry)).result)).toBe('Hello, Alice (accept)');
    // Two instances sharing a secret take each other's states.
    const { server: twin } = createServer({ requestState: { secret: SECRET_A } });
    expect(textOf((await tool(twin, 'greet', retry)).result)).toBe('Hello, Alice (accept)');
  });

  it('refuses a short secret when the server is built', () => {
    expect(() => createServer({ requestState: { secret: 'short' } })).toThrow(WharfError);
    expect(() => createServer({ requestState: { secret: [] } })).toThrow(/requestState.secret/);
  });

  it('bounds the state: a handler keeping too much gets an error that says what to change', async () => {
    const { server } = createServer({ requestState: { maxBytes: 1024 } });
    server.tool('hoard', { description: 'Keeps too much' }, async (_args, ctx) => {
      await ctx.once('big', () => 'x'.repeat(4096));
      await ctx.elicit({ message: 'Go?', requestedSchema: NAME_SCHEMA });
      return 'never';
    });
    const answer = await tool(server, 'hoard');
    expect(answer.error.code).toBe(-32603);
    expect(answer.error.message).toContain('requestState.maxBytes');
  });
});

describe('multi round-trip over HTTP and stdio', () => {
  const cleanup = new Cleanup();
  afterEach(() => cleanup.run());

  const bearer: Middleware = async (req, next) => {
    const name = /^Bearer (.+)$/.exec(req.header('authorization') ?? '')?.[1];
    if (name) req.auth = { sub: name };
    await next();
  };
  const as = (name: string) => ({ authorization: `Bearer ${name}` });
  const greetCall = (id: number, retry: Retry = {}) =>
    request(
      id,
      'tools/call',
      { name: 'greet', arguments: {}, ...retry },
      { clientCapabilities: CAPABILITIES },
    );

  it('binds the state to the principal the middleware signed in', async () => {
    const { server } = createServer();
    const served = await serve(server.httpApp({ middleware: [bearer] }), 'node', { cleanup });
    const first = await post(served, greetCall(1), as('alice'));
    expect([first.status, first.response.result.resultType]).toEqual([200, 'input_required']);
    const retry = {
      inputResponses: { user_name: accept({ name: 'Alice' }) },
      requestState: first.response.result.requestState,
    };
    const stolen = await post(served, greetCall(2, retry), as('bob'));
    expect(stolen.response.error.code).toBe(-32602);
    const anonymous = await post(served, greetCall(3, retry));
    expect(anonymous.response.error.code).toBe(-32602);
    const own = await post(served, greetCall(4, retry), as('alice'));
    expect(textOf(own.response.result)).toBe('Hello, Alice (accept)');
  });

  it('serves one handler both ways on one app: a real elicitation in a 2025 session, ctx.once each call', async () => {
    const { server, counts } = createServer();
    const served = await serve(server.httpApp(), 'fetch', { cleanup });
    const first = await post(served, greetCall(1));
    expect(first.response.result.inputRequests.user_name.method).toBe('elicitation/create');
    const { client } = await connectSdk(
      served,
      'streamable',
      {
        capabilities: { elicitation: {} },
        handlers: (c) =>
          c.setRequestHandler(ElicitRequestSchema, (req) => ({
            action: 'accept',
            content: { name: req.params.message.startsWith('Title') ? 'T' : 'B' },
          })),
      },
      cleanup,
    );
    expect(textOf(await client.callTool({ name: 'greet', arguments: {} }))).toBe('Hello, B (accept)');
    expect(textOf(await client.callTool({ name: 'draft', arguments: {} }))).toBe('draft 1: T B');
    expect(textOf(await client.callTool({ name: 'draft', arguments: {} }))).toBe('draft 2: T B');
    expect([counts.draft, counts.drafted]).toEqual([2, 2]);
  });

  it('answers 2026 requests on stdio by round trip', async () => {
    const { server } = createServer();
    const input = new PassThrough();
    const output = new PassThrough();
    const answers: Message[] = [];
    output.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) answers.push(JSON.parse(line));
    });
    await server.connect(new StdioTransport({ input, output }));
    cleanup.add(() => server.close());
    const next = async (id: number) => {
      const found = deferred<Message>();
      const look = setInterval(() => {
        const answer = answers.find((m) => m.id === id);
        if (answer) found.resolve(answer);
      }, 5);
      try {
        return await withTimeout(found.promise, `answer ${id}`);
      } finally {
        clearInterval(look);
      }
    };
    input.write(`${JSON.stringify(greetCall(1))}\n`);
    const first = await next(1);
    expectWire(first, 'tools/call');
    expect(first.result.resultType).toBe('input_required');
    const retry = {
      inputResponses: { user_name: accept({ name: 'Ada' }) },
      requestState: first.result.requestState,
    };
    input.write(`${JSON.stringify(greetCall(2, retry))}\n`);
    expect(textOf((await next(2)).result)).toBe('Hello, Ada (accept)');
  });
});
