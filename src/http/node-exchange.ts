import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BodyResult, BytesResult, EventStream, Exchange, ResponseHeaders } from './exchange.js';

/**
 * The Node binding of the exchange seam: reads and writes IncomingMessage/ServerResponse directly.
 * No Web Request/Response/Headers/streams are built here (DESIGN.md: that bridge is a quarter of the
 * official SDK's CPU per call).
 */
export class NodeExchange implements Exchange {
  readonly method: string;
  readonly path: string;
  readonly query: string;
  auth?: unknown;
  private controller: AbortController | undefined;
  private started = false;

  constructor(
    readonly raw: IncomingMessage,
    private readonly res: ServerResponse,
    readonly basePath: string,
    stripBasePath = false,
  ) {
    this.method = raw.method ?? 'GET';
    const url = raw.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    this.path =
      stripBasePath && basePath && path.startsWith(basePath) ? path.slice(basePath.length) || '/' : path;
    this.query = q === -1 ? '' : url.slice(q + 1);
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

  readBody(limit: number): Promise<BodyResult> {
    const req = this.raw as IncomingMessage & { body?: unknown };
    // A host body parser (express.json(), a Koa/Fastify parser) may have consumed the stream already.
    // Only a stream that was read to its end counts: Express 4 sets `req.body = {}` even when its
    // parser skipped the request, and then the bytes are still waiting in the stream.
    if (req.body !== undefined && req.readableEnded) {
      const body = req.body;
      if (typeof body === 'string') return Promise.resolve({ ok: true, text: body });
      if (body instanceof Uint8Array)
        return Promise.resolve({ ok: true, text: Buffer.from(body).toString('utf8') });
      return Promise.resolve({ ok: true, parsed: body });
    }
    return this.readBytes(limit).then((result) =>
      result.ok
        ? {
            ok: true,
            text: Buffer.from(result.bytes.buffer, result.bytes.byteOffset, result.bytes.byteLength).toString(
              'utf8',
            ),
          }
        : result,
    );
  }

  readBytes(limit: number): Promise<BytesResult> {
    const req = this.raw;
    const declared = Number(req.headers['content-length']);
    if (declared > limit) return Promise.resolve({ ok: false, reason: 'too-large' });
    return new Promise((resolve) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const onData = (chunk: Buffer) => {
        size += chunk.length;
        if (size > limit) {
          cleanup();
          resolve({ ok: false, reason: 'too-large' });
          return;
        }
        chunks.push(chunk);
      };
      const onEnd = () => {
        cleanup();
        resolve({ ok: true, bytes: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks) });
      };
      const onAbort = () => {
        cleanup();
        resolve({ ok: false, reason: 'aborted' });
      };
      const cleanup = () => {
        req.off('data', onData);
        req.off('end', onEnd);
        req.off('error', onAbort);
        req.off('aborted', onAbort);
      };
      req.on('data', onData);
      req.on('end', onEnd);
      req.on('error', onAbort);
      req.on('aborted', onAbort);
    });
  }

  respond(status: number, headers: ResponseHeaders, body?: string | Uint8Array): void {
    if (this.started) return;
    this.started = true;
    this.res.writeHead(status, headers);
    this.res.end(body);
  }

  stream(status: number, headers: ResponseHeaders, options?: { lazy?: boolean }): EventStream {
    this.started = true;
    this.res.writeHead(status, headers);
    if (!options?.lazy) this.res.flushHeaders();
    return new NodeEventStream(this.res);
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

/** An SSE response on a ServerResponse; a class, so a stream costs one small object. */
class NodeEventStream implements EventStream {
  private ended = false;

  constructor(private readonly res: ServerResponse & { flush?: () => void }) {}

  write(chunk: string | Uint8Array): Promise<void> {
    const res = this.res;
    if (this.ended || res.destroyed) return RESOLVED;
    const accepted = res.write(chunk);
    // Compression middleware (Express `compression`) buffers until flushed; SSE must not wait.
    res.flush?.();
    if (accepted) return RESOLVED;
    // Backpressure: wait until the socket drains (or closes) before accepting more.
    return new Promise((resolve) => {
      const done = () => {
        res.off('drain', done);
        res.off('close', done);
        resolve();
      };
      res.on('drain', done);
      res.on('close', done);
    });
  }

  end(last?: string | Uint8Array): void {
    if (this.ended) return;
    this.ended = true;
    if (last === undefined || this.res.destroyed) this.res.end();
    else this.res.end(last);
  }

  get closed(): boolean {
    return this.ended || this.res.destroyed || this.res.writableEnded;
  }
}
