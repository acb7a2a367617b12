/**
 * Protocol 2026-07-28 over Streamable HTTP, on the same endpoint as the 2025 eras (issue 13, item 1),
 * on both bindings: per-request answers (JSON, or SSE when a request has progress or logs), the
 * standard headers checked against the body (-32020), x-mcp-header parameters, the revision's
 * errors with their statuses (400, 404), 405 for GET and DELETE, `subscriptions/listen`, and one
 * app serving a 2025 SDK session, a legacy SSE client and 2026 requests at once. Every 2026 message
 * the server emits is checked against `2026-07-28/schema.json` (with `WHARF_SPEC_DIR`).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type HttpAppOptions, McpServer } from 'wharf-mcp';
import { z } from 'zod';
import {
  type Binding,
  bindings,
  Cleanup,
  connectSdk,
  mcpHeaders,
  messageOf,
  rawRequest,
  serve,
  sseReader,
  textOf,
  until,
  watchRequests,
  withTimeout,
} from './support/bindings.js';
import { headersFor, type Message, post, request, V } from './support/era-2026.js';
import { hosts, layouts } from './support/hosts.js';
import { validateDefinition, validateServerMessage } from './support/wire-validator.js';

const SUBSCRIPTION_ID = 'io.modelcontextprotocol/subscriptionId';

function createServer() {
  const server = new McpServer({ name: 'http-era-2026', version: '1.0.0' });
  server.tool(
    'add',
    { description: 'Adds', inputSchema: z.object({ a: z.number(), b: z.number() }) },
    ({ a, b }) => String(a + b),
  );
  server.tool('chatty', { description: 'Logs and reports progress' }, async (_args, ctx) => {
    await ctx.progress(1, 2, 'half');
    await ctx.log('warning', 'careful');
    return 'done';
  });
  server.tool('summarize', { description: 'Needs sampling' }, async (_args, ctx) => {
    await ctx.sample({ messages: [], maxTokens: 1 });
    return 'never';
  });
  server.tool(
    'query',
    {
      description: 'Runs a query in a region',
      inputSchema: {
        type: 'object',
        properties: {
          region: { type: ['string', 'null'], 'x-mcp-header': 'Region' },
          limit: { type: 'integer', 'x-mcp-header': 'Limit' },
          options: { type: 'object', properties: { dry: { type: 'boolean', 'x-mcp-header': 'Dry' } } },
          query: { type: 'string' },
        },
        required: ['query'],
      },
    },
    (args) => JSON.stringify(args),
  );
  server.resource('readme', 'file:///readme.md', {}, () => '# Readme');
  server.prompt('greet', { description: 'Greets', arguments: [{ name: 'name' }] }, () => 'Hello');
  return server;
}

describe.each(bindings)('%s binding', (binding: Binding) => {
  const cleanup = new Cleanup();
  afterEach(() => cleanup.run());

  async function start(options: HttpAppOptions = {}, server = createServer()) {
    return { server, served: await serve(server.httpApp(options), binding, { cleanup }) };
  }

  it('serves a 2025 SDK session, a legacy SSE client and 2026 requests on one app at once', async () => {
    const { server, served } = await start();
    const session = await connectSdk(served, 'streamable', {}, cleanup);
    const legacy = await connectSdk(served, 'sse', {}, cleanup);
    const [fromSession, fromLegacy, modern] = await Promise.all([
      session.client.callTool({ name: 'add', arguments: { a: 1, b: 1 } }),
      legacy.client.callTool({ name: 'add', arguments: { a: 2, b: 2 } }),
      post(served, request(1, 'tools/call', { name: 'add', arguments: { a: 3, b: 3 } })),
    ]);
    expect([textOf(fromSession), textOf(fromLegacy), textOf(modern.response.result)]).toEqual([
      '2',
      '4',
      '6',
    ]);
    expect(modern.status).toBe(200);
    expect(modern.contentType).toMatch(/^application\/json/);
    expect(modern.headers.get('mcp-session-id')).toBeNull();
    expect(modern.response.result.resultType).toBe('complete');
    // The 2025 results stay 2025: no resultType, no cache hints.
    const listed = (await session.client.listTools()) as Message;
    expect(listed.resultType).toBeUndefined();
    const discovered = await post(served, request(2, 'server/discover'));
    expect(discovered.response.result.supportedVersions).toContain('2025-11-25');
    // Two sessions, the 2025 ones: the 2026 requests opened none.
    expect(server.sessions.size).toBe(2);
    session.checker.assertClean();
    legacy.checker.assertClean();
  });

  it('refuses Mcp-Session-Id on a 2026 request (400), and the session it names goes on undisturbed', async () => {
    const { served } = await start();
    const session = await connectSdk(served, 'streamable', {}, cleanup);
    const sessionId = session.transport.sessionId!;
    const refused = await post(served, request(3, 'tools/list'), { 'mcp-session-id': sessionId });
    expect(refused.status).toBe(400);
    expect(refused.response).toMatchObject({ id: 3, error: { code: -32600 } });
    expect(refused.response.error.message).toMatch(/Drop the header/);
    expect((await session.client.listTools()).tools.map((tool) => tool.name)).toContain('add');
    session.checker.assertClean();
  });

  it('answers JSON when nothing streams, SSE when the request has progress and logs of its own', async () => {
    const { served } = await start();
    const plain = await post(served, request(1, 'tools/call', { name: 'chatty' }));
    expect(plain.contentType).toMatch(/^application\/json/);
    expect(plain.messages).toHaveLength(1);
    const streamed = await post(
      served,
      request(
        2,
        'tools/call',
        { name: 'chatty' },
        { progressToken: 'p', 'io.modelcontextprotocol/logLevel': 'info' },
      ),
    );
    expect(streamed.contentType).toMatch(/^text\/event-stream/);
    expect(streamed.messages.map((m) => m.method ?? 'response')).toEqual([
      'notifications/progress',
      'notifications/message',
      'response',
    ]);
    // No logLevel in _meta: no notifications/message (spec "Logging"), progress still.
    const quiet = await post(served, request(3, 'tools/call', { name: 'chatty' }, { progressToken: 'q' }));
    expect(quiet.messages.map((m) => m.method ?? 'response')).toEqual(['notifications/progress', 'response']);
    // A client that takes only SSE gets its result as SSE, even with nothing else to stream.
    const sseOnly = await post(served, request(5, 'tools/call', { name: 'add', arguments: { a: 1, b: 1 } }), {
      accept: 'text/event-stream',
    });
    expect(sseOnly.contentType).toMatch(/^text\/event-stream/);
    expect(textOf(sseOnly.response.result)).toBe('2');
    // jsonResponse: one JSON answer, whatever the handler sends meanwhile.
    const { served: json } = await start({ jsonResponse: true });
    const answer = await post(json, request(4, 'tools/call', { name: 'chatty' }, { progressToken: 'r' }));
    expect(answer.contentType).toMatch(/^application\/json/);
  });

  it('checks MCP-Protocol-Version, Mcp-Method and Mcp-Name against the body (400, -32020)', async () => {
    const { served } = await start();
    const call = request(5, 'tools/call', { name: 'add', arguments: { a: 1, b: 2 } });
    const mismatches: [Message, Record<string, string | undefined>, RegExp][] = [
      [call, { 'mcp-method': undefined }, /Mcp-Method header is missing/],
      [call, { 'mcp-method': 'tools/list' }, /does not match the body's method/],
      [call, { 'mcp-method': 'TOOLS/CALL' }, /case-sensitive/],
      [call, { 'mcp-name': undefined }, /Mcp-Name header is missing/],
      [call, { 'mcp-name': 'other' }, /Mcp-Name "other" does not match params\.name "add"/],
      [call, { 'mcp-protocol-version': '2025-11-25' }, /does not match _meta "2026-07-28"/],
      [call, { 'mcp-protocol-version': undefined }, /MCP-Protocol-Version header is missing/],
      [
        request(6, 'resources/read', { uri: 'file:///readme.md' }),
        { 'mcp-name': 'file:///other.md' },
        /params\.uri/,
      ],
      [request(7, 'prompts/get', { name: 'greet' }), { 'mcp-name': 'nope' }, /params\.name/],
    ];
    for (const [message, headers, why] of mismatches) {
      const answer = await post(served, message, headers);
      expect(answer.status, JSON.stringify(headers)).toBe(400);
      expect(validateDefinition(V, 'HeaderMismatchError', answer.response)).toEqual([]);
      expect(answer.response.id).toBe(message.id);
      expect(answer.response.error.code).toBe(-32020);
      expect(answer.response.error.message).toMatch(why);
    }
    // A name that is no plain header value travels as Base64 (spec "Value Encoding").
    const { server: named, served: namedServed } = await start(
      {},
      new McpServer({ name: 'n', version: '1' }),
    );
    named.prompt('grüße', { description: 'Greets' }, () => 'hallo');
    const encoded = `=?base64?${Buffer.from('grüße').toString('base64')}?=`;
    const greeted = await post(namedServed, request(8, 'prompts/get', { name: 'grüße' }), {
      'mcp-name': encoded,
    });
    expect(greeted.response.result.messages[0].content.text).toBe('hallo');
  });

  it('validates x-mcp-header parameters: decoded, compared by type, required when the argument is there', async () => {
    const { served } = await start();
    const query = (args: Record<string, unknown>, headers: Record<string, string | undefined>) =>
      post(served, request(9, 'tools/call', { name: 'query', arguments: { query: 'q', ...args } }), headers);
    const hello = `=?base64?${Buffer.from('Hello, 世界').toString('base64')}?=`;
    const accepted: [Record<string, unknown>, Record<string, string>][] = [
      [{}, {}],
      [{ region: 'us-west1' }, { 'mcp-param-region': 'us-west1' }],
      [{ region: 'Hello, 世界' }, { 'mcp-param-region': hello }],
      // Without the "?=" end it is no sentinel: a literal value.
      [{ region: '=?base64?SGVsbG8=' }, { 'mcp-param-region': '=?base64?SGVsbG8=' }],
      [{ limit: 42 }, { 'mcp-param-limit': '42.0' }],
      [{ options: { dry: true } }, { 'mcp-param-dry': 'true' }],
      [{ region: null }, {}],
    ];
    for (const [args, headers] of accepted) {
      const answer = await query(args, headers);
      expect(answer.status, JSON.stringify(args)).toBe(200);
      expect(answer.response.result.isError, JSON.stringify(answer.response)).toBeUndefined();
    }
    const refused: [Record<string, unknown>, Record<string, string>, RegExp][] = [
      [{ region: 'us-west1' }, {}, /Mcp-Param-Region header is missing/],
      [{ region: 'us-west1' }, { 'mcp-param-region': 'eu-west1' }, /does not match arguments\.region/],
      [{ region: 'Hello' }, { 'mcp-param-region': '=?base64?SGVsbG8?=' }, /not a valid header value/],
      [{ region: 'Hello' }, { 'mcp-param-region': '=?base64?SGVs!!!bG8=?=' }, /not a valid header value/],
      [{ limit: 42 }, { 'mcp-param-limit': '41' }, /arguments\.limit/],
      [{ options: { dry: true } }, { 'mcp-param-dry': 'True' }, /arguments\.options\.dry/],
      [{}, { 'mcp-param-region': 'us-west1' }, /is absent/],
    ];
    for (const [args, headers, why] of refused) {
      const answer = await query(args, headers);
      expect(answer.status, JSON.stringify(headers)).toBe(400);
      expect(answer.response.error.code).toBe(-32020);
      expect(answer.response.error.message).toMatch(why);
    }
  });

  it('answers the revision’s errors with their statuses: -32602 and -32022 400, -32601 404, -32021 400', async () => {
    const { served } = await start();
    const noMeta = { jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} };
    const missing = await post(served, noMeta);
    expect([missing.status, missing.response.error.code]).toEqual([400, -32602]);
    // A 2025 client confused into the 2026 header is told how to open its session.
    const confused = {
      jsonrpc: '2.0',
      id: 2,
      method: 'initialize',
      params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'x', version: '1' } },
    };
    const told = await post(served, confused);
    expect([told.status, told.response.error.code]).toEqual([400, -32602]);
    expect(told.response.error.message).toMatch(/send initialize without them/);

    const future = request(
      3,
      'server/discover',
      {},
      { 'io.modelcontextprotocol/protocolVersion': '2099-01-01' },
    );
    const unsupported = await post(served, future, { 'mcp-protocol-version': '2099-01-01' });
    expect(unsupported.status).toBe(400);
    expect(validateDefinition(V, 'UnsupportedProtocolVersionError', unsupported.response)).toEqual([]);
    expect(unsupported.response.error.data.supported).toEqual([
      '2026-07-28',
      '2025-11-25',
      '2025-06-18',
      '2025-03-26',
      '2024-11-05',
    ]);

    for (const method of ['initialize', 'ping', 'logging/setLevel', 'resources/subscribe', 'no/such']) {
      const answer = await post(served, request(4, method, { uri: 'file:///readme.md' }));
      expect([answer.status, answer.response.error.code], method).toEqual([404, -32601]);
    }
    const capability = await post(served, request(5, 'tools/call', { name: 'summarize' }));
    expect([capability.status, capability.response.error.code]).toEqual([400, -32021]);
    const notFound = await post(served, request(6, 'resources/read', { uri: 'file:///nope' }));
    expect([notFound.status, notFound.response.error.code]).toEqual([200, -32602]);
  });

  it('takes a notification (202), refuses a batch and a response (400); no header with a 2026 _meta is -32020', async () => {
    const { served } = await start();
    const note = await served.request('/mcp', {
      method: 'POST',
      headers: { ...mcpHeaders(), 'mcp-protocol-version': V },
      body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
    });
    expect(note.status).toBe(202);
    const batch = await post(served, [request(1, 'tools/list')], { 'mcp-method': undefined });
    expect([batch.status, batch.messages[0]?.error?.code]).toEqual([400, -32600]);
    const reply = await post(served, { jsonrpc: '2.0', id: 1, result: {} });
    expect(reply.status).toBe(400);
    const headless = await post(served, request(2, 'tools/list'), { 'mcp-protocol-version': undefined });
    expect([headless.status, headless.response.error.code]).toEqual([400, -32020]);
  });

  it('answers GET and DELETE naming 2026-07-28 with 405 (Allow: POST); 2025 clients keep theirs', async () => {
    const { served } = await start();
    for (const method of ['GET', 'DELETE']) {
      const response = await served.request('/mcp', {
        method,
        headers: { accept: 'text/event-stream', 'mcp-protocol-version': V },
      });
      expect(response.status, method).toBe(405);
      expect(response.headers.get('allow')).toBe('POST');
      expect(((await response.json()) as Message).error.data.code).toBe('WHARF_METHOD_NOT_ALLOWED');
    }
    // An unknown version on a 2025-shaped POST keeps the 2025 refusal.
    const old = await served.request('/mcp', {
      method: 'POST',
      headers: { ...mcpHeaders(), 'mcp-protocol-version': '2099-01-01' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(old.status).toBe(400);
    expect(((await old.json()) as Message).error.data.code).toBe('WHARF_UNSUPPORTED_PROTOCOL_VERSION');
  });

  it('serves subscriptions/listen: ack first, tagged list changes and resource updates, ended by app close', async () => {
    const { server, served } = await start();
    const legacy = await connectSdk(served, 'sse', {}, cleanup);
    const listen = request(20, 'subscriptions/listen', {
      notifications: {
        toolsListChanged: true,
        promptsListChanged: true,
        resourceSubscriptions: ['file:///readme.md'],
      },
    });
    const response = await served.request('/mcp', {
      method: 'POST',
      headers: headersFor(listen),
      body: JSON.stringify(listen),
    });
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = sseReader(response);
    const next = async (what: string) => {
      const event = await reader.next(what);
      const message = event && messageOf(event);
      expect(
        validateServerMessage(V, message, 'id' in (message ?? {}) ? 'subscriptions/listen' : undefined),
      ).toEqual([]);
      return message as Message;
    };
    const ack = await next('the acknowledgment');
    expect(ack).toMatchObject({
      method: 'notifications/subscriptions/acknowledged',
      params: { _meta: { [SUBSCRIPTION_ID]: 20 }, notifications: listen.params.notifications },
    });
    // The same registry change reaches the 2025 legacy client and the 2026 stream.
    server.tool('fresh', { description: 'new' }, () => 'fresh');
    expect(await next('the tools change')).toEqual({
      jsonrpc: '2.0',
      method: 'notifications/tools/list_changed',
      params: { _meta: { [SUBSCRIPTION_ID]: 20 } },
    });
    await until(
      () => legacy.received.some((m) => 'method' in m && m.method === 'notifications/tools/list_changed'),
      'the legacy client to hear of the change',
    );
    server.notifyResourceUpdated('file:///elsewhere');
    server.notifyResourceUpdated('file:///readme.md');
    expect((await next('the update')).params).toEqual({
      uri: 'file:///readme.md',
      _meta: { [SUBSCRIPTION_ID]: 20 },
    });
    // Closing the app ends the stream with its final response.
    await served.close();
    const final = await next('the final response');
    expect(final).toMatchObject({
      id: 20,
      result: { resultType: 'complete', _meta: { [SUBSCRIPTION_ID]: 20 } },
    });
    expect(await reader.next('the end of the stream')).toBeUndefined();
  });

  it('drops a listen stream its client closed, and honours the filter (also when stateless)', async () => {
    const watch = watchRequests();
    const small = new McpServer({ name: 'small', version: '1', maxSubscriptions: 1 });
    small.tool('t', { description: 't' }, () => '');
    const { served } = await start({ stateless: true, middleware: [watch.middleware] }, small);
    const open = (id: number, controller?: AbortController) => {
      const listen = request(id, 'subscriptions/listen', { notifications: { promptsListChanged: true } });
      return served.request('/mcp', {
        method: 'POST',
        headers: headersFor(listen),
        body: JSON.stringify(listen),
        ...(controller ? { signal: controller.signal } : {}),
      });
    };
    const first = new AbortController();
    const reader = sseReader(await open(30, first));
    expect(messageOf((await reader.next('the ack'))!)?.method).toBe(
      'notifications/subscriptions/acknowledged',
    );
    // Full: a second stream is refused, with the reason.
    const full = await open(31);
    expect(((await full.json()) as Message).error.message).toMatch(/maxSubscriptions/);
    // Tools are not what this stream asked for.
    small.tool('another', { description: 'a' }, () => '');
    first.abort();
    await withTimeout(watch.latest((r) => r.method === 'POST').closed, 'the app to see the client go');
    await until(async () => {
      const again = await open(32, new AbortController());
      const accepted = again.headers.get('content-type')?.startsWith('text/event-stream') === true;
      await again.body?.cancel();
      return accepted;
    }, 'a place for a new stream once the first one is gone');
    expect(reader.text).not.toContain('tools/list_changed');
    expect(small.sessions.size).toBe(0);
  });

  it('answers server/discover on a stateless app and under a mount prefix', async () => {
    const { served } = await start({ stateless: true });
    const answer = await post(served, request(1, 'server/discover'));
    expect(answer.status).toBe(200);
    expect(answer.response.result.supportedVersions[0]).toBe(V);
    if (binding === 'fetch') {
      const server = createServer();
      const mounted = await serve(server.httpApp(), 'fetch', { basePath: '/tools', cleanup });
      const below = await post(mounted, request(2, 'server/discover'));
      expect(below.status).toBe(200);
    }
  });

  if (binding === 'node') {
    it('trims whitespace around Mcp-Name and refuses characters a header cannot carry (raw HTTP)', async () => {
      const { served } = await start();
      const send = (name: string) => {
        const message = request(40, 'tools/call', { name: 'add', arguments: { a: 1, b: 1 } });
        return rawRequest(served.url('/mcp'), {
          method: 'POST',
          headers: { ...headersFor(message), 'mcp-name': name },
          body: JSON.stringify(message),
        });
      };
      const padded = await send('  add\t');
      expect(padded.status).toBe(200);
      const latin = await send('ad\u00e9');
      expect(latin.status).toBe(400);
      expect((JSON.parse(latin.body) as Message).error.code).toBe(-32020);
    });
  }

  it('answers a listen refused before its acknowledgment with plain JSON', async () => {
    const { served } = await start();
    const bad = request(50, 'subscriptions/listen', { notifications: { toolsListChanged: 'yes' } });
    const answer = await post(served, bad);
    expect([answer.status, answer.response.error.code]).toEqual([200, -32602]);
    const jsonOnly = await post(served, request(51, 'subscriptions/listen', { notifications: {} }), {
      accept: 'application/json',
    });
    expect([jsonOnly.status, jsonOnly.response.error.code]).toEqual([400, -32600]);
  });
});

describe('every adapter and mount layout', () => {
  it.each(hosts.flatMap((host) => layouts.map((layout) => [host.name, layout.name, host, layout] as const)))(
    '%s, %s: answers 2026-07-28 per request, behind the host body parser',
    async (_host, _layout, host, layout) => {
      const server = createServer();
      const app = server.httpApp({ path: layout.appPath });
      const running = await host.start(app, layout, { parseBody: true });
      try {
        for (const message of [
          request(1, 'server/discover'),
          request(2, 'tools/call', { name: 'add', arguments: { a: 20, b: 22 } }),
        ]) {
          const response = await running.fetch(running.mcpUrl, {
            method: 'POST',
            headers: headersFor(message),
            body: JSON.stringify(message),
          });
          const answer = (await response.json()) as Message;
          expect(response.status, JSON.stringify(answer)).toBe(200);
          expect(validateServerMessage(V, answer, message.method)).toEqual([]);
          expect(answer.result.resultType).toBe('complete');
        }
        expect(server.sessions.size).toBe(0);
      } finally {
        await running.close();
        await app.close();
      }
    },
  );
});
