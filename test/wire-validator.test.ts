import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  checkedTransport,
  SPEC_VERSIONS,
  type SpecVersion,
  validateServerMessage,
  WireChecker,
  wireChecksEnabled,
} from './support/wire-validator.js';

// The checker itself needs the spec's schemas (WHARF_SPEC_DIR); without them there is nothing to test.
const describeChecks = describe.skipIf(!wireChecksEnabled);

const ok = (id: number, result: unknown) => ({ jsonrpc: '2.0', id, result });

const initializeResult = (protocolVersion: SpecVersion) => ({
  protocolVersion,
  capabilities: { tools: { listChanged: true }, logging: {} },
  serverInfo: { name: 'wharf-test', version: '0.0.0' },
});

const audio = { type: 'audio', data: 'AAAA', mimeType: 'audio/wav' };

describeChecks('validateServerMessage', () => {
  describe.each(SPEC_VERSIONS)('%s', (version) => {
    it('accepts a valid initialize result', () => {
      expect(validateServerMessage(version, ok(1, initializeResult(version)), 'initialize')).toEqual([]);
    });

    it('flags an initialize result without serverInfo', () => {
      const { serverInfo: _, ...result } = initializeResult(version);
      const errors = validateServerMessage(version, ok(1, result), 'initialize');
      expect(errors.join('\n')).toMatch(/InitializeResult.*serverInfo/);
    });

    it('accepts a valid tools/list result and flags a tool without inputSchema', () => {
      const tool = { name: 'echo', description: 'Echo', inputSchema: { type: 'object' } };
      expect(validateServerMessage(version, ok(2, { tools: [tool] }), 'tools/list')).toEqual([]);
      const errors = validateServerMessage(version, ok(2, { tools: [{ name: 'echo' }] }), 'tools/list');
      expect(errors.join('\n')).toMatch(/ListToolsResult.*\/tools\/0.*inputSchema/);
    });

    it('checks the result by the method it answers, not only the envelope', () => {
      // A bare object is a fine JSON-RPC result, but not a CallToolResult (content is required).
      expect(validateServerMessage(version, ok(3, {}))).toEqual([]);
      expect(validateServerMessage(version, ok(3, {}), 'tools/call').join('\n')).toMatch(
        /CallToolResult.*content/,
      );
      expect(validateServerMessage(version, ok(3, {}), 'ping')).toEqual([]);
      expect(validateServerMessage(version, ok(3, {}), 'logging/setLevel')).toEqual([]);
    });

    it('accepts error responses and flags malformed ones', () => {
      const error = { jsonrpc: '2.0', id: 4, error: { code: -32602, message: 'Unknown tool' } };
      expect(validateServerMessage(version, error, 'tools/call')).toEqual([]);
      const bad = { jsonrpc: '2.0', id: 4, error: { code: 'oops', message: 'Unknown tool' } };
      expect(validateServerMessage(version, bad, 'tools/call').length).toBeGreaterThan(0);
    });

    it('checks notifications against the ServerNotification member for their method', () => {
      const log = { jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: 'hi' } };
      expect(validateServerMessage(version, log)).toEqual([]);
      const badLevel = { ...log, params: { level: 'loud', data: 'hi' } };
      expect(validateServerMessage(version, badLevel).join('\n')).toMatch(/LoggingMessageNotification/);
      const unknown = { jsonrpc: '2.0', method: 'notifications/made-up' };
      expect(validateServerMessage(version, unknown).join('\n')).toMatch(/not a ServerNotification method/);
    });

    it('checks requests against the ServerRequest member for their method', () => {
      const sampling = {
        jsonrpc: '2.0',
        id: 7,
        method: 'sampling/createMessage',
        params: { messages: [{ role: 'user', content: { type: 'text', text: 'hi' } }], maxTokens: 10 },
      };
      expect(validateServerMessage(version, sampling)).toEqual([]);
      const noMaxTokens = { ...sampling, params: { messages: sampling.params.messages } };
      expect(validateServerMessage(version, noMaxTokens).join('\n')).toMatch(
        /CreateMessageRequest.*maxTokens/,
      );
      expect(validateServerMessage(version, { jsonrpc: '2.0', id: 8, method: 'roots/list' })).toEqual([]);
      expect(validateServerMessage(version, { jsonrpc: '2.0', id: 9, method: 'ping' })).toEqual([]);
      // A client request method is not something a server may send.
      const wrongWay = { jsonrpc: '2.0', id: 10, method: 'tools/list' };
      expect(validateServerMessage(version, wrongWay).join('\n')).toMatch(/not a ServerRequest method/);
    });

    it('flags a broken envelope', () => {
      expect(validateServerMessage(version, { jsonrpc: '1.0', id: 1, result: {} }).length).toBeGreaterThan(0);
      expect(validateServerMessage(version, 'hello').length).toBeGreaterThan(0);
      expect(validateServerMessage(version, { jsonrpc: '2.0', id: 1 }).length).toBeGreaterThan(0);
    });
  });

  it('audio content in a CallToolResult is flagged under 2024-11-05 only', () => {
    const response = ok(1, { content: [audio] });
    expect(validateServerMessage('2024-11-05', response, 'tools/call').join('\n')).toMatch(/CallToolResult/);
    for (const version of ['2025-03-26', '2025-06-18', '2025-11-25'] as const) {
      expect(validateServerMessage(version, response, 'tools/call')).toEqual([]);
    }
  });

  it('structuredContent must be an object where it exists (2025-06-18 on)', () => {
    const response = ok(1, { content: [], structuredContent: 'nope' });
    // Older schemas do not declare structuredContent, and every schema leaves results open.
    expect(validateServerMessage('2025-03-26', response, 'tools/call')).toEqual([]);
    expect(validateServerMessage('2025-06-18', response, 'tools/call').join('\n')).toMatch(
      /structuredContent/,
    );
    expect(validateServerMessage('2025-11-25', response, 'tools/call').join('\n')).toMatch(
      /structuredContent/,
    );
  });

  it('notifications/progress message: undeclared (open) in 2024-11-05, a string from 2025-03-26', () => {
    const progress = (message: unknown) => ({
      jsonrpc: '2.0',
      method: 'notifications/progress',
      params: { progressToken: 'tok', progress: 1, total: 2, message },
    });
    for (const version of SPEC_VERSIONS) {
      expect(validateServerMessage(version, progress('halfway'))).toEqual([]);
    }
    // 2024-11-05 does not know the field and does not close the object, so anything goes.
    expect(validateServerMessage('2024-11-05', progress(42))).toEqual([]);
    for (const version of ['2025-03-26', '2025-06-18', '2025-11-25'] as const) {
      expect(validateServerMessage(version, progress(42)).join('\n')).toMatch(
        /ProgressNotification.*message/,
      );
    }
    const noToken = { jsonrpc: '2.0', method: 'notifications/progress', params: { progress: 1 } };
    for (const version of SPEC_VERSIONS) {
      expect(validateServerMessage(version, noToken).join('\n')).toMatch(/progressToken/);
    }
  });

  it('elicitation/create exists from 2025-06-18', () => {
    const elicit = {
      jsonrpc: '2.0',
      id: 5,
      method: 'elicitation/create',
      params: {
        message: 'Name?',
        requestedSchema: { type: 'object', properties: { name: { type: 'string' } } },
      },
    };
    expect(validateServerMessage('2024-11-05', elicit).join('\n')).toMatch(/not a ServerRequest method/);
    expect(validateServerMessage('2025-03-26', elicit).join('\n')).toMatch(/not a ServerRequest method/);
    expect(validateServerMessage('2025-06-18', elicit)).toEqual([]);
    expect(validateServerMessage('2025-11-25', elicit)).toEqual([]);
    const noSchema = { ...elicit, params: { message: 'Name?' } };
    expect(validateServerMessage('2025-06-18', noSchema).join('\n')).toMatch(
      /ElicitRequest.*requestedSchema/,
    );
  });

  it('2025-11-25 request and notification definitions include jsonrpc', () => {
    // Those definitions require jsonrpc (and id for requests), so the whole message is validated.
    const ping = { jsonrpc: '2.0', id: 1, method: 'ping' };
    expect(validateServerMessage('2025-11-25', ping)).toEqual([]);
    const changed = { jsonrpc: '2.0', method: 'notifications/tools/list_changed' };
    expect(validateServerMessage('2025-11-25', changed)).toEqual([]);
    expect(
      validateServerMessage('2025-11-25', { method: 'notifications/tools/list_changed' }).length,
    ).toBeGreaterThan(0);
  });

  it('an error response without id is valid only in 2025-11-25', () => {
    const parseError = { jsonrpc: '2.0', error: { code: -32700, message: 'Parse error' } };
    expect(validateServerMessage('2025-06-18', parseError).length).toBeGreaterThan(0);
    expect(validateServerMessage('2025-11-25', parseError)).toEqual([]);
  });

  it('batches: allowed in 2025-03-26 (each element checked), a violation in every other version', () => {
    const batch = [ok(1, { tools: [] }), ok(2, { content: [{ type: 'text', text: 'hi' }] })];
    for (const version of ['2024-11-05', '2025-06-18', '2025-11-25'] as const) {
      expect(validateServerMessage(version, batch).join('\n')).toMatch(/no JSON-RPC batching/);
    }
    expect(validateServerMessage('2025-03-26', batch)).toEqual([]);
    const badElement = [ok(1, { tools: [{ name: 'x' }] })];
    expect(validateServerMessage('2025-03-26', badElement, 'tools/list').join('\n')).toMatch(
      /^\[0\] result \(ListToolsResult\)/m,
    );
    // A batch mixing responses with notifications matches neither batch shape of the envelope.
    const mixed = [ok(1, {}), { jsonrpc: '2.0', method: 'notifications/tools/list_changed' }];
    expect(validateServerMessage('2025-03-26', mixed).join('\n')).toMatch(/batch envelope/);
    expect(validateServerMessage('2025-03-26', []).length).toBeGreaterThan(0);
  });

  it('task-augmented tools/call in 2025-11-25 answers with a CreateTaskResult', () => {
    const checker = new WireChecker({ version: '2025-11-25' });
    checker.clientSent({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: { name: 'slow', arguments: {}, task: { ttl: 60_000 } },
    });
    const now = new Date().toISOString();
    checker.serverSent(
      ok(1, {
        task: { taskId: 't1', status: 'working', createdAt: now, lastUpdatedAt: now, ttl: 60_000 },
      }),
    );
    checker.assertClean();
    expect(checker.checked).toBe(1);
  });
});

describeChecks('WireChecker', () => {
  it('matches responses to client requests and learns the version from initialize', () => {
    const checker = new WireChecker();
    checker.clientSent({
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: {
        protocolVersion: '2024-11-05',
        capabilities: {},
        clientInfo: { name: 'c', version: '1' },
      },
    });
    // A log line before the initialize response is queued until the version is known.
    checker.serverSent({
      jsonrpc: '2.0',
      method: 'notifications/message',
      params: { level: 'info', data: 1 },
    });
    expect(checker.checked).toBe(0);
    expect(checker.pending).toBe(1);
    checker.serverSent(ok(0, initializeResult('2024-11-05')));
    expect(checker.version).toBe('2024-11-05');
    expect(checker.checked).toBe(2);
    expect(checker.pending).toBe(0);

    checker.clientSent({ jsonrpc: '2.0', id: 'a', method: 'tools/call', params: { name: 'speak' } });
    checker.serverSent(ok(0, {})); // id 0 was already answered
    checker.serverSent({ jsonrpc: '2.0', id: 'a', result: { content: [audio] } });
    expect(checker.checked).toBe(4);
    expect(checker.violations).toHaveLength(2);
    expect(checker.violations[0]?.errors).toMatch(/answers no outstanding client request/);
    expect(checker.violations[1]).toMatchObject({ version: '2024-11-05', direction: 'server->client' });
    expect(checker.violations[1]?.errors).toMatch(/CallToolResult/);
    expect(() => checker.assertClean()).toThrow(/2 violation\(s\) in 4 checked[\s\S]*"type":"audio"/);
  });

  it('does not validate responses the client sends to server requests', () => {
    const checker = new WireChecker({ version: '2025-06-18' });
    checker.serverSent({ jsonrpc: '2.0', id: 1, method: 'roots/list' });
    checker.clientSent({ jsonrpc: '2.0', id: 1, result: { roots: 'not-an-array' } });
    checker.assertClean();
    expect(checker.checked).toBe(1);
  });

  it('reports messages that were never validated because no version became known', () => {
    const checker = new WireChecker();
    checker.serverSent({ jsonrpc: '2.0', method: 'notifications/tools/list_changed' });
    expect(checker.violations).toEqual([]);
    expect(() => checker.assertClean()).toThrow(/never validated/);
  });

  it('flags an initialize result with a version it has no schema for', () => {
    const checker = new WireChecker();
    checker.clientSent({ jsonrpc: '2.0', id: 1, method: 'initialize', params: {} });
    checker.serverSent(ok(1, { ...initializeResult('2025-06-18'), protocolVersion: '1999-01-01' }));
    expect(checker.violations[0]?.errors).toMatch(/1999-01-01/);
  });

  it('flags a negotiated version that differs from the one the checker was given', () => {
    const checker = new WireChecker({ version: '2025-06-18' });
    checker.clientSent({ jsonrpc: '2.0', id: 1, method: 'initialize', params: {} });
    checker.serverSent(ok(1, initializeResult('2025-03-26')));
    expect(checker.violations[0]?.errors).toMatch(/checker validates against 2025-06-18/);
  });

  it('records client batches (2025-03-26) so a batch response is checked per element', () => {
    const checker = new WireChecker({ version: '2025-03-26' });
    checker.clientSent([
      { jsonrpc: '2.0', id: 1, method: 'tools/list' },
      { jsonrpc: '2.0', id: 2, method: 'prompts/list' },
    ]);
    checker.serverSent([ok(2, { prompts: [{ name: 'p' }] }), ok(1, { tools: [{ name: 't' }] })]);
    expect(checker.violations).toHaveLength(1);
    expect(checker.violations[0]?.errors).toMatch(/^\[1\] result \(ListToolsResult\)/m);
    expect(checker.violations[0]?.errors).not.toMatch(/ListPromptsResult/);
  });
});

describeChecks('checkedTransport', () => {
  it('sees real SDK traffic (McpServer + Client over InMemoryTransport) and finds it clean', async () => {
    const server = new McpServer({ name: 'tiny', version: '1.0.0' });
    server.registerTool(
      'add',
      { description: 'Adds two numbers', inputSchema: { a: z.number(), b: z.number() } },
      async ({ a, b }) => ({ content: [{ type: 'text', text: String(a + b) }] }),
    );
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    const checker = new WireChecker();
    const client = new Client({ name: 'probe', version: '1.0.0' });
    await server.connect(serverSide);
    await client.connect(checkedTransport(clientSide, checker));
    try {
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toEqual(['add']);
      const result = await client.callTool({ name: 'add', arguments: { a: 2, b: 3 } });
      expect(result.content).toEqual([{ type: 'text', text: '5' }]);
      await client.ping();
    } finally {
      await client.close();
    }
    expect(checker.version).toBeDefined();
    expect(checker.checked).toBeGreaterThanOrEqual(4); // initialize, tools/list, tools/call, ping
    expect(checker.violations).toEqual([]);
    checker.assertClean();
  });

  it('catches a bad message coming through the wrapper', async () => {
    // A hand-rolled "server" answering over the in-memory pair with a tool lacking inputSchema.
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    serverSide.onmessage = (message) => {
      if (!('method' in message) || !('id' in message)) return;
      const reply = (result: Record<string, unknown>) =>
        void serverSide.send({ jsonrpc: '2.0', id: message.id, result } as JSONRPCMessage);
      if (message.method === 'initialize') reply(initializeResult('2025-06-18'));
      else if (message.method === 'tools/list') reply({ tools: [{ name: 'broken' }] });
    };
    await serverSide.start();
    const checker = new WireChecker();
    const transport = checkedTransport(clientSide, checker);
    const received: JSONRPCMessage[] = [];
    transport.onmessage = (message) => received.push(message);
    await transport.start();
    await transport.send({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'c', version: '1' } },
    });
    await transport.send({ jsonrpc: '2.0', id: 2, method: 'tools/list' });
    await transport.close();
    expect(received).toHaveLength(2);
    expect(checker.checked).toBe(2);
    expect(checker.violations).toHaveLength(1);
    expect(() => checker.assertClean()).toThrow(/ListToolsResult.*inputSchema/);
  });

  it('stays transparent: sessionId, setProtocolVersion and callbacks reach the wrapped transport', async () => {
    class FakeTransport implements Transport {
      sessionId = 'session-1';
      version: string | undefined;
      sent: JSONRPCMessage[] = [];
      onmessage?: Transport['onmessage'];
      onclose?: () => void;
      #started = false;
      async start(): Promise<void> {
        this.#started = true;
      }
      async send(message: JSONRPCMessage): Promise<void> {
        if (!this.#started) throw new Error('not started');
        this.sent.push(message);
      }
      async close(): Promise<void> {
        this.onclose?.();
      }
      setProtocolVersion(version: string): void {
        this.version = version;
      }
    }
    const fake = new FakeTransport();
    const checker = new WireChecker({ version: '2025-11-25' });
    const wrapped = checkedTransport(fake, checker);
    expect(wrapped.sessionId).toBe('session-1');
    expect(wrapped).toBeInstanceOf(FakeTransport);
    wrapped.setProtocolVersion('2025-11-25');
    expect(fake.version).toBe('2025-11-25');
    let closed = false;
    wrapped.onclose = () => {
      closed = true;
    };
    const seen: unknown[] = [];
    const handler: Transport['onmessage'] = (message) => {
      seen.push(message);
    };
    wrapped.onmessage = handler;
    expect(wrapped.onmessage).toBe(handler);
    await wrapped.start();
    await wrapped.send({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
    expect(fake.sent).toHaveLength(1);
    fake.onmessage?.({ jsonrpc: '2.0', id: 1, result: { tools: [] } });
    expect(seen).toHaveLength(1);
    expect(checker.checked).toBe(1);
    await wrapped.close();
    expect(closed).toBe(true);
    checker.assertClean();
  });
});
