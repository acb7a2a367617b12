/**
 * Helpers for HTTP tests: serve a Wharf app over real node:http or in process through `app.fetch`,
 * connect the official SDK client over Streamable HTTP or legacy SSE with every server message
 * validated, read raw SSE bytes, and bound every wait with a timeout.
 *
 * @example
 * ```ts
 * const served = await serve(server, 'fetch', { basePath: '/outer' });
 * const { client, checker } = await connectSdk(served, 'streamable');
 * await client.listTools();
 * checker.assertClean();
 * ```
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import {
  StreamableHTTPClientTransport,
  type StreamableHTTPReconnectionOptions,
} from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { ClientCapabilities, JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { HttpApp, HttpAppOptions, McpServer } from 'wharf-mcp';
import { checkedTransport, WireChecker } from './wire-validator.js';

export type Binding = 'node' | 'fetch';
export const BINDINGS: Binding[] = ['node', 'fetch'];

/** The default bound on any single wait in these tests. */
export const WAIT_MS = 5_000;

/** Rejects with a message naming what was awaited when `promise` takes longer than `ms`. */
export function withTimeout<T>(promise: Promise<T>, what: string, ms = WAIT_MS): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Polls `condition` every few ms until it holds; rejects naming `what` after `ms`. */
export async function until(condition: () => boolean, what: string, ms = WAIT_MS): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${ms} ms waiting for ${what}`);
    await sleep(5);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A promise with its resolve function, for handlers that report back to the test. */
export function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Tasks run after each test, last added first; each one bounded so cleanup never hangs. */
export class Cleanup {
  private readonly tasks: (() => unknown)[] = [];

  add(task: () => unknown): void {
    this.tasks.push(task);
  }

  async run(): Promise<void> {
    const errors: unknown[] = [];
    for (const task of this.tasks.splice(0).reverse()) {
      try {
        await withTimeout(Promise.resolve().then(task), 'a cleanup task');
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length > 0) throw new AggregateError(errors, 'cleanup failed');
  }
}

/**
 * A fetch that calls `app.fetch` in process and behaves like a network fetch on abort: the
 * response body is cancelled (so the app sees its client go away) and the reader errors.
 */
export function inProcessFetch(app: HttpApp, basePath = ''): FetchLike {
  return async (input, init) => {
    const request = new Request(input, init);
    if (request.signal.aborted) throw request.signal.reason;
    const response = await app.fetch(request, basePath);
    if (!response.body) return response;
    const body = response.body.pipeThrough(new TransformStream<Uint8Array, Uint8Array>(), {
      signal: request.signal,
    });
    return new Response(body, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };
}

export interface Served {
  readonly binding: Binding;
  readonly app: HttpApp;
  /** The Streamable HTTP endpoint. */
  readonly mcpUrl: URL;
  /** The legacy SSE endpoint. */
  readonly sseUrl: URL;
  /** What the SDK transports get: undefined on node (their default fetch), the in-process fetch otherwise. */
  readonly clientFetch: FetchLike | undefined;
  /** For raw requests: the global fetch on node, the in-process fetch otherwise. */
  readonly fetch: FetchLike;
  close(): Promise<void>;
}

export interface ServeOptions {
  app?: HttpAppOptions;
  /** Fetch binding only: the prefix the app is mounted under (`app.fetch(request, basePath)`). */
  basePath?: string;
}

/**
 * Serves an app made from `server` on 127.0.0.1 (node) or in process (fetch). The app is closed by
 * `close()`, which `cleanup` runs when given.
 */
export async function serve(
  server: McpServer,
  binding: Binding,
  options: ServeOptions = {},
  cleanup?: Cleanup,
): Promise<Served> {
  const app = server.httpApp(options.app);
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await app.close();
  };
  cleanup?.add(close);
  if (binding === 'node') {
    if (options.basePath) throw new Error('basePath is for the fetch binding');
    const { port } = await app.listen({ port: 0, host: '127.0.0.1' });
    const origin = `http://127.0.0.1:${port}`;
    return {
      binding,
      app,
      mcpUrl: new URL(`${origin}/mcp`),
      sseUrl: new URL(`${origin}/sse`),
      clientFetch: undefined,
      fetch: (input, init) => fetch(input, init),
      close,
    };
  }
  const base = options.basePath ?? '';
  const inProcess = inProcessFetch(app, base);
  return {
    binding,
    app,
    mcpUrl: new URL(`http://localhost${base}/mcp`),
    sseUrl: new URL(`http://localhost${base}/sse`),
    clientFetch: inProcess,
    fetch: inProcess,
    close,
  };
}

export type SdkTransportKind = 'streamable' | 'sse';

export interface SdkConnectOptions {
  capabilities?: ClientCapabilities;
  /** Registers request and notification handlers on the client; runs before connecting. */
  handlers?: (client: Client) => void;
  reconnectionOptions?: StreamableHTTPReconnectionOptions;
  name?: string;
}

export interface SdkConnection<T extends StreamableHTTPClientTransport | SSEClientTransport> {
  client: Client;
  /** The transport (wrapped by the checker; methods run against the real one). */
  transport: T;
  checker: WireChecker;
  /** What the client reported through `onerror` (transport and protocol errors). */
  errors: Error[];
  /** Every message the transport handed to the client, in the order it did. */
  received: JSONRPCMessage[];
  close(): Promise<void>;
}

export function streamableTransport(
  served: Served,
  reconnectionOptions?: StreamableHTTPReconnectionOptions,
): StreamableHTTPClientTransport {
  return new StreamableHTTPClientTransport(served.mcpUrl, {
    ...(served.clientFetch ? { fetch: served.clientFetch } : {}),
    ...(reconnectionOptions ? { reconnectionOptions } : {}),
  });
}

export function sseTransport(served: Served): SSEClientTransport {
  const custom = served.clientFetch;
  return new SSEClientTransport(
    served.sseUrl,
    custom ? { fetch: custom, eventSourceInit: { fetch: custom } } : {},
  );
}

export async function connectSdk(
  served: Served,
  kind: 'streamable',
  options?: SdkConnectOptions,
  cleanup?: Cleanup,
): Promise<SdkConnection<StreamableHTTPClientTransport>>;
export async function connectSdk(
  served: Served,
  kind: 'sse',
  options?: SdkConnectOptions,
  cleanup?: Cleanup,
): Promise<SdkConnection<SSEClientTransport>>;
export async function connectSdk(
  served: Served,
  kind: SdkTransportKind,
  options: SdkConnectOptions = {},
  cleanup?: Cleanup,
): Promise<SdkConnection<StreamableHTTPClientTransport | SSEClientTransport>> {
  const checker = new WireChecker();
  const inner =
    kind === 'streamable' ? streamableTransport(served, options.reconnectionOptions) : sseTransport(served);
  const transport = checkedTransport(inner, checker);
  const client = new Client(
    { name: options.name ?? 'wharf-http-test-client', version: '1.0.0' },
    { capabilities: options.capabilities ?? {} },
  );
  const errors: Error[] = [];
  client.onerror = (error) => errors.push(error);
  options.handlers?.(client);
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await client.close();
  };
  cleanup?.add(close);
  await withTimeout(client.connect(transport), `the ${kind} client to connect`);
  const received: JSONRPCMessage[] = [];
  const deliver = transport.onmessage;
  transport.onmessage = (message: JSONRPCMessage) => {
    received.push(message);
    deliver?.(message);
  };
  return { client, transport, checker, errors, received, close };
}

// ---------------------------------------------------------------------------------------------
// Raw SSE
// ---------------------------------------------------------------------------------------------

export interface SseEvent {
  /** The event block exactly as it came, without the blank line that ends it. */
  raw: string;
  id: string | undefined;
  event: string | undefined;
  /** Data lines joined with "\n"; undefined when the block had no data field. */
  data: string | undefined;
  retry: number | undefined;
  /** Comment-only blocks (keep-alives) are kept, flagged. */
  comment: boolean;
}

function parseBlock(raw: string): SseEvent {
  const event: SseEvent = {
    raw,
    id: undefined,
    event: undefined,
    data: undefined,
    retry: undefined,
    comment: true,
  };
  const data: string[] = [];
  for (const line of raw.split('\n')) {
    if (line.startsWith(':')) continue;
    event.comment = false;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'id') event.id = value;
    else if (field === 'event') event.event = value;
    else if (field === 'data') data.push(value);
    else if (field === 'retry') event.retry = Number(value);
  }
  if (data.length > 0) event.data = data.join('\n');
  return event;
}

/** Reads an SSE response event by event, keeping the raw text. */
export class SseReader {
  /** Every byte read so far, decoded. */
  text = '';
  private buffer = '';
  private done = false;
  private readonly reader: ReadableStreamDefaultReader<string>;

  constructor(response: Response) {
    if (!response.body) throw new Error('the response has no body');
    this.reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  }

  /** The next event (keep-alive comments skipped), or undefined once the stream ended. */
  async next(what = 'the next SSE event', ms = WAIT_MS): Promise<SseEvent | undefined> {
    for (;;) {
      const block = this.takeBlock();
      if (block !== undefined) {
        const event = parseBlock(block);
        if (!event.comment) return event;
        continue;
      }
      if (this.done) return undefined;
      const { value, done } = await withTimeout(this.reader.read(), what, ms);
      if (done) this.done = true;
      else {
        this.text += value;
        this.buffer += value.replace(/\r\n?/g, '\n');
      }
    }
  }

  /** Every remaining event, until the server ends the stream. */
  async rest(what = 'the SSE stream to end', ms = WAIT_MS): Promise<SseEvent[]> {
    const events: SseEvent[] = [];
    const deadline = Date.now() + ms;
    for (;;) {
      const event = await this.next(what, Math.max(1, deadline - Date.now()));
      if (!event) return events;
      events.push(event);
    }
  }

  /** True when the stream ended (as far as has been read). */
  get ended(): boolean {
    return this.done && this.buffer.trim() === '';
  }

  async cancel(): Promise<void> {
    await this.reader.cancel().catch(() => undefined);
  }

  private takeBlock(): string | undefined {
    const end = this.buffer.indexOf('\n\n');
    if (end === -1) return undefined;
    const block = this.buffer.slice(0, end);
    this.buffer = this.buffer.slice(end + 2);
    return block;
  }
}

/** The JSON-RPC message an SSE event carries, or undefined for a priming event. */
export function messageOf(event: SseEvent): Record<string, unknown> | undefined {
  if (event.data === undefined || event.data === '') return undefined;
  return JSON.parse(event.data) as Record<string, unknown>;
}
