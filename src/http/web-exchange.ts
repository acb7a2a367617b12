import { type BodyRead, readWebBody } from './body.js';
import type { EventStream, Exchange, ResponseHeaders } from './exchange.js';
import { webEventStream } from './web-event-stream.js';

/** How the app hands a Web request to its exchange. */
export interface WebExchangeOptions {
  /** The mount prefix ("" at the root). */
  basePath: string;
  /** The URL's path starts with `basePath`, and the exchange's path is what follows it. */
  stripBasePath: boolean;
  /** The largest body read, in bytes. */
  maxBodyBytes: number;
  /** What the host already read or parsed (Hono keeps a copy when its middleware read the body). */
  body: unknown;
  /** Bytes an SSE stream may hold unread: a write while more are queued closes the stream. */
  maxStreamBufferBytes: number;
}

/**
 * The fetch binding of the exchange seam, for Bun, Deno, Workers and Hono: a Web `Request` in, a
 * `Response` out (resolved as soon as the app responds or starts a stream).
 */
export class WebExchange implements Exchange {
  readonly method: string;
  readonly path: string;
  readonly query: string;
  private readonly host: string;
  auth?: unknown;
  readonly response: Promise<Response>;
  private resolveResponse!: (response: Response) => void;
  private controller: AbortController | undefined;
  private started = false;
  private readonly closeListeners: (() => void)[] = [];
  readonly basePath: string;
  private readonly limit: number;
  private readonly hostBody: unknown;
  private readonly streamBudget: number;
  /** The SSE body's reader went away or fell too far behind (as the socket closing is on Node). */
  private streamGone = false;
  private bodyRead: Promise<BodyRead> | undefined;

  constructor(
    readonly raw: Request,
    options: WebExchangeOptions,
  ) {
    const basePath = options.basePath;
    this.basePath = basePath;
    this.limit = options.maxBodyBytes;
    this.hostBody = options.body;
    this.streamBudget = options.maxStreamBufferBytes;
    this.method = raw.method;
    const url = new URL(raw.url);
    this.path =
      options.stripBasePath && basePath && url.pathname.startsWith(basePath)
        ? url.pathname.slice(basePath.length) || '/'
        : url.pathname;
    this.query = url.search.slice(1);
    this.host = url.host;
    this.response = new Promise((resolve) => {
      this.resolveResponse = resolve;
    });
  }

  /** A fetch runtime does not say which address the connection arrived on, nor from. */
  readonly loopback = undefined;
  readonly remoteAddress = undefined;
  private extraHeaders: Record<string, string> | undefined;

  setHeader(name: string, value: string): void {
    this.extraHeaders ??= {};
    this.extraHeaders[name.toLowerCase()] = value;
  }

  private withExtra(headers: ResponseHeaders): [string, string][] {
    const pairs: [string, string][] = [];
    for (const source of this.extraHeaders ? [this.extraHeaders, headers] : [headers]) {
      for (const [name, value] of Object.entries(source)) {
        if (Array.isArray(value)) for (const one of value) pairs.push([name, one]);
        else pairs.push([name, value]);
      }
    }
    return pairs;
  }

  header(name: string): string | undefined {
    const value = this.raw.headers.get(name);
    // A Request built in code has no Host header; its URL says which host it was meant for.
    if (value === null && name === 'host') return this.host;
    return value ?? undefined;
  }

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      const outer = this.raw.signal;
      if (outer.aborted || this.streamGone) this.controller.abort();
      else outer.addEventListener('abort', () => this.controller?.abort(), { once: true });
    }
    return this.controller.signal;
  }

  get answered(): boolean {
    return this.started;
  }

  body(): Promise<BodyRead> {
    this.bodyRead ??= readWebBody(this.raw, this.limit, this.hostBody);
    return this.bodyRead;
  }

  respond(status: number, headers: ResponseHeaders, body?: string | Uint8Array): void {
    if (this.started) return;
    this.started = true;
    this.resolveResponse(
      new Response(status === 204 || status === 304 ? null : toBody(body), {
        status,
        headers: this.withExtra(headers),
      }),
    );
    this.closed();
  }

  /** An SSE body as a ReadableStream with a byte budget (see `webEventStream`). */
  stream(status: number, headers: ResponseHeaders, _options?: { lazy?: boolean }): EventStream {
    this.started = true;
    const { body, stream } = webEventStream(this.streamBudget, {
      gone: () => {
        this.streamGone = true;
        this.controller?.abort();
        this.closed();
      },
      ended: () => this.closed(),
    });
    this.resolveResponse(new Response(body, { status, headers: this.withExtra(headers) }));
    return stream;
  }

  onClose(listener: () => void): void {
    this.closeListeners.push(listener);
  }

  private closed(): void {
    for (const listener of this.closeListeners.splice(0)) listener();
  }
}

/** A Web body from text or bytes; bytes are copied when they sit on a shared buffer. */
function toBody(body: string | Uint8Array | undefined): string | Uint8Array<ArrayBuffer> | null {
  if (body === undefined) return null;
  if (typeof body === 'string' || body.buffer instanceof ArrayBuffer)
    return body as string | Uint8Array<ArrayBuffer>;
  return new Uint8Array(body);
}
