import type { IncomingMessage, ServerResponse } from 'node:http';
import { type BodyRead, readNodeBody } from './body.js';
import type { EventStream, Exchange, ResponseHeaders } from './exchange.js';
import { NodeEventStream } from './node-event-stream.js';

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
