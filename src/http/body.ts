import { isUtf8 } from 'node:buffer';
import type { IncomingMessage } from 'node:http';

const encoder = new TextEncoder();
// Fatal: JSON is UTF-8 (RFC 8259, 8.1), and bytes that are not must fail as a parse error rather
// than be read with replacement characters and answered as if the client had sent those.
const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Past the limit, how many more bytes of a refused body are read and dropped before the 413 goes
 * out. A server that closes a connection with unread bytes in it makes the client's TCP stack
 * reset it, and a client still sending loses the 413 it never read (EPIPE, ECONNRESET); reading to
 * the end (within this bound) lets the refusal arrive. Beyond it, the 413 goes out at once.
 */
const DISCARD_BYTES = 16 * 1024 * 1024;

/** Why a request body could not be had. */
export type BodyFailure =
  /** Over the app's `maxBodyBytes` (said by `Content-Length`, or found while reading). */
  | 'too-large'
  /** The client went away while sending it. */
  | 'aborted'
  /** Something before the app read the stream and kept nothing the app was given. */
  | 'consumed';

export type BodyRead = { ok: true; body: RequestBody } | { ok: false; reason: BodyFailure };

/**
 * A request body, read once. It holds what was read (bytes), or what a host gave instead (the text,
 * or only the value its JSON parser produced), and derives the other forms on demand, once each.
 * Bytes derived from a parsed value are its JSON re-serialized: the original bytes are gone.
 */
export class RequestBody {
  private cachedBytes: Uint8Array | undefined;
  private cachedText: string | undefined;
  private parsed: { value: unknown } | undefined;

  private constructor(private readonly decode: (bytes: Uint8Array) => string) {}

  static empty(): RequestBody {
    return RequestBody.fromBytes(new Uint8Array(0));
  }

  static fromBytes(bytes: Uint8Array, decode: (bytes: Uint8Array) => string = decodeUtf8): RequestBody {
    const body = new RequestBody(decode);
    body.cachedBytes = bytes;
    return body;
  }

  /**
   * What a host read or parsed: text or bytes as they are, anything else as the value of the JSON
   * body (what `express.json()`, Fastify's parser or a Koa body parser leave behind).
   */
  static fromHost(value: unknown, decode: (bytes: Uint8Array) => string = decodeUtf8): RequestBody {
    if (value instanceof Uint8Array) return RequestBody.fromBytes(value, decode);
    if (value instanceof ArrayBuffer) return RequestBody.fromBytes(new Uint8Array(value), decode);
    const body = new RequestBody(decode);
    if (typeof value === 'string') body.cachedText = value;
    else body.parsed = { value };
    return body;
  }

  /** The body's bytes. */
  bytes(): Uint8Array {
    this.cachedBytes ??= encoder.encode(this.text());
    return this.cachedBytes;
  }

  /** The body as UTF-8 text. Throws a TypeError when its bytes are not UTF-8. */
  text(): string {
    if (this.cachedText === undefined) {
      this.cachedText = this.cachedBytes
        ? this.decode(this.cachedBytes)
        : (JSON.stringify(this.parsed?.value) ?? '');
    }
    return this.cachedText;
  }

  /**
   * The body as JSON: the host's parsed value when there is one. Throws a SyntaxError for bad JSON,
   * a TypeError for bytes that are not UTF-8.
   */
  json(): unknown {
    this.parsed ??= { value: JSON.parse(this.text()) };
    return this.parsed.value;
  }
}

function decodeUtf8(bytes: Uint8Array): string {
  try {
    return decoder.decode(bytes);
  } catch {
    throw notUtf8();
  }
}

function notUtf8(): TypeError {
  return new TypeError('its bytes are not valid UTF-8');
}

const TOO_LARGE: BodyRead = { ok: false, reason: 'too-large' };
const CONSUMED: BodyRead = { ok: false, reason: 'consumed' };

/**
 * The Node binding's one read of a request body: what a host kept, when its parser read the stream
 * to its end, else the stream itself, up to `limit` bytes. A longer body is still read to its end
 * (up to `DISCARD_BYTES` more) and dropped, so the client is done sending when the 413 comes.
 */
export function readNodeBody(req: IncomingMessage, limit: number, hostBody: unknown): Promise<BodyRead> {
  if (!hasBody(req)) return Promise.resolve({ ok: true, body: RequestBody.empty() });
  // A host body parser (express.json(), Fastify's, a Koa parser) may have read the stream already.
  // Only a stream read to its end counts: Express 4 sets `req.body = {}` even when its parser
  // skipped the request, and then the bytes are still waiting in the stream. `req.body` is where
  // Express-style hosts keep it when the app is mounted without an adapter.
  if (req.readableEnded) {
    const kept = hostBody ?? (req as { body?: unknown }).body;
    return Promise.resolve(
      kept === undefined ? CONSUMED : { ok: true, body: RequestBody.fromHost(kept, decodeBuffer) },
    );
  }
  if (Number(req.headers['content-length']) > limit + DISCARD_BYTES) return Promise.resolve(TOO_LARGE);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else if (size > limit + DISCARD_BYTES) {
        cleanup();
        resolve(TOO_LARGE);
      } else chunks.length = 0;
    };
    const onEnd = () => {
      cleanup();
      if (size > limit) {
        resolve(TOO_LARGE);
        return;
      }
      const bytes = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
      resolve({ ok: true, body: RequestBody.fromBytes(bytes, decodeBuffer) });
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

/** Does the request carry a body? Only Transfer-Encoding or a non-zero Content-Length says so (RFC 9112, 6.3). */
function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/**
 * Node's own UTF-8 decoding, checked first (`isUtf8` is one native pass): together faster than a
 * fatal TextDecoder on the small bodies MCP sends.
 */
function decodeBuffer(bytes: Uint8Array): string {
  if (!isUtf8(bytes)) throw notUtf8();
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}

/**
 * The fetch binding's one read of a request body: what the host gave, else the stream, up to `limit`
 * bytes; a longer one is read to its end (up to `DISCARD_BYTES` more) and dropped, as on Node.
 */
export async function readWebBody(request: Request, limit: number, hostBody: unknown): Promise<BodyRead> {
  if (hostBody !== undefined) return { ok: true, body: RequestBody.fromHost(hostBody) };
  if (!request.body) return { ok: true, body: RequestBody.empty() };
  if (request.bodyUsed) return CONSUMED;
  if (Number(request.headers.get('content-length')) > limit + DISCARD_BYTES) return TOO_LARGE;
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size <= limit) chunks.push(value);
      else if (size > limit + DISCARD_BYTES) {
        void reader.cancel();
        return TOO_LARGE;
      } else chunks.length = 0;
    }
  } catch {
    return { ok: false, reason: 'aborted' };
  }
  if (size > limit) return TOO_LARGE;
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { ok: true, body: RequestBody.fromBytes(bytes) };
}
