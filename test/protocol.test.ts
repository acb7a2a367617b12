import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { McpServer, type Outgoing, type ProtocolVersion } from 'wharf-mcp';
import { StdioTransport } from 'wharf-mcp/stdio';
import { deferred, withTimeout } from './support/common.js';
import { type SpecVersion, validateServerMessage } from './support/wire-validator.js';

/**
 * Raw JSON-RPC against one session, with no client library in between: what a broken or hostile
 * peer can send, and what Wharf answers. Every answer is checked against the spec's schema.json.
 */

function createServer(options: { onError?: (error: unknown) => void; onWaiting?: () => void } = {}) {
  const { onWaiting, ...serverOptions } = options;
  const server = new McpServer({ name: 'raw', version: '1.0.0', ...serverOptions });
  server.tool(
    'echo',
    {
      description: 'Echoes its text',
      inputSchema: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
    },
    (args) => String(args.text),
  );
  server.tool('wait', { description: 'Waits until cancelled' }, (_args, ctx) => {
    const aborted = new Promise((resolve) => ctx.signal.addEventListener('abort', () => resolve('aborted')));
    onWaiting?.();
    return aborted;
  });
  return server;
}

function open(server = createServer()) {
  const sent: Outgoing[] = [];
  const session = server.createSession({ send: (message) => void sent.push(message) });
  return { session, sent };
}

const initialize = (id: number | string, protocolVersion: string) => ({
  jsonrpc: '2.0',
  id,
  method: 'initialize',
  params: { protocolVersion, capabilities: {}, clientInfo: { name: 'raw', version: '0' } },
});

async function ready(version: ProtocolVersion = '2025-11-25', server = createServer()) {
  const opened = open(server);
  const answer = await opened.session.handle(initialize(0, version));
  expect(answer).toMatchObject({ result: { protocolVersion: version } });
  await opened.session.handle({ jsonrpc: '2.0', method: 'notifications/initialized' });
  return opened;
}

function expectValid(version: SpecVersion, message: unknown, method?: string) {
  expect(validateServerMessage(version, message, method)).toEqual([]);
}

describe('lifecycle', () => {
  it('refuses requests before initialize, with a message that says to initialize first', async () => {
    const { session } = open();
    const answer = await session.handle({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
    expect(answer).toEqual({
      jsonrpc: '2.0',
      id: 1,
      error: { code: -32600, message: expect.stringContaining('Send "initialize" first') },
    });
    expectValid('2025-11-25', answer);
  });

  it('answers ping before initialize', async () => {
    const { session } = open();
    expect(await session.handle({ jsonrpc: '2.0', id: 'p', method: 'ping' })).toEqual({
      jsonrpc: '2.0',
      id: 'p',
      result: {},
    });
  });

  it('refuses a second initialize on the same session', async () => {
    const { session } = await ready();
    const answer = await session.handle(initialize(2, '2025-11-25'));
    expect(answer).toMatchObject({
      id: 2,
      error: { code: -32600, message: expect.stringContaining('already initialized') },
    });
  });

  it('answers an unsupported requested version with the latest it supports', async () => {
    const { session } = open();
    const answer = await session.handle(initialize(1, '1999-01-01'));
    expect(answer).toMatchObject({ result: { protocolVersion: '2025-11-25' } });
    expectValid('2025-11-25', answer, 'initialize');
  });

  it('sends the initialize result before anything a pipelined request produces, on stdio', async () => {
    const server = createServer();
    server.tool('chatty', { description: 'Logs at once' }, (_args, ctx) => {
      void ctx.log('info', 'started');
      return 'done';
    });
    const input = new PassThrough();
    const output = new PassThrough();
    await server.connect(new StdioTransport({ input, output }));
    const lines: unknown[] = [];
    output.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line));
    });
    // One chunk, so the transport hands over all three messages before any of them is answered.
    input.write(
      [
        initialize(1, '2025-11-25'),
        { jsonrpc: '2.0', method: 'notifications/initialized' },
        { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'chatty' } },
      ]
        .map((message) => `${JSON.stringify(message)}\n`)
        .join(''),
    );
    await expect.poll(() => lines.length).toBe(3);
    expect(lines).toEqual([
      expect.objectContaining({ id: 1, result: expect.objectContaining({ protocolVersion: '2025-11-25' }) }),
      {
        jsonrpc: '2.0',
        method: 'notifications/message',
        params: { level: 'info', data: 'started' },
      },
      { jsonrpc: '2.0', id: 2, result: { content: [{ type: 'text', text: 'done' }] } },
    ]);
    for (const line of lines) expectValid('2025-11-25', line);
    input.end();
  });
});

describe('bad input gets the right JSON-RPC error and the session goes on', () => {
  it.each([
    ['a JSON array of nothing', [], -32600, 'empty array'],
    ['a number', 42, -32600, 'must be a JSON object'],
    ['a wrong jsonrpc version', { jsonrpc: '1.0', id: 1, method: 'ping' }, -32600, '"2.0"'],
    ['a null id', { jsonrpc: '2.0', id: null, method: 'ping' }, -32600, 'MCP forbids null'],
    [
      'array params',
      { jsonrpc: '2.0', id: 3, method: 'ping', params: [1] },
      -32600,
      '"params" must be a JSON object',
    ],
    ['no method and no result', { jsonrpc: '2.0', id: 4 }, -32600, 'needs "method"'],
    ['an empty method', { jsonrpc: '2.0', id: 5, method: '' }, -32600, 'non-empty string'],
  ])('%s', async (_name, value, code, text) => {
    const { session } = await ready();
    const answer = await session.handle(value);
    expect(answer).toMatchObject({ jsonrpc: '2.0', error: { code, message: expect.stringContaining(text) } });
    expectValid('2025-11-25', answer);
    expect(await session.handle({ jsonrpc: '2.0', id: 99, method: 'ping' })).toMatchObject({
      id: 99,
      result: {},
    });
  });

  it('answers an unknown method with -32601, naming the methods it knows', async () => {
    const { session } = await ready();
    for (const method of ['tools/explode', 'constructor', '__proto__', 'toString']) {
      const answer = await session.handle({ jsonrpc: '2.0', id: 7, method });
      expect(answer).toMatchObject({
        id: 7,
        error: { code: -32601, message: expect.stringContaining('tools/call') },
      });
    }
  });

  it('answers schema failures in an older revision with -32602 naming the field', async () => {
    const { session } = await ready('2025-06-18');
    const answer = await session.handle({
      jsonrpc: '2.0',
      id: 8,
      method: 'tools/call',
      params: { name: 'echo', arguments: { text: 5 } },
    });
    expect(answer).toMatchObject({
      id: 8,
      error: { code: -32602, message: expect.stringContaining('text') },
    });
    expectValid('2025-06-18', answer, 'tools/call');
  });

  it('answers a malformed tools/call with -32602', async () => {
    const { session } = await ready();
    const noName = await session.handle({ jsonrpc: '2.0', id: 9, method: 'tools/call', params: {} });
    expect(noName).toMatchObject({ error: { code: -32602, message: expect.stringContaining('"name"') } });
    const badArgs = await session.handle({
      jsonrpc: '2.0',
      id: 10,
      method: 'tools/call',
      params: { name: 'echo', arguments: 'text' },
    });
    expect(badArgs).toMatchObject({
      error: { code: -32602, message: expect.stringContaining('JSON object') },
    });
  });

  it('ignores a response to a request it never sent, and reports it', async () => {
    const errors: unknown[] = [];
    const { session, sent } = open(createServer({ onError: (error) => errors.push(error) }));
    await session.handle(initialize(1, '2025-11-25'));
    expect(await session.handle({ jsonrpc: '2.0', id: 'nobody-asked', result: {} })).toBeUndefined();
    expect(sent).toEqual([]);
    expect(String(errors[0])).toContain('nobody-asked');
    expect(await session.handle({ jsonrpc: '2.0', id: 2, method: 'ping' })).toMatchObject({ result: {} });
  });

  it('answers bytes that are not JSON with -32700 on stdio, then keeps serving', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    await createServer().connect(new StdioTransport({ input, output }));
    const lines: unknown[] = [];
    output.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line));
    });
    input.write('{"jsonrpc":"2.0", "id": 1, "method": \n');
    input.write(`${JSON.stringify(initialize(2, '2025-06-18'))}\n`);
    await expect.poll(() => lines.length).toBe(2);
    expect(lines[0]).not.toHaveProperty('id');
    expect(lines[0]).toMatchObject({
      error: { code: -32700, message: expect.stringContaining('not valid JSON') },
    });
    expect(lines[1]).toMatchObject({ id: 2, result: { protocolVersion: '2025-06-18' } });
    expectValid('2025-11-25', lines[0]);
    input.end();
  });
});

describe('batches', () => {
  it('are answered as an array under 2025-03-26, leaving notifications unanswered', async () => {
    const { session } = await ready('2025-03-26');
    const answer = await session.handle([
      { jsonrpc: '2.0', id: 1, method: 'ping' },
      { jsonrpc: '2.0', method: 'notifications/initialized' },
      { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'echo', arguments: { text: 'hi' } } },
      { jsonrpc: '2.0', id: 3, method: 'nope' },
    ]);
    expect(answer).toEqual([
      { jsonrpc: '2.0', id: 1, result: {} },
      { jsonrpc: '2.0', id: 2, result: { content: [{ type: 'text', text: 'hi' }] } },
      { jsonrpc: '2.0', id: 3, error: expect.objectContaining({ code: -32601 }) },
    ]);
  });

  it.each(['2024-11-05', '2025-06-18', '2025-11-25'] as const)(
    'are refused with a clear error under %s',
    async (version) => {
      const { session } = await ready(version);
      const answer = await session.handle([{ jsonrpc: '2.0', id: 1, method: 'ping' }]);
      expect(answer).toMatchObject({
        error: { code: -32600, message: expect.stringContaining('only in protocol version 2025-03-26') },
      });
      expect(answer).not.toHaveProperty('id');
      // Only 2025-11-25's schema says how to answer without an id (leave it out); older ones require one.
      expectValid('2025-11-25', answer);
    },
  );

  it('may not carry initialize, nor come before it', async () => {
    const { session } = open();
    const before = await session.handle([initialize(1, '2025-03-26')]);
    expect(before).toMatchObject({
      error: { code: -32600, message: expect.stringContaining('initialize must be sent on its own') },
    });
    const { session: later } = await ready('2025-03-26');
    const inside = await later.handle([initialize(1, '2025-03-26')]);
    expect(inside).toMatchObject([
      { id: 1, error: { code: -32600, message: expect.stringContaining('batch') } },
    ]);
  });
});

describe('cancellation', () => {
  it('aborts the handler signal and sends no response', async () => {
    const waiting = deferred();
    const { session } = await ready('2025-11-25', createServer({ onWaiting: waiting.resolve }));
    const call = session.handle({
      jsonrpc: '2.0',
      id: 'slow',
      method: 'tools/call',
      params: { name: 'wait' },
    });
    await withTimeout(waiting.promise, 'the tool to wait');
    await session.handle({
      jsonrpc: '2.0',
      method: 'notifications/cancelled',
      params: { requestId: 'slow', reason: 'user pressed stop' },
    });
    expect(await call).toBeUndefined();
  });

  it('closing the session aborts what is in flight', async () => {
    const waiting = deferred();
    const { session } = await ready('2025-11-25', createServer({ onWaiting: waiting.resolve }));
    const call = session.handle({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'wait' } });
    await withTimeout(waiting.promise, 'the tool to wait');
    session.close();
    expect(await call).toBeUndefined();
    expect(await session.handle({ jsonrpc: '2.0', id: 2, method: 'ping' })).toMatchObject({
      error: { code: -32000 },
    });
  });
});
