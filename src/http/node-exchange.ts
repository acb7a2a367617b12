import type { IncomingMessage, ServerResponse } from 'node:http';
import { type BodyRead, readNodeBody } from './body.js';
import type { EventStream, Exchange, ResponseHeaders } from './exchange.js';

/** How the app hands a Node request to its exchange. */
export interface NodeExchangeOptions {
  /** The mount prefix ("" at the root). */
  basePath: string;
  /** `req.url` still starts with `basePath`, and the exchange's path is what follows it. */
  stripBasePath: boolean;
  /** The largest body read, in bytes. */
  maxBodyBytes: number;
  /** What a host's body parser read or parsed, used once the stream has ended. */
  body: unknown;
  /** Bytes an SSE stream may leave unsent: a write while more is unsent closes the stream. */
  maxStreamBufferBytes: number;
}

/**
 * The Node binding of the exchange seam: reads and writes IncomingMessage/ServerResponse directly.
 * No Web Request/Response/Headers/streams are built here (DESIGN.md: that bridge is a quarter of the
 * official SDK's CPU per call).
 */
export class NodeExchange implements Exchange {
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly basePath: string;
  auth?: unknown;
  private controller: AbortController | undefined;
  private started = false;
  private readonly limit: number;
  private readonly hostBody: unknown;
  private readonly streamBudget: number;
  private bodyRead: Promise<BodyRead> | undefined;

  constructor(
    readonly raw: IncomingMessage,
    private readonly res: ServerResponse,
    options: NodeExchangeOptions,
  ) {
    const basePath = options.basePath;
    this.basePath = basePath;
    this.limit = options.maxBodyBytes;
    this.hostBody = options.body;
    this.streamBudget = options.maxStreamBufferBytes;
    this.method = raw.method ?? 'GET';
    const url = raw.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    this.path =
      options.stripBasePath && basePath && path.startsWith(basePath)
        ? path.slice(basePath.length) || '/'
        : path;
    this.query = q === -1 ? '' : url.slice(q + 1);
  }

  get remoteAddress(): string | undefined {
    return this.raw.socket.remoteAddress;
  }

  get loopback(): boolean {
    return isLoopbackAddress(this.raw.socket.localAddress);
  }

  setHeader(name: string, value: string): void {
    this.res.setHeader(name, value);
  }

  header(name: string): string | undefined {
    const value = this.raw.headers[name];
    return Array.isArray(value) ? value.join(', ') : value;
  }

  get signal(): AbortSignal {
    if (!this.controller) {
      const controller = new AbortController();
      this.controller = controller;
      if (this.res.destroyed && !this.res.writableFinished) controller.abort();
      else this.res.once('close', () => !this.res.writableFinished && controller.abort());
    }
    return this.controller.signal;
  }

  get answered(): boolean {
    return this.started;
  }

  body(): Promise<BodyRead> {
    this.bodyRead ??= readNodeBody(this.raw, this.limit, this.hostBody);
    return this.bodyRead;
  }

  respond(status: number, headers: ResponseHeaders, body?: string | Uint8Array): void {
    if (this.started) return;
    this.started = true;
    // No Content-Length here: measured (bench, paired rounds) the copy and byte count cost more than
    // Node's chunked framing of one small body saves. SSE answers differ (see NodeEventStream.end).
    this.res.writeHead(status, headers);
    this.res.end(body);
  }

  stream(status: number, headers: ResponseHeaders, options?: { lazy?: boolean }): EventStream {
    this.started = true;
    if (options?.lazy) return new NodeEventStream(this.res, status, headers, this.streamBudget);
    this.res.writeHead(status, headers);
    this.res.flushHeaders();
    return new NodeEventStream(this.res, 0, undefined, this.streamBudget);
  }

  /** Runs `listener` when the client goes away or the response ends. */
  onClose(listener: () => void): void {
    this.res.once('close', listener);
  }
}

function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

const RESOLVED = Promise.resolve();

/** The headers plus the body's Content-Length (a copy: callers may pass shared header objects). */
function withLength(headers: ResponseHeaders, body: string | Uint8Array | undefined): ResponseHeaders {
  const length =
    body === undefined ? 0 : typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
  // Object.assign, not `{ ...headers, key }`: on Node 20 a spread followed by a property takes V8's
  // slow path (about a microsecond, measured), and this runs for every JSON answer.
  return Object.assign({}, headers, { 'content-length': String(length) });
}

/**
 * An SSE response on a ServerResponse; a class, so a stream costs one small object. A lazy stream
 * keeps its status and headers until the first write; one that ends before any write (a POST
 * answered by a single event) is sent whole, with a Content-Length, in one write.
 *
 * A client that does not read must not make the server queue without end: a write while
 * more than `budget` bytes are still unsent destroys the connection, which frees what it buffered.
 * Writers that wait for 'drain' share one promise, so a full socket costs two listeners, not two per
 * queued write (removing thousands of those one by one, when the socket closed, froze the server).
 */
class NodeEventStream implements EventStream {
  private ended = false;
  /** While the socket is full: the one promise every waiting writer holds, and what settles it. */
  private drained: Promise<void> | undefined;
  private release: (() => void) | undefined;
  private listening = false;

  constructor(
    private readonly res: ServerResponse & { flush?: () => void },
    private readonly status: number,
    private headers: ResponseHeaders | undefined,
    private readonly budget: number,
  ) {}

  /** Sends the held status and headers (lazy streams), once. */
  private start(headers: ResponseHeaders | undefined = this.headers): void {
    if (headers === undefined) return;
    this.headers = undefined;
    this.res.writeHead(this.status, headers);
  }

  write(chunk: string | Uint8Array): Promise<void> {
    const res = this.res;
    if (this.ended || res.destroyed) return RESOLVED;
    this.start();
    // Checked before writing, so one message always fits however large. `writableLength` counts
    // what the response and its socket still hold.
    if (res.writableLength > this.budget) return this.overflow();
    const accepted = res.write(chunk);
    // Compression middleware (Express `compression`) buffers until flushed; SSE must not wait.
    res.flush?.();
    if (accepted) return RESOLVED;
    // Backpressure: resolves once the socket drains, or the stream closes or ends.
    return this.drained ?? this.waitForDrain();
  }

  private waitForDrain(): Promise<void> {
    if (!this.listening) {
      // Registered once for the stream's life: no listener is added or removed per write.
      this.listening = true;
      const settle = () => this.settle();
      this.res.on('drain', settle);
      this.res.on('close', settle);
    }
    this.drained = new Promise((resolve) => {
      this.release = resolve;
    });
    return this.drained;
  }

  private settle(): void {
    const release = this.release;
    if (release === undefined) return;
    this.drained = undefined;
    this.release = undefined;
    release();
  }

  /** Too much unsent: the client is not reading. Dropping the connection frees its buffer. */
  private overflow(): Promise<void> {
    this.ended = true;
    this.res.destroy();
    this.settle();
    return RESOLVED;
  }

  end(last?: string | Uint8Array): void {
    if (this.ended) return;
    this.ended = true;
    this.settle();
    const res = this.res;
    // Nothing written yet: the whole response is known. Sent with a Content-Length, a one-event SSE
    // answer measured cheaper than chunked (in writeHead's object: a header set with setHeader()
    // beforehand sends writeHead down Node's slower merging path).
    if (this.headers !== undefined) this.start(withLength(this.headers, last));
    else if (res.writableLength > this.budget) {
      // The last write obeys the budget too: a client not reading would otherwise hold it open.
      res.destroy();
      return;
    }
    if (last === undefined || res.destroyed) res.end();
    else res.end(last);
  }

  get closed(): boolean {
    return this.ended || this.res.destroyed || this.res.writableEnded;
  }
}
