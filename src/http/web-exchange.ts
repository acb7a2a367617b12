import { type BodyRead, readWebBody } from './body.js';
import type { EventStream, Exchange, ResponseHeaders } from './exchange.js';

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

const encoder = new TextEncoder();
const RESOLVED = Promise.resolve();
/** Queued bytes past which a writer waits for the reader (backpressure), as before the budget. */
const HIGH_WATER_MARK = 64 * 1024;

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

  /**
   * An SSE body as a ReadableStream. A reader that does not pull must not make the app queue without
   * end: a write while more than the budget is queued errors the stream, which drops
   * the queue. Writers waiting for the reader share one promise, settled when it pulls or the
   * stream ends, so none is left pending.
   */
  stream(status: number, headers: ResponseHeaders, _options?: { lazy?: boolean }): EventStream {
    this.started = true;
    const budget = this.streamBudget;
    const highWaterMark = Math.min(HIGH_WATER_MARK, budget);
    let controller!: ReadableStreamDefaultController<Uint8Array>;
    let ended = false;
    let pulled: Promise<void> | undefined;
    let release: (() => void) | undefined;
    const settle = () => {
      const resolve = release;
      if (resolve === undefined) return;
      pulled = undefined;
      release = undefined;
      resolve();
    };
    const onEnd = () => this.closed();
    /** The reader went away (cancel) or fell too far behind (overflow). */
    const finish = () => {
      if (ended) return;
      ended = true;
      settle();
      this.streamGone = true;
      this.controller?.abort();
      this.closed();
    };
    /** Bytes enqueued and not yet pulled: the size strategy counts bytes, so the queue's desired size says. */
    const queued = () => highWaterMark - (controller.desiredSize ?? 0);
    const overflow = () => {
      controller.error(streamOverflow(budget));
      finish();
    };
    const body = new ReadableStream<Uint8Array>(
      {
        start: (c) => {
          controller = c;
        },
        pull: settle,
        cancel: finish,
      },
      { highWaterMark, size: (chunk) => chunk.byteLength },
    );
    this.resolveResponse(new Response(body, { status, headers: this.withExtra(headers) }));
    return {
      write(chunk) {
        if (ended) return RESOLVED;
        // Checked before enqueueing, so one message always fits however large.
        if (queued() > budget) {
          overflow();
          return RESOLVED;
        }
        controller.enqueue(typeof chunk === 'string' ? encoder.encode(chunk) : chunk);
        if ((controller.desiredSize ?? 1) > 0) return RESOLVED;
        // Backpressure: resolves when the reader pulls again, or the stream ends.
        pulled ??= new Promise((resolve) => {
          release = resolve;
        });
        return pulled;
      },
      end(last) {
        if (ended) return;
        if (queued() > budget) {
          overflow();
          return;
        }
        try {
          if (last !== undefined) controller.enqueue(typeof last === 'string' ? encoder.encode(last) : last);
          controller.close();
        } catch {
          // Already closed by a cancel.
        }
        ended = true;
        settle();
        onEnd();
      },
      get closed() {
        return ended;
      },
    };
  }

  onClose(listener: () => void): void {
    this.closeListeners.push(listener);
  }

  private closed(): void {
    for (const listener of this.closeListeners.splice(0)) listener();
  }
}

/** Why an SSE body ended early: what its reader sees, with a stable code and what to do. */
function streamOverflow(budget: number): Error {
  return Object.assign(
    new Error(
      `The server closed this event stream: more than ${budget} bytes were waiting for the client to read them (maxStreamBufferBytes). Read the stream as it arrives; a resumable stream can be resumed with Last-Event-ID.`,
    ),
    { code: 'WHARF_STREAM_OVERFLOW' },
  );
}

/** A Web body from text or bytes; bytes are copied when they sit on a shared buffer. */
function toBody(body: string | Uint8Array | undefined): string | Uint8Array<ArrayBuffer> | null {
  if (body === undefined) return null;
  if (typeof body === 'string' || body.buffer instanceof ArrayBuffer)
    return body as string | Uint8Array<ArrayBuffer>;
  return new Uint8Array(body);
}
