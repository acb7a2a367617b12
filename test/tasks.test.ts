/**
 * The `io.modelcontextprotocol/tasks` extension of 2026-07-28 (SEP-2663; issue 13, item 3): tools
 * declared with `task` answer `tools/call` with a created task, run in the background, and are
 * followed with `tasks/get`, answered with `tasks/update` and stopped with `tasks/cancel`. At the
 * server layer (as transports hand requests over) and over HTTP on both bindings. No test reads a
 * clock: each waits by polling `tasks/get` a bounded number of times for a status to change.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { McpError, McpServer, MemoryTaskStore, runAsTask, type ServerOptions, WharfError } from 'wharf-mcp';
import { z } from 'zod';
import { bindings, Cleanup, deferred, serve } from './support/bindings.js';
import { headersFor, type Message, post, request } from './support/era-2026.js';

const EXT = 'io.modelcontextprotocol/tasks';
const WITH_TASKS = { clientCapabilities: { extensions: { [EXT]: {} }, elicitation: {} } };

function createServer(options: Partial<ServerOptions> = {}) {
  const server = new McpServer({ name: 'tasks-test', version: '1.0.0', ...options });
  const gate = deferred<string>();
  const aborted = deferred<unknown>();
  server.tool('greet', { inputSchema: z.object({ name: z.string() }) }, ({ name }) => `Hello, ${name}!`);
  server.tool('gated', { description: 'Waits for the test', task: 'optional' }, async (_args, ctx) => {
    ctx.signal.addEventListener('abort', () => aborted.resolve(ctx.signal.reason), { once: true });
    return `gate said ${await gate.promise}`;
  });
  server.tool('inline_ok', { task: 'optional' }, () => 'done at once');
  server.tool('tool_error', { task: 'required' }, () => ({
    content: [{ type: 'text', text: 'bad input' }],
    isError: true,
  }));
  server.tool('mcp_throw', { task: 'optional' }, () => {
    throw new McpError(-32099, 'custom failure', { why: 'test' });
  });
  server.tool('plain_throw', { task: 'optional' }, () => {
    throw new Error('secret detail');
  });
  server.tool('two_questions', { task: 'optional' }, async (_args, ctx) => {
    const schema = { type: 'object', properties: { n: { type: 'string' } } } as const;
    const [a, b] = await Promise.all([
      ctx.elicit({ message: 'First?', requestedSchema: schema }),
      ctx.elicit({ message: 'Second?', requestedSchema: schema }),
    ]);
    return `${a.content?.n} and ${b.content?.n}`;
  });
  server.tool('big', { task: 'optional' }, () => 'x'.repeat(5_000));
  server.tool('ask_then_task', {}, async (_args, ctx) => {
    const schema = { type: 'object', properties: { name: { type: 'string' } } } as const;
    const answer = await ctx.elicit({ message: 'Name?', requestedSchema: schema }, { key: 'user_name' });
    return runAsTask(async () => `Hello, ${answer.content?.name}`);
  });
  return { server, gate, aborted };
}

/** One 2026 request through `server.handlePerRequest`, as transports hand it over. */
async function ask(server: McpServer, message: Message, principal?: string): Promise<Message> {
  const answer = await server.handlePerRequest(message, principal === undefined ? {} : { principal });
  return answer.message as Message;
}

let nextId = 1;
function call(name: string, args: Record<string, unknown> = {}, extra: object = WITH_TASKS): Message {
  return request(nextId++, 'tools/call', { name, arguments: args }, extra);
}
function task(method: string, params: Record<string, unknown>, extra: object = WITH_TASKS): Message {
  return request(nextId++, method, params, extra);
}

/** Polls `tasks/get` until `done(task)` holds; at most `polls` times, yielding between polls. */
async function pollTask(
  server: McpServer,
  taskId: string,
  done: (task: Message) => boolean,
  principal?: string,
  polls = 200,
): Promise<Message> {
  for (let i = 0; i < polls; i++) {
    const response = await ask(server, task('tasks/get', { taskId }), principal);
    if (response.error || done(response.result)) return response.result ?? response;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  throw new Error(`task ${taskId} did not reach the expected state in ${polls} polls`);
}
const finished = (t: Message) => ['completed', 'failed', 'cancelled'].includes(t.status);

describe('tasks extension at the server layer', () => {
  it('advertises the extension in server/discover only when a tool runs as a task', async () => {
    const { server } = createServer();
    const discovered = await ask(server, request(1, 'server/discover'));
    expect(discovered.result.capabilities.extensions).toEqual({ [EXT]: {} });
    expect(discovered.result.capabilities.tasks).toBeUndefined();

    const plain = new McpServer({ name: 'plain', version: '1.0.0' });
    plain.tool('greet', {}, () => 'hi');
    const none = await ask(plain, request(1, 'server/discover'));
    expect(none.result.capabilities.extensions).toBeUndefined();
    const get = await ask(plain, task('tasks/get', { taskId: 'x' }));
    expect(get.error.code).toBe(-32601);
    expect(get.error.message).toContain(EXT);
  });

  it('runs a task from working to completed and inlines its result', async () => {
    const { server, gate } = createServer();
    const created = (await ask(server, call('gated'))).result;
    expect(created).toMatchObject({ resultType: 'task', status: 'working', pollIntervalMs: 1000 });
    expect(typeof created.taskId).toBe('string');
    expect(Number.isInteger(created.ttlMs) && created.ttlMs > 0).toBe(true);
    expect(Date.parse(created.createdAt)).not.toBeNaN();
    expect(Date.parse(created.lastUpdatedAt)).not.toBeNaN();
    for (const key of ['result', 'error', 'inputRequests', 'task', 'ttl', 'pollInterval', 'owner']) {
      expect(created).not.toHaveProperty(key);
    }
    expect(created._meta['io.modelcontextprotocol/serverInfo'].name).toBe('tasks-test');

    // Stored before the answer went out: an immediate tasks/get finds it.
    const working = (await ask(server, task('tasks/get', { taskId: created.taskId }))).result;
    expect(working).toMatchObject({ resultType: 'complete', taskId: created.taskId, status: 'working' });
    expect(working).not.toHaveProperty('result');

    gate.resolve('go');
    const done = await pollTask(server, created.taskId, finished);
    expect(done.status).toBe('completed');
    expect(done.result.content).toEqual([{ type: 'text', text: 'gate said go' }]);
    expect(done.error).toBeUndefined();
  });

  it('ends a task whose tool reports an error as completed with isError', async () => {
    const { server } = createServer();
    const created = (await ask(server, call('tool_error'))).result;
    const done = await pollTask(server, created.taskId, finished);
    expect(done.status).toBe('completed');
    expect(done.result).toMatchObject({ isError: true, content: [{ type: 'text', text: 'bad input' }] });
  });

  it('ends a task whose handler throws as failed with the error inlined, hiding unexpected details', async () => {
    const errors: unknown[] = [];
    const { server } = createServer({ onError: (error) => errors.push(error) });
    const thrown = (await ask(server, call('mcp_throw'))).result;
    const failed = await pollTask(server, thrown.taskId, finished);
    expect(failed.status).toBe('failed');
    expect(failed.error).toEqual({ code: -32099, message: 'custom failure', data: { why: 'test' } });
    expect(failed).not.toHaveProperty('result');

    const plain = (await ask(server, call('plain_throw'))).result;
    const hidden = await pollTask(server, plain.taskId, finished);
    expect(hidden.error.code).toBe(-32603);
    expect(hidden.error.message).not.toContain('secret detail');
    expect(errors).toHaveLength(1);
  });

  it('cancels a running task: acknowledged, cancelled, and its handler signal aborted', async () => {
    const { server, gate, aborted } = createServer();
    const created = (await ask(server, call('gated'))).result;
    const ack = (await ask(server, task('tasks/cancel', { taskId: created.taskId }))).result;
    expect(ack.resultType).toBe('complete');
    for (const key of ['taskId', 'status', 'result', 'error', 'inputRequests'])
      expect(ack).not.toHaveProperty(key);
    await aborted.promise;
    gate.resolve('too late');
    const after = (await ask(server, task('tasks/get', { taskId: created.taskId }))).result;
    expect(after.status).toBe('cancelled');
    expect(after).not.toHaveProperty('result');
    // Cancelling a finished task is acknowledged the same way.
    const again = await ask(server, task('tasks/cancel', { taskId: created.taskId }));
    expect(again.result.resultType).toBe('complete');
  });

  it('asks through input_required and resumes as tasks/update answers, one question at a time', async () => {
    const { server } = createServer();
    const created = (await ask(server, call('two_questions'))).result;
    const waiting = await pollTask(
      server,
      created.taskId,
      (t) => Object.keys(t.inputRequests ?? {}).length === 2,
    );
    expect(waiting.status).toBe('input_required');
    const [first, second] = Object.keys(waiting.inputRequests) as [string, string];
    expect(waiting.inputRequests[first]).toMatchObject({
      method: 'elicitation/create',
      params: { message: 'First?' },
    });

    const answer = (n: string) => ({ action: 'accept', content: { n } });
    const ack = await ask(
      server,
      task('tasks/update', { taskId: created.taskId, inputResponses: { [first]: answer('one'), nope: {} } }),
    );
    expect(ack.result).toMatchObject({ resultType: 'complete' });
    const partial = (await ask(server, task('tasks/get', { taskId: created.taskId }))).result;
    expect(partial.status).toBe('input_required');
    expect(Object.keys(partial.inputRequests)).toEqual([second]);

    await ask(
      server,
      task('tasks/update', { taskId: created.taskId, inputResponses: { [second]: answer('two') } }),
    );
    const done = await pollTask(server, created.taskId, finished);
    expect(done.status).toBe('completed');
    expect(done.result.content[0].text).toBe('one and two');
    expect(done).not.toHaveProperty('inputRequests');
  });

  it('refuses unknown ids, requests without the extension, and required tools called without it', async () => {
    const { server } = createServer();
    const unknown = await ask(server, task('tasks/get', { taskId: 'nope' }));
    expect(unknown.error.code).toBe(-32602);
    for (const method of ['tasks/get', 'tasks/update', 'tasks/cancel']) {
      const refused = await ask(server, task(method, { taskId: 'nope', inputResponses: {} }, {}));
      expect(refused.error.code).toBe(-32021);
      expect(refused.error.data.requiredCapabilities.extensions).toEqual({ [EXT]: {} });
    }
    for (const method of ['tasks/result', 'tasks/list']) {
      expect((await ask(server, task(method, { taskId: 'nope' }))).error.code).toBe(-32601);
    }
    const required = await ask(server, call('tool_error', {}, {}));
    expect(required.error.code).toBe(-32021);
    expect(required.error.data.requiredCapabilities.extensions).toEqual({ [EXT]: {} });
    // An optional task tool runs inline for such a client; a plain tool never becomes a task.
    const inline = await ask(server, call('inline_ok', {}, {}));
    expect(inline.result).toMatchObject({
      resultType: 'complete',
      content: [{ type: 'text', text: 'done at once' }],
    });
    const greet = await ask(server, call('greet', { name: 'Ann' }));
    expect(greet.result.resultType).toBe('complete');
  });

  it('turns the rest of a handler into a task after an input_required round (runAsTask)', async () => {
    const { server } = createServer();
    const round1 = (await ask(server, call('ask_then_task'))).result;
    expect(round1.resultType).toBe('input_required');
    expect(round1).not.toHaveProperty('taskId');
    expect(Object.keys(round1.inputRequests)).toEqual(['user_name']);
    const retry = (extra: object) =>
      request(
        nextId++,
        'tools/call',
        {
          name: 'ask_then_task',
          arguments: {},
          inputResponses: { user_name: { action: 'accept', content: { name: 'Alice' } } },
          ...(round1.requestState === undefined ? {} : { requestState: round1.requestState }),
        },
        extra,
      );
    const round2 = (await ask(server, retry(WITH_TASKS))).result;
    expect(round2.resultType).toBe('task');
    expect(round2).not.toHaveProperty('requestState');
    const done = await pollTask(server, round2.taskId, finished);
    expect(done.result.content[0].text).toBe('Hello, Alice');
    // Without the extension the escalation is refused, naming it.
    const refused = await ask(server, retry({ clientCapabilities: { elicitation: {} } }));
    expect(refused.error.code).toBe(-32021);
  });

  it('keeps tasks to the principal that created them', async () => {
    const { server, gate } = createServer();
    const created = (await ask(server, call('gated'), 'alice')).result;
    for (const who of ['bob', undefined]) {
      const other = await ask(server, task('tasks/get', { taskId: created.taskId }), who);
      expect(other.error.code).toBe(-32602);
      const cancel = await ask(server, task('tasks/cancel', { taskId: created.taskId }), who);
      expect(cancel.error.code).toBe(-32602);
    }
    gate.resolve('mine');
    const done = await pollTask(server, created.taskId, finished, 'alice');
    expect(done.result.content[0].text).toBe('gate said mine');
  });

  it('fails running tasks and aborts their handlers when the server closes', async () => {
    const { server, aborted } = createServer();
    const created = (await ask(server, call('gated'))).result;
    await server.close();
    await aborted.promise;
    const after = (await ask(server, task('tasks/get', { taskId: created.taskId }))).result;
    expect(after.status).toBe('failed');
    expect(after.error.message).toContain('shut down');
  });

  it('rejects a bad task declaration at registration', () => {
    const server = new McpServer({ name: 'x', version: '1.0.0' });
    expect(() => server.tool('bad', { task: 'always' as 'optional' }, () => '')).toThrow(WharfError);
    expect(() => new McpServer({ name: 'x', version: '1', tasks: { pollIntervalMs: 0.5 } })).toThrow(
      WharfError,
    );
  });
});

describe('MemoryTaskStore bounds', () => {
  it('refuses a task past maxTasks, and makes room once a finished one expires (injected clock)', async () => {
    let now = 1_000_000;
    const store = new MemoryTaskStore({ maxTasks: 1, ttlMs: 60_000, now: () => now });
    const { server } = createServer({ tasks: { store } });
    const first = (await ask(server, call('inline_ok'))).result;
    expect(first.ttlMs).toBe(60_000);
    await pollTask(server, first.taskId, finished);

    const refused = await ask(server, call('inline_ok'));
    expect(refused.error.code).toBe(-32603);
    expect(refused.error.message).toContain('as many tasks as it may (1)');

    now += 59_999;
    expect((await ask(server, task('tasks/get', { taskId: first.taskId }))).result.status).toBe('completed');
    now += 1;
    expect((await ask(server, task('tasks/get', { taskId: first.taskId }))).error.code).toBe(-32602);
    const second = await ask(server, call('inline_ok'));
    expect(second.result.resultType).toBe('task');
  });

  it('never expires a running task, and fails a task whose result is too large to keep', async () => {
    let now = 0;
    const store = new MemoryTaskStore({ ttlMs: 10, maxResultBytes: 1_000, now: () => now });
    const { server, gate } = createServer({ tasks: { store } });
    const running = (await ask(server, call('gated'))).result;
    now += 1_000;
    expect((await ask(server, task('tasks/get', { taskId: running.taskId }))).result.status).toBe('working');
    gate.resolve('ok');

    const big = (await ask(server, call('big'))).result;
    const failed = await pollTask(server, big.taskId, finished);
    expect(failed.status).toBe('failed');
    expect(failed.error.message).toContain('more than the 1000');
  });

  it('checks its options', () => {
    expect(() => new MemoryTaskStore({ maxTasks: 0 })).toThrow(WharfError);
    expect(() => new MemoryTaskStore({ ttlMs: -1 })).toThrow(/ttlMs must be a positive integer/);
  });
});

describe.each(bindings)('tasks extension over HTTP (%s)', (binding) => {
  const cleanup = new Cleanup();
  afterEach(() => cleanup.run());

  it('creates, answers and completes a task across separate POSTs', async () => {
    const { server } = createServer();
    const served = await serve(server.httpApp(), binding, { cleanup });
    // Not through post(): the core 2026 schema it checks with has no task results (they are the
    // extension's), so these answers are read as they come.
    const send = async (message: Message, extra: Record<string, string> = {}) => {
      const init = { method: 'POST', headers: headersFor(message, extra), body: JSON.stringify(message) };
      const response = await served.request('/mcp', init);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      return { status: response.status, response: (await response.json()) as Message };
    };
    const created = (await send(call('two_questions'))).response;
    const taskId = created.result.taskId as string;
    expect(created.result).toMatchObject({ resultType: 'task', status: 'working' });

    const get = (id: number) => {
      const message = request(id, 'tasks/get', { taskId }, WITH_TASKS);
      return send(message, { 'mcp-name': taskId });
    };
    let waiting: Message = {};
    for (let i = 0; i < 200 && Object.keys(waiting.inputRequests ?? {}).length < 2; i++) {
      waiting = (await get(100 + i)).response.result;
    }
    const keys = Object.keys(waiting.inputRequests);
    expect(keys).toHaveLength(2);
    const inputResponses = Object.fromEntries(
      keys.map((key) => [key, { action: 'accept', content: { n: key } }]),
    );
    const update = request(2, 'tasks/update', { taskId, inputResponses }, WITH_TASKS);
    const ack = await send(update, { 'mcp-name': taskId });
    expect(ack.status).toBe(200);
    expect(ack.response.result.resultType).toBe('complete');

    let done: Message = {};
    for (let i = 0; i < 200 && !finished(done); i++) done = (await get(400 + i)).response.result;
    expect(done.status).toBe('completed');
    expect(done.result.content[0].text).toBe(`${keys[0]} and ${keys[1]}`);

    const refused = await post(served, request(3, 'tasks/get', { taskId }), { 'mcp-name': taskId });
    expect(refused.response.error.code).toBe(-32021);
  });
});
