import type { ServerResponse } from 'node:http';
import type { EventStream, ResponseHeaders } from './exchange.js';

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
export class NodeEventStream implements EventStream {
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
