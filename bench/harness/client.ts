/**
 * Virtual MCP clients: a real handshake, then `tools/call echo` whose answer is parsed and checked.
 * Streamable HTTP (JSON or SSE answers, with or without a session) and legacy HTTP+SSE.
 */
import type { Agent, IncomingMessage } from 'node:http';
import type { Mode } from './config.js';
import { openStream, parseSse, type Reply, SseParser, send, TIMEOUT_MS } from './http.js';

/** Asked for in `initialize`; later requests carry the version the server chose. */
const PROTOCOL = '2025-11-25';
/** The per-request revision: no `initialize`, every request says who it is. */
const PER_REQUEST_PROTOCOL = '2026-07-28';

interface RpcMessage {
  id?: number | string | null;
  result?: { protocolVersion?: string; content?: { type?: string; text?: unknown }[] };
  error?: { message?: string };
}

export interface Client {
  call(text: string): Promise<void>;
  close(): void;
}

function initialize(id: number, protocolVersion: string): string {
  const params = { protocolVersion, capabilities: {}, clientInfo: { name: 'bench', version: '1.0.0' } };
  return JSON.stringify({ jsonrpc: '2.0', id, method: 'initialize', params });
}

const INITIALIZED = JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' });

function toolCall(id: number, text: string): string {
  return JSON.stringify({
    jsonrpc: '2.0',
    id,
    method: 'tools/call',
    params: { name: 'echo', arguments: { text } },
  });
}

/** A 2026-07-28 `tools/call`: the version, client and capabilities ride in `_meta`. */
function perRequestCall(id: number, text: string): string {
  const _meta = {
    'io.modelcontextprotocol/protocolVersion': PER_REQUEST_PROTOCOL,
    'io.modelcontextprotocol/clientInfo': { name: 'bench', version: '1.0.0' },
    'io.modelcontextprotocol/clientCapabilities': {},
  };
  return JSON.stringify({
    jsonrpc: '2.0',
    id,
    method: 'tools/call',
    params: { name: 'echo', arguments: { text }, _meta },
  });
}

/** Checks an `initialize` answer; returns the protocol version the server chose. */
function checkInit(msg: RpcMessage | undefined): string {
  const version = msg?.result?.protocolVersion;
  if (typeof version !== 'string') throw new Error(`bad initialize answer`);
  return version;
}

function checkEcho(msg: RpcMessage | undefined, text: string): void {
  const got = msg?.result?.content?.[0]?.text;
  if (got !== text) throw new Error(`echo mismatch: ${JSON.stringify(msg?.error ?? got)?.slice(0, 200)}`);
}

/** The JSON-RPC answer with this id, from a JSON body or an SSE body. */
function answerOf(reply: Reply, id: number): RpcMessage | undefined {
  if (reply.status !== 200) throw new Error(`HTTP ${reply.status}: ${reply.body.slice(0, 200)}`);
  if (!String(reply.headers['content-type']).startsWith('text/event-stream')) {
    return JSON.parse(reply.body) as RpcMessage;
  }
  for (const { data } of parseSse(reply.body)) {
    const msg = data ? (JSON.parse(data) as RpcMessage) : undefined;
    if (msg?.id === id) return msg;
  }
  return undefined;
}

class StreamableClient implements Client {
  private nextId = 1;
  private sessionId: string | undefined;
  /** The version the server chose in `initialize`, sent as `MCP-Protocol-Version` afterwards. */
  private protocolVersion: string | undefined;

  constructor(
    private readonly agent: Agent,
    private readonly url: URL,
  ) {}

  private headers(): Record<string, string> {
    const headers: Record<string, string> = {
      accept: 'application/json, text/event-stream',
      'content-type': 'application/json',
    };
    if (this.protocolVersion) headers['mcp-protocol-version'] = this.protocolVersion;
    if (this.sessionId) headers['mcp-session-id'] = this.sessionId;
    return headers;
  }

  async open(): Promise<void> {
    const id = this.nextId++;
    const reply = await send(this.agent, this.url, 'POST', this.headers(), initialize(id, PROTOCOL));
    const version = checkInit(answerOf(reply, id));
    const session = reply.headers['mcp-session-id'];
    this.sessionId = typeof session === 'string' ? session : undefined;
    this.protocolVersion = version;
    const ack = await send(this.agent, this.url, 'POST', this.headers(), INITIALIZED);
    if (ack.status !== 202) throw new Error(`notifications/initialized: HTTP ${ack.status}`);
  }

  async call(text: string): Promise<void> {
    const id = this.nextId++;
    const reply = await send(this.agent, this.url, 'POST', this.headers(), toolCall(id, text));
    checkEcho(answerOf(reply, id), text);
  }

  close(): void {}
}

/**
 * Protocol 2026-07-28: nothing to open; each call is a POST with its `_meta` envelope and the
 * `Mcp-Method`/`Mcp-Name` headers the revision asks for, answered complete in the response.
 */
class PerRequestClient implements Client {
  private nextId = 1;
  private readonly headers = {
    accept: 'application/json, text/event-stream',
    'content-type': 'application/json',
    'mcp-protocol-version': PER_REQUEST_PROTOCOL,
    'mcp-method': 'tools/call',
    'mcp-name': 'echo',
  };

  constructor(
    private readonly agent: Agent,
    private readonly url: URL,
  ) {}

  async call(text: string): Promise<void> {
    const id = this.nextId++;
    const reply = await send(this.agent, this.url, 'POST', this.headers, perRequestCall(id, text));
    const answer = answerOf(reply, id) as (RpcMessage & { result?: { resultType?: string } }) | undefined;
    if (answer?.result && answer.result.resultType !== 'complete') throw new Error('no resultType: complete');
    checkEcho(answer, text);
  }

  close(): void {}
}

class LegacyClient implements Client {
  private nextId = 1;
  private stream: IncomingMessage | undefined;
  private endpoint: URL | undefined;
  private readonly pending = new Map<
    number | string,
    { resolve(msg: RpcMessage): void; reject(e: Error): void }
  >();
  private failure: Error | undefined;

  constructor(
    private readonly agent: Agent,
    private readonly streamAgent: Agent,
    private readonly url: URL,
  ) {}

  async open(): Promise<void> {
    const stream = await openStream(this.streamAgent, this.url);
    this.stream = stream;
    const endpoint = new Promise<URL>((resolve, reject) => {
      const parser = new SseParser(({ event, data }) => {
        if (event === 'endpoint') resolve(new URL(data, this.url));
        else if (event === 'message') this.deliver(data);
      });
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => parser.feed(chunk));
      stream.on('close', () => {
        this.failure ??= new Error('SSE stream closed');
        reject(this.failure);
        for (const waiter of this.pending.values()) waiter.reject(this.failure);
      });
      setTimeout(() => reject(new Error('no endpoint event')), TIMEOUT_MS).unref();
    });
    this.endpoint = await endpoint;
    checkInit(await this.rpc(initialize(this.nextId, '2024-11-05'), this.nextId++));
    const ack = await send(this.agent, this.endpoint, 'POST', this.headers(), INITIALIZED);
    if (ack.status !== 202) throw new Error(`notifications/initialized: HTTP ${ack.status}`);
  }

  private headers(): Record<string, string> {
    return { accept: 'application/json, text/event-stream', 'content-type': 'application/json' };
  }

  private deliver(data: string): void {
    const msg = JSON.parse(data) as RpcMessage;
    if (msg.id === undefined || msg.id === null) return;
    this.pending.get(msg.id)?.resolve(msg);
    this.pending.delete(msg.id);
  }

  /** POSTs a request and waits for its answer on the SSE stream. */
  private async rpc(body: string, id: number): Promise<RpcMessage> {
    if (this.failure || !this.endpoint) throw this.failure ?? new Error('not open');
    let timer: NodeJS.Timeout | undefined;
    const answer = new Promise<RpcMessage>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error('no answer on the SSE stream'));
      }, TIMEOUT_MS);
    });
    answer.catch(() => {}); // awaited below; this only stops an early rejection from going unhandled
    try {
      const reply = await send(this.agent, this.endpoint, 'POST', this.headers(), body);
      if (reply.status !== 202) throw new Error(`HTTP ${reply.status}: ${reply.body.slice(0, 200)}`);
      return await answer;
    } finally {
      clearTimeout(timer);
      this.pending.delete(id);
    }
  }

  async call(text: string): Promise<void> {
    const id = this.nextId++;
    checkEcho(await this.rpc(toolCall(id, text), id), text);
  }

  close(): void {
    this.failure ??= new Error('closed');
    this.stream?.destroy();
  }
}

/**
 * Opens one client and completes its handshake. `agent` carries the POSTs (keep-alive);
 * legacy SSE holds its stream on `streamAgent`.
 */
export async function openClient(base: URL, mode: Mode, agent: Agent, streamAgent: Agent): Promise<Client> {
  if (mode === 'legacy-sse') {
    const client = new LegacyClient(agent, streamAgent, new URL('/sse', base));
    await client.open();
    return client;
  }
  if (mode === 'per-request') return new PerRequestClient(agent, new URL('/mcp', base));
  const client = new StreamableClient(agent, new URL('/mcp', base));
  await client.open();
  return client;
}
