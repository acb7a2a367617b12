/**
 * Real clients as referees of "one mount serves every era": one Wharf app on a real socket, one URL,
 * and against it the official SDK 1.x client (2025-11-25, a session), the SDK 2.x client pinned to
 * 2026-07-28, the OpenAI Agents JS client and the Vercel AI SDK MCP client (both probe with
 * `server/discover` and fall back to `initialize` when refused). No model and no network: only
 * their MCP part runs, listing and calling tools.
 *
 * Each client's library could hide a fallback, so the era each one took is asserted on the wire:
 * the app's first middleware records what every request carried (HTTP method, JSON-RPC body,
 * `MCP-Protocol-Version`, `Mcp-Session-Id`), and each client's fetch records how the request was
 * answered (status, a session id issued, the JSON-RPC messages of the answer). Both halves meet on
 * a sequence number the fetch puts in a header.
 */
import { createMCPClient } from '@ai-sdk/mcp';
import { Client as ModernClient, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { Client as LegacyClient } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as LegacyTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { MCPServerStreamableHttp } from '@openai/agents';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { McpServer, type Middleware } from 'wharf-mcp';
import { z } from 'zod';
import { type Served, serve, textOf, WAIT_MS, withTimeout } from './support/bindings.js';

const MODERN = '2026-07-28';
const LEGACY = '2025-11-25';
const CLIENT_HEADER = 'x-referee-client';
const SEQ_HEADER = 'x-referee-seq';

function createRefereeServer(): McpServer {
  const server = new McpServer({ name: 'era-referee-server', version: '1.0.0' });
  server.tool(
    'echo',
    { description: 'Returns the text it was given', inputSchema: z.object({ text: z.string() }) },
    ({ text }) => text,
  );
  server.tool(
    'add',
    { description: 'Adds two numbers', inputSchema: z.object({ a: z.number(), b: z.number() }) },
    ({ a, b }) => String(a + b),
  );
  // One handler for both eras: a real elicitation/create under 2025, input_required plus a retry
  // under 2026 (the handler runs again from the top and the await returns the answer).
  server.tool('greet', { description: 'Asks the user for a name and greets them' }, async (_args, ctx) => {
    const answer = await ctx.elicit(
      {
        message: 'What is your name?',
        requestedSchema: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
      },
      { timeoutMs: WAIT_MS },
    );
    return `Hello, ${String(answer.content?.name)} (${answer.action})`;
  });
  return server;
}

type JsonRpcMessage = {
  id?: string | number;
  method?: string;
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: { code: number; message: string };
};

/** One HTTP exchange: what the app received, joined with how the client saw it answered. */
interface WireExchange {
  readonly client: string;
  readonly httpMethod: string;
  /** The JSON-RPC messages of the request body (a batch gives several). */
  readonly sent: readonly JsonRpcMessage[];
  /** The methods among them (requests and notifications), e.g. `['server/discover']`. */
  readonly methods: readonly string[];
  readonly protocolVersion: string | undefined;
  readonly sessionId: string | undefined;
  readonly status: number | undefined;
  /** The `Mcp-Session-Id` the answer issued, if any. */
  readonly issuedSessionId: string | undefined;
  /** The JSON-RPC messages of the answer (POST only; read in the background from a clone). */
  readonly answers: Promise<readonly JsonRpcMessage[]>;
}

interface Received {
  seq: string;
  client: string;
  httpMethod: string;
  sent: JsonRpcMessage[];
  protocolVersion: string | undefined;
  sessionId: string | undefined;
}

interface Answered {
  status: number;
  issuedSessionId: string | undefined;
  answers: Promise<JsonRpcMessage[]>;
}

/**
 * The JSON-RPC messages of a JSON or SSE answer. Never rejects (nobody may await it): a stream that
 * broke off gives what it had, and text that is not JSON is skipped.
 */
async function readMessages(response: Response): Promise<JsonRpcMessage[]> {
  const type = response.headers.get('content-type') ?? '';
  const text = await response.text().catch(() => '');
  let payloads: string[] = [];
  if (type.startsWith('application/json')) payloads = [text];
  else if (type.startsWith('text/event-stream')) {
    payloads = text.split(/\r?\n\r?\n/).map((event) =>
      event
        .split(/\r?\n/)
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).trimStart())
        .join('\n'),
    );
  }
  return payloads.flatMap((payload) => {
    try {
      const parsed = JSON.parse(payload) as JsonRpcMessage | JsonRpcMessage[];
      return Array.isArray(parsed) ? parsed : [parsed];
    } catch {
      return [];
    }
  });
}

function recordWire() {
  const received: Received[] = [];
  const answered = new Map<string, Answered>();
  let seq = 0;

  const middleware: Middleware = async (request, next) => {
    const read = await request.body();
    let sent: JsonRpcMessage[] = [];
    try {
      const parsed = read.ok && read.body.text() !== '' ? read.body.json() : [];
      sent = (Array.isArray(parsed) ? parsed : [parsed]) as JsonRpcMessage[];
    } catch {
      // Not JSON: the app refuses it as it would anyway; nothing here to record.
    }
    received.push({
      seq: request.header(SEQ_HEADER) ?? '?',
      client: request.header(CLIENT_HEADER) ?? '?',
      httpMethod: request.method,
      sent,
      protocolVersion: request.header('mcp-protocol-version'),
      sessionId: request.header('mcp-session-id'),
    });
    await next();
  };

  /** A fetch for one client: tags each request and keeps how it was answered. */
  const fetchFor =
    (client: string) =>
    async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
      const request = new Request(input, init);
      const id = String(++seq);
      request.headers.set(CLIENT_HEADER, client);
      request.headers.set(SEQ_HEADER, id);
      const response = await fetch(request);
      answered.set(id, {
        status: response.status,
        issuedSessionId: response.headers.get('mcp-session-id') ?? undefined,
        answers:
          request.method === 'POST' && response.body ? readMessages(response.clone()) : Promise.resolve([]),
      });
      return response;
    };

  /** Every exchange of one client so far, in the order the app received them. */
  const of = (client: string): WireExchange[] =>
    received
      .filter((entry) => entry.client === client)
      .map((entry) => {
        const answer = answered.get(entry.seq);
        return {
          client: entry.client,
          httpMethod: entry.httpMethod,
          sent: entry.sent,
          methods: entry.sent.flatMap((m) => (m.method === undefined ? [] : [m.method])),
          protocolVersion: entry.protocolVersion,
          sessionId: entry.sessionId,
          status: answer?.status,
          issuedSessionId: answer?.issuedSessionId,
          answers: answer?.answers ?? Promise.resolve([]),
        };
      });

  return { middleware, fetchFor, of };
}

type Wire = ReturnType<typeof recordWire>;

/** One line per exchange, for failure messages: `POST server/discover v=2026-07-28 -> 400`. */
function describeWire(exchanges: readonly WireExchange[]): string {
  return exchanges
    .map((e) => {
      const session = e.sessionId ? ' (session)' : '';
      return `${e.httpMethod} ${e.methods.join(',') || '-'} v=${e.protocolVersion ?? '-'}${session} -> ${e.status ?? '?'}`;
    })
    .join('\n');
}

const methodsOf = (exchanges: readonly WireExchange[]) => exchanges.flatMap((e) => e.methods);

/** The response to the exchange's request, among the messages of its answer. */
async function answerTo(exchange: WireExchange): Promise<JsonRpcMessage | undefined> {
  const request = exchange.sent.find((m) => m.method !== undefined && m.id !== undefined);
  return (await exchange.answers).find((m) => m.id === request?.id && m.method === undefined);
}

/**
 * The 2026-07-28 path, as the revision defines it (changelog 1-3; basic/transports/streamable-http):
 * no `initialize` or `notifications/initialized`, no `Mcp-Session-Id` either way, every request
 * stamped 2026-07-28, and a first `server/discover` answered 200 with a complete result that offers
 * 2026-07-28.
 */
async function expectModernPath(wire: Wire, client: string): Promise<WireExchange[]> {
  const exchanges = wire.of(client);
  const seen = `${client} on the wire:\n${describeWire(exchanges)}`;
  expect(exchanges.length, seen).toBeGreaterThan(0);
  expect(methodsOf(exchanges), seen).not.toContain('initialize');
  expect(methodsOf(exchanges), seen).not.toContain('notifications/initialized');
  for (const exchange of exchanges) {
    expect(exchange.sessionId, seen).toBeUndefined();
    expect(exchange.issuedSessionId, seen).toBeUndefined();
    expect(exchange.protocolVersion, seen).toBe(MODERN);
  }
  const [first] = exchanges;
  expect(first?.methods, seen).toEqual(['server/discover']);
  expect(first?.status, seen).toBe(200);
  const discovered = first ? await answerTo(first) : undefined;
  expect(discovered?.error, seen).toBeUndefined();
  expect(discovered?.result?.resultType, seen).toBe('complete');
  expect(discovered?.result?.supportedVersions, seen).toContain(MODERN);
  return exchanges;
}

/** The `tools/call` exchanges of one client for one tool, with their answers. */
async function toolCalls(exchanges: readonly WireExchange[], tool: string) {
  const calls = exchanges.filter((e) =>
    e.sent.some((m) => m.method === 'tools/call' && m.params?.name === tool),
  );
  return Promise.all(
    calls.map(async (exchange) => ({
      exchange,
      answer: await answerTo(exchange),
      all: await exchange.answers,
    })),
  );
}

describe('one app, one URL: 2025-11-25 and 2026-07-28 clients side by side', () => {
  let served: Served;
  let wire: Wire;
  let url: string;
  let legacy: LegacyClient;

  beforeAll(async () => {
    wire = recordWire();
    served = await serve(createRefereeServer().httpApp({ middleware: [wire.middleware] }), 'node');
    url = served.url('/mcp');
    // The 2025 session is opened first and kept open while the 2026 clients come and go.
    legacy = new LegacyClient(
      { name: 'sdk-1.x-referee', version: '1.0.0' },
      { capabilities: { elicitation: {} } },
    );
    legacy.setRequestHandler(ElicitRequestSchema, () => ({ action: 'accept', content: { name: 'Ada' } }));
    await withTimeout(
      legacy.connect(new LegacyTransport(new URL(url), { fetch: wire.fetchFor('sdk-1.x') })),
      'the 1.x client to connect',
    );
  });

  afterAll(async () => {
    await legacy?.close();
    await served?.close();
  });

  it('the SDK 1.x client initializes a 2025-11-25 session and calls tools in it', async () => {
    const listed = await legacy.listTools();
    expect(listed.tools.map((tool) => tool.name).sort()).toEqual(['add', 'echo', 'greet']);
    expect(textOf(await legacy.callTool({ name: 'add', arguments: { a: 2, b: 3 } }))).toBe('5');

    const exchanges = wire.of('sdk-1.x');
    const seen = `sdk-1.x on the wire:\n${describeWire(exchanges)}`;
    expect(methodsOf(exchanges), seen).not.toContain('server/discover');
    const [first, ...rest] = exchanges;
    expect(first?.methods, seen).toEqual(['initialize']);
    expect(first?.status, seen).toBe(200);
    const initialized = first ? await answerTo(first) : undefined;
    expect(initialized?.result?.protocolVersion, seen).toBe(LEGACY);
    const sessionId = first?.issuedSessionId;
    expect(sessionId, seen).toBeDefined();
    expect(rest.length, seen).toBeGreaterThan(0);
    for (const exchange of rest) {
      expect(exchange.sessionId, seen).toBe(sessionId);
      expect(exchange.protocolVersion, seen).toBe(LEGACY);
    }
  });

  it('the SDK 1.x client answers ctx.elicit() with a real elicitation/create in its session', async () => {
    expect(textOf(await legacy.callTool({ name: 'greet' }))).toBe('Hello, Ada (accept)');
    const [call, ...more] = await toolCalls(wire.of('sdk-1.x'), 'greet');
    expect(more).toEqual([]);
    // The question went out as a server-to-client request on the call's own POST stream.
    expect(call?.all.some((m) => m.method === 'elicitation/create' && m.id !== undefined)).toBe(true);
    expect(call?.answer?.result?.isError).not.toBe(true);
  });

  it('the SDK 2.x client pinned to 2026-07-28 discovers, lists and calls tools with no session', async () => {
    const client = new ModernClient(
      { name: 'sdk-2.x-referee', version: '1.0.0' },
      { versionNegotiation: { mode: { pin: MODERN } } },
    );
    const transport = new StreamableHTTPClientTransport(new URL(url), { fetch: wire.fetchFor('sdk-2.x') });
    try {
      // Pinned: no fallback, so this throws while the server does not offer 2026-07-28.
      await withTimeout(client.connect(transport), 'the 2.x client to connect');
      expect(client.getNegotiatedProtocolVersion()).toBe(MODERN);
      const listed = await client.listTools();
      expect(listed.tools.map((tool) => tool.name).sort()).toEqual(['add', 'echo', 'greet']);
      expect(textOf(await client.callTool({ name: 'echo', arguments: { text: 'modern' } }))).toBe('modern');
    } finally {
      await client.close();
    }
    const exchanges = await expectModernPath(wire, 'sdk-2.x');
    const [call] = await toolCalls(exchanges, 'echo');
    expect(call?.exchange.status).toBe(200);
    expect(call?.answer?.result?.resultType).toBe('complete');
  });

  // Issue 13 item 2 (multi round-trip: ctx.elicit() under 2026 ends the attempt with input_required);
  // this test is its referee, written against the official SDK's own 2026 server.
  it('the SDK 2.x client answers the same ctx.elicit() handler by multi round-trip (input_required, then a retry)', async () => {
    const client = new ModernClient(
      { name: 'sdk-2.x-mrtr-referee', version: '1.0.0' },
      { versionNegotiation: { mode: { pin: MODERN } }, capabilities: { elicitation: {} } },
    );
    client.setRequestHandler('elicitation/create', () => ({ action: 'accept', content: { name: 'Grace' } }));
    const transport = new StreamableHTTPClientTransport(new URL(url), {
      fetch: wire.fetchFor('sdk-2.x-mrtr'),
    });
    try {
      await withTimeout(client.connect(transport), 'the 2.x client to connect');
      expect(textOf(await client.callTool({ name: 'greet' }))).toBe('Hello, Grace (accept)');
    } finally {
      await client.close();
    }
    const exchanges = await expectModernPath(wire, 'sdk-2.x-mrtr');
    const calls = await toolCalls(exchanges, 'greet');
    const seen = `sdk-2.x-mrtr on the wire:\n${describeWire(exchanges)}`;
    expect(calls.length, seen).toBe(2);
    const [ask, retry] = calls;
    // 2026-07-28 has no server-to-client requests (basic/patterns/mrtr): the question rides in the result.
    for (const call of calls)
      expect(call.all.filter((m) => m.method !== undefined && m.id !== undefined)).toEqual([]);
    const interim = ask?.answer?.result;
    expect(interim?.resultType).toBe('input_required');
    const inputRequests = interim?.inputRequests as Record<string, { method?: string }> | undefined;
    const keys = Object.keys(inputRequests ?? {});
    expect(keys.length).toBe(1);
    expect(inputRequests?.[keys[0] ?? '']?.method).toBe('elicitation/create');
    const retried = retry?.exchange.sent[0]?.params;
    expect(Object.keys((retried?.inputResponses as object | undefined) ?? {})).toEqual(keys);
    expect(retried?.requestState).toBe(interim?.requestState);
    expect(retry?.answer?.result?.resultType).toBe('complete');
  });

  it('the OpenAI Agents client (MCPServerStreamableHttp) lists and calls tools on the 2026-07-28 path', async () => {
    const server = new MCPServerStreamableHttp({
      url,
      name: 'openai-referee',
      fetch: wire.fetchFor('openai'),
    });
    try {
      await withTimeout(server.connect(), 'the OpenAI Agents client to connect');
      const tools = await server.listTools();
      expect(tools.map((tool) => tool.name).sort()).toEqual(['add', 'echo', 'greet']);
      const content = await server.callTool('add', { a: 20, b: 22 });
      expect(content).toEqual([{ type: 'text', text: '42' }]);
    } finally {
      await server.close();
    }
    const exchanges = await expectModernPath(wire, 'openai');
    expect(methodsOf(exchanges)).toEqual(expect.arrayContaining(['tools/list', 'tools/call']));
  });

  it('the Vercel AI SDK MCP client lists and calls tools on the 2026-07-28 path', async () => {
    const client = await withTimeout(
      createMCPClient({ transport: { type: 'http', url, fetch: wire.fetchFor('vercel') } }),
      'the Vercel AI SDK client to connect',
    );
    try {
      const tools = await client.tools();
      expect(Object.keys(tools).sort()).toEqual(['add', 'echo', 'greet']);
      const result = await tools.echo?.execute({ text: 'from vercel' });
      expect(textOf(result)).toBe('from vercel');
    } finally {
      await client.close();
    }
    const exchanges = await expectModernPath(wire, 'vercel');
    expect(methodsOf(exchanges)).toEqual(expect.arrayContaining(['tools/list', 'tools/call']));
  });

  it('the 2025 session still answers, in 2025-11-25, after the 2026 clients came and went', async () => {
    expect(textOf(await legacy.callTool({ name: 'echo', arguments: { text: 'still here' } }))).toBe(
      'still here',
    );
    const exchanges = wire.of('sdk-1.x');
    const last = exchanges.at(-1);
    expect(last?.sessionId).toBe(exchanges[0]?.issuedSessionId);
    expect(last?.protocolVersion).toBe(LEGACY);
    expect(last?.status).toBe(200);
  });
});
