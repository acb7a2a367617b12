/**
 * Runs a Wharf `HttpApp` under each of its two bindings, so one HTTP test covers both:
 * - `fetch`: the app's fetch entry, called in process with a Web `Request` (as Bun, Deno, Workers
 *   or Hono would). A fetch runtime does not tell the app which address a connection arrived on,
 *   so the loopback Host/Origin guard is off there unless `allowedHosts`/`allowedOrigins` is set.
 * - `node`: the app listening on a real socket on 127.0.0.1, reached with the global `fetch`.
 *
 * Plus the small pieces every HTTP test needs: an `initialize` POST, a JSON-RPC answer read from a
 * JSON or SSE response, an SSE parser with a timeout on every read, and a raw `node:http` request
 * for headers the global fetch refuses to set (`Host`).
 *
 * @example
 * ```ts
 * const client = await serve(server.httpApp(), 'node');
 * const { sessionId } = await initialize(client.request);
 * const answer = await rpc(client.request, { jsonrpc: '2.0', id: 2, method: 'tools/list' }, { sessionId });
 * await client.close();
 * ```
 */
import { createServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HttpApp } from 'wharf-mcp';

export const bindings = ['fetch', 'node'] as const;
export type Binding = (typeof bindings)[number];

/** Sends one request to the app under test; `path` is relative to the app ("/mcp"). */
export type RequestFn = (path: string, init?: RequestInit) => Promise<Response>;

export interface Served {
  /** The binding this client talks through. */
  readonly binding: Binding;
  request: RequestFn;
  /** The absolute URL of a path of the app, as a client would write it. */
  url(path: string): string;
  /** Closes the app (sessions, the socket when there is one, the server's shutdown hook). */
  close(): Promise<void>;
}

/** The port named in URLs of the in-process fetch binding; nothing listens on it. */
const FETCH_PORT = 8787;

export async function serve(app: HttpApp, binding: Binding): Promise<Served> {
  if (binding === 'fetch') {
    const base = `http://localhost:${FETCH_PORT}`;
    return {
      binding,
      request: (path, init) => app.fetch(new Request(base + path, init)),
      url: (path) => base + path,
      close: () => app.close(),
    };
  }
  const { port } = await app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${port}`;
  return {
    binding,
    request: (path, init) => fetch(base + path, init),
    url: (path) => base + path,
    close: () => app.close(),
  };
}

export const PROTOCOL_VERSION = '2025-11-25';

/** Headers of a well-formed MCP POST; `sessionId` and `extra` are added when given. */
export function mcpHeaders(sessionId?: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    ...(sessionId === undefined ? {} : { 'mcp-session-id': sessionId }),
    ...extra,
  };
}

export function initializeRequest(protocolVersion = PROTOCOL_VERSION, id: number | string = 1) {
  return {
    jsonrpc: '2.0',
    id,
    method: 'initialize',
    params: {
      protocolVersion,
      capabilities: {},
      clientInfo: { name: 'wharf-http-test', version: '1.0.0' },
    },
  } as const;
}

export interface InitializeOptions {
  /** The MCP endpoint. Default `/mcp`. */
  path?: string;
  protocolVersion?: string;
  /** Replaces the default `Accept: application/json, text/event-stream`. */
  accept?: string;
  /** More request headers. */
  headers?: Record<string, string>;
  /** Read the answer and send `notifications/initialized` (default true). */
  complete?: boolean;
}

export interface Initialized {
  /** The `Mcp-Session-Id` response header (undefined when there is none). */
  sessionId: string | undefined;
  /** The initialize response; its body is already read when `complete` is on. */
  response: Response;
  /** The JSON-RPC answer to initialize, when `complete` is on and the response was 200. */
  answer: JsonRpcAnswer | undefined;
}

/** POSTs an initialize (then, by default, `notifications/initialized`) and returns the session id. */
export async function initialize(request: RequestFn, options: InitializeOptions = {}): Promise<Initialized> {
  const path = options.path ?? '/mcp';
  const headers = mcpHeaders(undefined, options.headers);
  if (options.accept !== undefined) headers.accept = options.accept;
  const response = await request(path, {
    method: 'POST',
    headers,
    body: JSON.stringify(initializeRequest(options.protocolVersion)),
  });
  const sessionId = response.headers.get('mcp-session-id') ?? undefined;
  if (options.complete === false || response.status !== 200)
    return { sessionId, response, answer: undefined };
  const answer = await readAnswer(response);
  const done = await request(path, {
    method: 'POST',
    headers: mcpHeaders(sessionId, options.headers),
    body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
  });
  await done.arrayBuffer();
  if (done.status !== 202) throw new Error(`notifications/initialized was answered ${done.status}, not 202`);
  return { sessionId, response, answer };
}

/** A JSON-RPC response as it arrives (result or error). */
export interface JsonRpcAnswer {
  jsonrpc: '2.0';
  id?: string | number;
  result?: Record<string, unknown>;
  error?: { code: number; message: string; data?: unknown };
}

/**
 * The JSON-RPC response in a 200 answer to a POST: the JSON body, or the last `message` event of
 * an SSE body that carries an `id` (the response, after any progress or logs).
 */
export async function readAnswer(response: Response, timeoutMs = 5000): Promise<JsonRpcAnswer> {
  const type = response.headers.get('content-type') ?? '';
  if (type.startsWith('application/json')) return (await response.json()) as JsonRpcAnswer;
  if (!type.startsWith('text/event-stream')) {
    throw new Error(`Expected JSON or SSE, got ${response.status} "${type}": ${await response.text()}`);
  }
  const events = await readSse(response, { timeoutMs });
  const answers = events
    .filter((event) => event.data !== '')
    .map((event) => JSON.parse(event.data) as JsonRpcAnswer)
    .filter((message) => 'id' in message && ('result' in message || 'error' in message));
  const answer = answers.at(-1);
  if (!answer) throw new Error(`The SSE body carried no JSON-RPC response: ${JSON.stringify(events)}`);
  return answer;
}

/** POSTs one JSON-RPC message to `/mcp` and returns its JSON-RPC answer (expects a 200). */
export async function rpc(
  request: RequestFn,
  message: unknown,
  options: { sessionId?: string; headers?: Record<string, string>; path?: string } = {},
): Promise<JsonRpcAnswer> {
  const response = await request(options.path ?? '/mcp', {
    method: 'POST',
    headers: mcpHeaders(options.sessionId, options.headers),
    body: JSON.stringify(message),
  });
  if (response.status !== 200) {
    throw new Error(
      `Expected 200 to ${JSON.stringify(message)}, got ${response.status}: ${await response.text()}`,
    );
  }
  return readAnswer(response);
}

/** The text of the first content block of a `tools/call` answer. */
export function toolText(answer: JsonRpcAnswer): string {
  const content = answer.result?.content as { type: string; text?: string }[] | undefined;
  const first = content?.[0];
  if (first?.type !== 'text' || first.text === undefined) {
    throw new Error(`Not a text tool result: ${JSON.stringify(answer)}`);
  }
  return first.text;
}

/** One server-sent event as a client sees it (spec: "Interpreting an event stream"). */
export interface SseEvent {
  id?: string;
  event?: string;
  data: string;
  retry?: number;
}

export interface SseReader {
  /** The next event, or undefined at the end of the stream. Rejects after `timeoutMs` (default 5 s). */
  next(timeoutMs?: number): Promise<SseEvent | undefined>;
  /** The next comment line (without the leading ":"), e.g. a keep-alive. Rejects after `timeoutMs`. */
  nextComment(timeoutMs?: number): Promise<string>;
  /** Stops reading and cancels the body (the client going away). */
  cancel(): Promise<void>;
}

/**
 * Reads an SSE body incrementally. Events are dispatched at a blank line when any field was seen,
 * so a priming event (`id` and empty `data`) and a `retry`-only event show up too.
 */
export function sseReader(response: Response): SseReader {
  if (!response.body) throw new Error(`Response ${response.status} has no body to read as SSE`);
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  const events: SseEvent[] = [];
  const comments: string[] = [];
  let waiters: (() => void)[] = [];
  let ended = false;
  let failure: unknown;
  let buffer = '';
  let current: { id?: string; event?: string; data: string[]; retry?: number } = { data: [] };
  let seen = false;

  const wake = () => {
    const now = waiters;
    waiters = [];
    for (const waiter of now) waiter();
  };

  const line = (text: string) => {
    if (text === '') {
      if (seen) {
        const event: SseEvent = { data: current.data.join('\n') };
        if (current.id !== undefined) event.id = current.id;
        if (current.event !== undefined) event.event = current.event;
        if (current.retry !== undefined) event.retry = current.retry;
        events.push(event);
      }
      current = { data: [] };
      seen = false;
      return;
    }
    if (text.startsWith(':')) {
      comments.push(text.slice(1).trimStart());
      return;
    }
    const colon = text.indexOf(':');
    const field = colon === -1 ? text : text.slice(0, colon);
    let value = colon === -1 ? '' : text.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    seen = true;
    if (field === 'data') current.data.push(value);
    else if (field === 'id') current.id = value;
    else if (field === 'event') current.event = value;
    else if (field === 'retry' && /^\d+$/.test(value)) current.retry = Number(value);
  };

  const pump = async () => {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        const parts = buffer.split(/\r\n|\r|\n/);
        buffer = parts.pop() ?? '';
        for (const part of parts) line(part);
        wake();
      }
    } catch (error) {
      failure = error;
    }
    ended = true;
    wake();
  };
  void pump();

  const waitFor = async <T>(take: () => T | undefined, what: string, timeoutMs: number): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = take();
      if (value !== undefined) return value;
      if (ended) {
        if (failure !== undefined) throw failure;
        throw new EndOfStream();
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(
          `Timed out after ${timeoutMs} ms waiting for ${what} (events so far: ${events.length})`,
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  };

  return {
    async next(timeoutMs = 5000) {
      try {
        return await waitFor(() => events.shift(), 'an SSE event', timeoutMs);
      } catch (error) {
        if (error instanceof EndOfStream) return undefined;
        throw error;
      }
    },
    nextComment(timeoutMs = 5000) {
      return waitFor(() => comments.shift(), 'an SSE comment', timeoutMs);
    },
    async cancel() {
      ended = true;
      wake();
      await reader.cancel().catch(() => undefined);
    },
  };
}

class EndOfStream extends Error {}

/**
 * Reads SSE events until the stream ends or `count` events arrived (then the body is cancelled).
 * Rejects when the next event takes longer than `timeoutMs` (default 5 s).
 */
export async function readSse(
  response: Response,
  options: { count?: number; timeoutMs?: number } = {},
): Promise<SseEvent[]> {
  const reader = sseReader(response);
  const events: SseEvent[] = [];
  for (;;) {
    if (options.count !== undefined && events.length >= options.count) {
      await reader.cancel();
      return events;
    }
    const event = await reader.next(options.timeoutMs);
    if (!event) return events;
    events.push(event);
  }
}

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * A request over `node:http`, for headers the global fetch will not send as given (`Host`).
 * Rejects after `timeoutMs` (default 5 s).
 */
export function rawRequest(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string; timeoutMs?: number } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: options.method ?? 'GET', headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      res.on('error', reject);
    });
    req.setTimeout(options.timeoutMs ?? 5000, () => {
      req.destroy(new Error(`rawRequest to ${url} timed out`));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A node:http host of the test's own that calls the app as `app(req, res, next?)`. */
export interface NodeHost {
  /** The host's base URL. */
  url: string;
  close(): Promise<void>;
}

/**
 * Mounts `app` in a plain node:http server. With `next`, paths the app does not own reach a host
 * route that answers 418 with `nextBody`; without it, the app answers them itself (404).
 */
export async function mountInNodeHost(
  app: HttpApp,
  options: { next?: boolean; nextBody?: string } = {},
): Promise<NodeHost> {
  const host = createServer((req, res) => {
    if (!options.next) return app(req, res);
    app(req, res, () => {
      res.writeHead(418, { 'content-type': 'text/plain' });
      res.end(options.nextBody ?? 'from next');
    });
  });
  await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(host.address() as AddressInfo).port}`,
    async close() {
      await app.close();
      await new Promise<void>((resolve) => {
        host.close(() => resolve());
        host.closeAllConnections();
      });
    },
  };
}
