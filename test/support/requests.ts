/**
 * MCP over HTTP by hand, for tests that check the wire rather than drive a client library: an
 * `initialize` POST, a JSON-RPC answer read from a JSON or SSE response, a raw `node:http` request
 * for headers the global fetch refuses to set (`Host`), and a middleware that reports what the app
 * saw of each request (its connection closing, its handling done), so a test waits for those
 * instead of sleeping.
 *
 * @example
 * ```ts
 * const { sessionId } = await initialize(served.request);
 * const answer = await rpc(served.request, { jsonrpc: '2.0', id: 2, method: 'tools/list' }, { sessionId });
 * ```
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { Middleware } from 'wharf-mcp';
import { deferred, textOf, WAIT_MS, withTimeout } from './common.js';
import { readSse } from './sse.js';

/** Sends one request to the app under test; `path` is relative to the app ("/mcp"). */
export type RequestFn = (path: string, init?: RequestInit) => Promise<Response>;

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
export async function readAnswer(response: Response, timeoutMs = WAIT_MS): Promise<JsonRpcAnswer> {
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
  try {
    return textOf(answer.result);
  } catch {
    throw new Error(`Not a text tool result: ${JSON.stringify(answer)}`);
  }
}

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * A request over `node:http`, for headers the global fetch will not send as given (`Host`).
 * Rejects after `timeoutMs` (default `WAIT_MS`).
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
    req.setTimeout(options.timeoutMs ?? WAIT_MS, () => {
      req.destroy(new Error(`rawRequest to ${url} timed out`));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** One request as an app's middleware saw it (see `watchRequests`). */
export interface WatchedRequest {
  readonly method: string;
  readonly path: string;
  readonly sessionId: string | undefined;
  readonly lastEventId: string | undefined;
  /** Settles once the app saw the connection close: the client went away, or the response ended. */
  readonly closed: Promise<void>;
  /** Settles once the app is done with the request (for an SSE answer: after its last event). */
  readonly handled: Promise<void>;
}

export interface RequestWatch {
  /** Put it first in the app's `middleware`, so it sees every request. */
  readonly middleware: Middleware;
  /** Every request so far, in arrival order. */
  readonly requests: readonly WatchedRequest[];
  /** The latest request seen so far that `match` accepts; throws when there is none. */
  latest(match: (request: WatchedRequest) => boolean): WatchedRequest;
  /** The first request, seen already or still to come, that `match` accepts (bounded by `ms`). */
  waitFor(match: (request: WatchedRequest) => boolean, what: string, ms?: number): Promise<WatchedRequest>;
}

/**
 * A middleware that records each request the app gets, with promises for its end as the app sees
 * it: a test waits for the app to notice a client that went away (`closed`), or for an answer to
 * be complete and stored (`handled`), instead of sleeping and hoping.
 *
 * @example
 * ```ts
 * const watch = watchRequests();
 * const served = await serve(server.httpApp({ middleware: [watch.middleware] }), binding);
 * controller.abort();
 * await withTimeout(watch.latest((r) => r.method === 'POST').closed, 'the app to see the client go');
 * ```
 */
export function watchRequests(): RequestWatch {
  const requests: WatchedRequest[] = [];
  const waiters: { match: (request: WatchedRequest) => boolean; found: (request: WatchedRequest) => void }[] =
    [];
  const middleware: Middleware = async (request, next) => {
    const closed = deferred();
    const handled = deferred();
    request.onClose(() => closed.resolve());
    const watched: WatchedRequest = {
      method: request.method,
      path: request.path,
      sessionId: request.header('mcp-session-id'),
      lastEventId: request.header('last-event-id'),
      closed: closed.promise,
      handled: handled.promise,
    };
    requests.push(watched);
    for (const waiter of [...waiters]) {
      if (waiter.match(watched)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.found(watched);
      }
    }
    try {
      await next();
    } finally {
      handled.resolve();
    }
  };
  return {
    middleware,
    requests,
    latest(match) {
      const found = requests.findLast(match);
      if (!found) throw new Error(`No such request yet; the app saw: ${JSON.stringify(requests)}`);
      return found;
    },
    waitFor(match, what, ms) {
      const seen = requests.find(match);
      if (seen) return Promise.resolve(seen);
      const found = deferred<WatchedRequest>();
      waiters.push({ match, found: found.resolve });
      return withTimeout(found.promise, what, ms);
    },
  };
}
