/**
 * The Context a tool handler gets, exercised through the official SDK client: progress, logging,
 * requests back to the client (sampling, elicitation, roots), cancellation and timeouts.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  type JSONRPCMessage,
  ListRootsRequestSchema,
  LoggingMessageNotificationSchema,
  type Progress,
} from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { type Context, McpServer } from 'wharf-mcp';
import { deferred, textOf } from './support/common.js';
import { connectClient } from './support/connect.js';

function newServer(): McpServer {
  return new McpServer({ name: 'context-server', version: '1.0.0' });
}

/** Server messages with this method, as they crossed the wire. */
function sentByServer(received: JSONRPCMessage[], method: string): Record<string, unknown>[] {
  return received.filter((message) => 'method' in message && message.method === method) as Record<
    string,
    unknown
  >[];
}

const sampleParams = {
  messages: [{ role: 'user' as const, content: { type: 'text' as const, text: 'Write a haiku about rain' } }],
  maxTokens: 100,
};

describe('ctx.progress', () => {
  function progressServer(): McpServer {
    const server = newServer();
    server.tool('import', { description: 'Import files' }, async (_args, ctx) => {
      await ctx.progress(1, 3, 'Reading');
      await ctx.progress(2, 3, 'Parsing');
      await ctx.progress(3, 3);
      return 'done';
    });
    return server;
  }

  it('reaches the client’s onprogress when the client asked for progress', async () => {
    const { client, checker, close } = await connectClient(progressServer());
    const seen: Progress[] = [];
    const result = await client.callTool({ name: 'import' }, undefined, {
      onprogress: (progress) => seen.push(progress),
    });
    expect(textOf(result)).toBe('done');
    expect(seen).toEqual([
      { progress: 1, total: 3, message: 'Reading' },
      { progress: 2, total: 3, message: 'Parsing' },
      { progress: 3, total: 3 },
    ]);
    checker.assertClean();
    await close();
  });

  it('drops the message under 2024-11-05, whose progress notification has none', async () => {
    const { client, checker, close } = await connectClient(progressServer(), {
      protocolVersion: '2024-11-05',
    });
    const seen: Progress[] = [];
    await client.callTool({ name: 'import' }, undefined, { onprogress: (progress) => seen.push(progress) });
    expect(seen).toEqual([
      { progress: 1, total: 3 },
      { progress: 2, total: 3 },
      { progress: 3, total: 3 },
    ]);
    checker.assertClean();
    await close();
  });

  it('sends nothing when the request carried no progressToken', async () => {
    const { client, wire, checker, close } = await connectClient(progressServer());
    expect(textOf(await client.callTool({ name: 'import' }))).toBe('done');
    expect(sentByServer(wire.received, 'notifications/progress')).toEqual([]);
    checker.assertClean();
    await close();
  });
});

describe('ctx.log', () => {
  function loggingServer(): McpServer {
    const server = newServer();
    server.tool('work', { description: 'Work' }, async (_args, ctx) => {
      await ctx.log('debug', 'starting');
      await ctx.log('info', { step: 'fetch', ok: true }, 'fetcher');
      await ctx.log('warning', 'slow upstream');
      await ctx.log('error', 'one file failed', 'importer');
      return 'done';
    });
    return server;
  }

  function collectLogs(client: Client) {
    const logs: { level: string; data: unknown; logger?: string }[] = [];
    client.setNotificationHandler(LoggingMessageNotificationSchema, (notification) => {
      logs.push(notification.params);
    });
    return logs;
  }

  it('sends every level before the client chose one', async () => {
    const { client, checker, close } = await connectClient(loggingServer());
    const logs = collectLogs(client);
    await client.callTool({ name: 'work' });
    expect(logs).toEqual([
      { level: 'debug', data: 'starting' },
      { level: 'info', data: { step: 'fetch', ok: true }, logger: 'fetcher' },
      { level: 'warning', data: 'slow upstream' },
      { level: 'error', data: 'one file failed', logger: 'importer' },
    ]);
    checker.assertClean();
    await close();
  });

  it('after logging/setLevel "warning", drops info and below and passes warning and error', async () => {
    const { client, checker, close } = await connectClient(loggingServer());
    const logs = collectLogs(client);
    await client.setLoggingLevel('warning');
    await client.callTool({ name: 'work' });
    expect(logs.map((log) => log.level)).toEqual(['warning', 'error']);
    checker.assertClean();
    await close();
  });

  it('server.log() reaches connected clients, filtered by each one’s level', async () => {
    const server = loggingServer();
    const chatty = await connectClient(server);
    const quiet = await connectClient(server);
    const chattyLogs = collectLogs(chatty.client);
    const quietLogs = collectLogs(quiet.client);
    await quiet.client.setLoggingLevel('error');
    server.log('info', 'cache warmed');
    server.log('critical', 'disk full');
    await chatty.client.ping();
    await quiet.client.ping();
    expect(chattyLogs.map((log) => log.data)).toEqual(['cache warmed', 'disk full']);
    expect(quietLogs.map((log) => log.data)).toEqual(['disk full']);
    chatty.checker.assertClean();
    quiet.checker.assertClean();
    await chatty.close();
    await quiet.close();
  });
});

describe('ctx.sample', () => {
  it('asks the client’s model and returns its answer', async () => {
    const server = newServer();
    server.tool('haiku', { description: 'Haiku' }, async (_args, ctx) => {
      const answer = await ctx.sample(sampleParams);
      return answer.content.type === 'text' ? `${answer.model}: ${answer.content.text}` : 'not text';
    });
    const requests: unknown[] = [];
    const { client, checker, close } = await connectClient(server, {
      capabilities: { sampling: {} },
      handlers: (c) =>
        c.setRequestHandler(CreateMessageRequestSchema, (request) => {
          requests.push(request.params);
          return {
            role: 'assistant',
            content: { type: 'text', text: 'Soft rain on the roof' },
            model: 'test-model',
          };
        }),
    });
    const result = await client.callTool({ name: 'haiku' });
    expect(textOf(result)).toBe('test-model: Soft rain on the roof');
    expect(requests).toEqual([sampleParams]);
    checker.assertClean();
    await close();
  });

  it('gives an isError result saying the capability is missing when the client has no sampling', async () => {
    const server = newServer();
    server.tool('haiku', { description: 'Haiku' }, async (_args, ctx) => {
      await ctx.sample(sampleParams);
      return 'unreachable';
    });
    const { client, wire, checker, close } = await connectClient(server);
    const result = await client.callTool({ name: 'haiku' });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/did not declare the "sampling" capability/);
    expect(sentByServer(wire.received, 'sampling/createMessage')).toEqual([]);
    checker.assertClean();
    await close();
  });

  it('gives up after timeoutMs with an isError mentioning the timeout, and tells the client it stopped waiting', async () => {
    const server = newServer();
    server.tool('haiku', { description: 'Haiku' }, async (_args, ctx) => {
      await ctx.sample(sampleParams, { timeoutMs: 100 });
      return 'unreachable';
    });
    const { client, wire, checker, close } = await connectClient(server, {
      capabilities: { sampling: {} },
      handlers: (c) => c.setRequestHandler(CreateMessageRequestSchema, () => new Promise(() => {})),
    });
    const result = await client.callTool({ name: 'haiku' });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/did not answer sampling\/createMessage within 100 ms/);
    const [request] = sentByServer(wire.received, 'sampling/createMessage');
    expect(sentByServer(wire.received, 'notifications/cancelled')).toEqual([
      {
        jsonrpc: '2.0',
        method: 'notifications/cancelled',
        params: { requestId: request?.id, reason: 'No answer within 100 ms.' },
      },
    ]);
    checker.assertClean();
    await close();
  });

  it('turns an error answer from the client into an isError result', async () => {
    const server = newServer();
    server.tool('haiku', { description: 'Haiku' }, async (_args, ctx) => {
      await ctx.sample(sampleParams);
      return 'unreachable';
    });
    const { client, checker, close } = await connectClient(server, {
      capabilities: { sampling: {} },
      handlers: (c) =>
        c.setRequestHandler(CreateMessageRequestSchema, () => {
          throw new Error('The user rejected the sampling request');
        }),
    });
    const result = await client.callTool({ name: 'haiku' });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(
      /The client answered with an error: .*The user rejected the sampling request/,
    );
    checker.assertClean();
    await close();
  });
});

describe('ctx.elicit', () => {
  const form = {
    message: 'Who should the report go to?',
    requestedSchema: {
      type: 'object',
      properties: { email: { type: 'string', format: 'email' } },
      required: ['email'],
    },
  };

  function elicitServer(): McpServer {
    const server = newServer();
    server.tool('send_report', { description: 'Send report' }, async (_args, ctx) => {
      const answer = await ctx.elicit(form);
      return answer.action === 'accept' ? `sent to ${String(answer.content?.email)}` : answer.action;
    });
    server.tool('connect_account', { description: 'Connect account' }, async (_args, ctx) => {
      const answer = await ctx.elicit({
        mode: 'url',
        message: 'Sign in to connect your account',
        url: 'https://auth.example.com/connect?state=xyz',
        elicitationId: 'elicit-42',
      });
      return `url elicitation: ${answer.action}`;
    });
    return server;
  }

  it.each([
    ['2025-06-18', {}],
    ['2025-11-25', { form: {} }],
  ] as const)('form mode round-trips under %s', async (version, elicitation) => {
    const { client, wire, checker, close } = await connectClient(elicitServer(), {
      protocolVersion: version,
      capabilities: { elicitation },
      handlers: (c) =>
        c.setRequestHandler(ElicitRequestSchema, () => ({
          action: 'accept',
          content: { email: 'ada@example.com' },
        })),
    });
    const result = await client.callTool({ name: 'send_report' });
    expect(textOf(result)).toBe('sent to ada@example.com');
    const [request] = sentByServer(wire.received, 'elicitation/create');
    expect(request?.params).toEqual(form); // no "mode": 2025-06-18 has none, and form is the default
    checker.assertClean();
    await close();
  });

  it('passes a declined answer back to the tool', async () => {
    const { client, checker, close } = await connectClient(elicitServer(), {
      capabilities: { elicitation: {} },
      handlers: (c) => c.setRequestHandler(ElicitRequestSchema, () => ({ action: 'decline' })),
    });
    expect(textOf(await client.callTool({ name: 'send_report' }))).toBe('decline');
    checker.assertClean();
    await close();
  });

  it('URL mode round-trips under 2025-11-25 when the client declares elicitation.url', async () => {
    const seen: unknown[] = [];
    const { client, checker, close } = await connectClient(elicitServer(), {
      protocolVersion: '2025-11-25',
      capabilities: { elicitation: { url: {} } },
      handlers: (c) =>
        c.setRequestHandler(ElicitRequestSchema, (request) => {
          seen.push(request.params);
          return { action: 'accept' };
        }),
    });
    const result = await client.callTool({ name: 'connect_account' });
    expect(textOf(result)).toBe('url elicitation: accept');
    expect(seen).toEqual([
      {
        mode: 'url',
        message: 'Sign in to connect your account',
        url: 'https://auth.example.com/connect?state=xyz',
        elicitationId: 'elicit-42',
      },
    ]);
    checker.assertClean();
    await close();
  });

  it('URL mode gives a clear isError, without asking, when the client declares only form mode', async () => {
    const { client, wire, checker, close } = await connectClient(elicitServer(), {
      protocolVersion: '2025-11-25',
      capabilities: { elicitation: { form: {} } },
      handlers: (c) => c.setRequestHandler(ElicitRequestSchema, () => ({ action: 'accept' })),
    });
    const result = await client.callTool({ name: 'connect_account' });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/does not support URL-mode elicitation/);
    expect(sentByServer(wire.received, 'elicitation/create')).toEqual([]);
    checker.assertClean();
    await close();
  });

  it('gives a clear isError under 2025-03-26, which has no elicitation', async () => {
    const { client, checker, close } = await connectClient(elicitServer(), {
      protocolVersion: '2025-03-26',
      capabilities: { elicitation: {} },
      handlers: (c) => c.setRequestHandler(ElicitRequestSchema, () => ({ action: 'accept' })),
    });
    const result = await client.callTool({ name: 'send_report' });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/"elicitation" capability \(or negotiated a protocol before 2025-06-18\)/);
    checker.assertClean();
    await close();
  });

  it('form mode gives a clear isError, without asking, when the client declares only URL mode', async () => {
    const { client, wire, checker, close } = await connectClient(elicitServer(), {
      protocolVersion: '2025-11-25',
      capabilities: { elicitation: { url: {} } },
      handlers: (c) => c.setRequestHandler(ElicitRequestSchema, () => ({ action: 'accept' })),
    });
    const result = await client.callTool({ name: 'send_report' });
    expect(result.isError).toBe(true);
    expect(sentByServer(wire.received, 'elicitation/create')).toEqual([]);
    checker.assertClean();
    await close();
  });
});

describe('ctx.listRoots', () => {
  it('returns the roots the client lists', async () => {
    const server = newServer();
    server.tool('roots', { description: 'Roots' }, async (_args, ctx) => {
      const roots = await ctx.listRoots();
      return roots.map((root) => `${root.name ?? '?'}=${root.uri}`).join(', ');
    });
    const { client, checker, close } = await connectClient(server, {
      capabilities: { roots: { listChanged: true } },
      handlers: (c) =>
        c.setRequestHandler(ListRootsRequestSchema, () => ({
          roots: [
            { uri: 'file:///home/ada/project', name: 'project' },
            { uri: 'file:///home/ada/notes', name: 'notes' },
          ],
        })),
    });
    expect(textOf(await client.callTool({ name: 'roots' }))).toBe(
      'project=file:///home/ada/project, notes=file:///home/ada/notes',
    );
    checker.assertClean();
    await close();
  });

  it('gives an isError result saying the capability is missing when the client has no roots', async () => {
    const server = newServer();
    server.tool('roots', { description: 'Roots' }, async (_args, ctx) => (await ctx.listRoots()).length);
    const { client, checker, close } = await connectClient(server);
    const result = await client.callTool({ name: 'roots' });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/did not declare the "roots" capability/);
    checker.assertClean();
    await close();
  });
});

describe('cancellation', () => {
  it('a client abort fires ctx.signal, and the server sends no response to the cancelled request', async () => {
    const server = newServer();
    const started = deferred();
    const aborted = deferred<unknown>();
    const finished = deferred();
    server.tool('slow', { description: 'Slow' }, async (_args, ctx) => {
      ctx.signal.addEventListener('abort', () => aborted.resolve(ctx.signal.reason));
      started.resolve();
      await aborted.promise;
      finished.resolve();
      return 'too late';
    });
    const { client, wire, checker, close } = await connectClient(server);
    const controller = new AbortController();
    const call = client.callTool({ name: 'slow' }, undefined, { signal: controller.signal });
    await started.promise;
    controller.abort('The user pressed stop');
    await expect(call).rejects.toThrow();

    const reason = await aborted.promise;
    expect(reason).toBeInstanceOf(Error);
    expect((reason as Error).message).toBe('The user pressed stop');
    await finished.promise;
    // A response to the cancelled call would go out as the tool returned, before this ping's answer.
    await expect(client.ping()).resolves.toEqual({});

    const callRequest = wire.sent.find((message) => 'method' in message && message.method === 'tools/call');
    const callId = callRequest && 'id' in callRequest ? callRequest.id : undefined;
    expect(callId).toBeDefined();
    expect(wire.sent).toContainEqual({
      jsonrpc: '2.0',
      method: 'notifications/cancelled',
      params: { requestId: callId, reason: 'The user pressed stop' },
    });
    expect(wire.received.filter((message) => 'id' in message && message.id === callId)).toEqual([]);

    // The session is still fine afterwards.
    await expect(client.ping()).resolves.toEqual({});
    checker.assertClean();
    await close();
  });

  it('a cancelled tool’s pending request to the client is abandoned', async () => {
    const server = newServer();
    const outcome = deferred<string>();
    server.tool('ask', { description: 'Ask' }, async (_args, ctx) => {
      try {
        await ctx.sample(sampleParams);
        outcome.resolve('answered');
      } catch (error) {
        outcome.resolve((error as Error).message);
      }
      return 'done';
    });
    const sampling = deferred();
    const { client, wire, checker, close } = await connectClient(server, {
      capabilities: { sampling: {} },
      handlers: (c) =>
        c.setRequestHandler(CreateMessageRequestSchema, () => {
          sampling.resolve();
          return new Promise(() => {});
        }),
    });
    const controller = new AbortController();
    const call = client.callTool({ name: 'ask' }, undefined, { signal: controller.signal });
    await sampling.promise;
    controller.abort('stop');
    await expect(call).rejects.toThrow();
    expect(await outcome.promise).toMatch(/sampling\/createMessage was abandoned: the request was cancelled/);
    await client.ping();
    const [request] = sentByServer(wire.received, 'sampling/createMessage');
    expect(sentByServer(wire.received, 'notifications/cancelled')).toEqual([
      {
        jsonrpc: '2.0',
        method: 'notifications/cancelled',
        params: { requestId: request?.id, reason: 'The request that asked was cancelled.' },
      },
    ]);
    checker.assertClean();
    await close();
  });
});

describe('what the context says about the request', () => {
  it.each(['2024-11-05', '2025-06-18', '2025-11-25'] as const)(
    'carries the request id, client info, client capabilities and protocol version under %s',
    async (version) => {
      const server = newServer();
      let snapshot: Record<string, unknown> = {};
      server.tool('whoami', { description: 'Who am I' }, (_args, ctx: Context) => {
        snapshot = {
          requestId: ctx.requestId,
          info: ctx.client.info,
          capabilities: ctx.client.capabilities,
          protocolVersion: ctx.protocolVersion,
          sessionId: ctx.sessionId,
          aborted: ctx.signal.aborted,
        };
        return 'ok';
      });
      const capabilities = { sampling: {}, roots: { listChanged: true } };
      const { client, wire, checker, close } = await connectClient(server, {
        protocolVersion: version,
        clientInfo: { name: 'context-client', version: '4.5.6' },
        capabilities,
      });
      await client.callTool({ name: 'whoami' });
      const request = wire.sent.find((message) => 'method' in message && message.method === 'tools/call');
      expect(snapshot).toEqual({
        requestId: request && 'id' in request ? request.id : 'missing',
        info: { name: 'context-client', version: '4.5.6' },
        capabilities,
        protocolVersion: version,
        sessionId: undefined,
        aborted: false,
      });
      checker.assertClean();
      await close();
    },
  );

  it('carries the request’s _meta, progressToken included', async () => {
    const server = newServer();
    let meta: unknown;
    server.tool('meta', { description: 'Meta' }, (_args, ctx) => {
      meta = ctx.meta;
      return 'ok';
    });
    const { client, checker, close } = await connectClient(server);
    await client.callTool({ name: 'meta', _meta: { 'com.example/trace': 't-1' } }, undefined, {
      onprogress: () => {},
    });
    expect(meta).toMatchObject({ 'com.example/trace': 't-1', progressToken: expect.anything() });
    checker.assertClean();
    await close();
  });
});
