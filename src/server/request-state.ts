import { toBase64 } from '../protocol/base64.js';
import { McpError, WharfError, WharfErrorCode } from '../protocol/errors.js';
import { ErrorCode } from '../protocol/jsonrpc.js';

/** How `requestState` (multi round-trip, 2026-07-28) is signed and bounded: `ServerOptions.requestState`. */
export interface RequestStateOptions {
  /**
   * The HMAC secret(s), at least 32 bytes each. Default: 32 random bytes per process, which is right
   * for one instance only: several instances behind a load balancer must share a secret, or a retry
   * that reaches another instance is refused. An array rotates keys: the first signs, all verify.
   */
  secret?: string | Uint8Array | Array<string | Uint8Array>;
  /** How long a state stays valid after it was issued. Default 600 000 ms (10 minutes). */
  ttlMs?: number;
  /** The largest state issued or accepted, in bytes of its text. Default 65 536. */
  maxBytes?: number;
}

/** What a state is bound to: a retry must be the same request, by the same principal. */
export interface StateBinding {
  readonly method: string;
  /** The tool or prompt name, or the resource URI. */
  readonly target: string;
  /** SHA-256 of the canonical JSON of the arguments (`digestOf`). */
  readonly digest: string;
  readonly principal: string | undefined;
}

/** What a state carries from one round to the next. */
export interface StateContents {
  /** Every answer the handler used so far, by key (all rounds: clients resend only the newest). */
  readonly answers: Record<string, unknown>;
  /** `ctx.once` values, each as `{ v: value }` so that `undefined` survives JSON. */
  readonly once: Record<string, unknown>;
}

interface Payload {
  v: 1;
  m: string;
  t: string;
  d: string;
  p: string | null;
  e: number;
  /** A nonce: two rounds never issue the same state, even with the same answers in the same millisecond. */
  n: string;
  r: Record<string, unknown>;
  o: Record<string, unknown>;
}

/** WebCrypto's key type, named without the DOM library (this code runs on every runtime). */
type HmacKey = Awaited<ReturnType<typeof globalThis.crypto.subtle.importKey>>;

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const RESTART = 'Start the request again without requestState and inputResponses.';

/** Signs and verifies `requestState` with HMAC-SHA-256 (WebCrypto: every runtime has it). */
export class RequestStateSigner {
  private keys: Promise<HmacKey[]> | undefined;

  constructor(
    private readonly secrets: readonly Uint8Array[],
    readonly ttlMs: number,
    readonly maxBytes: number,
  ) {}

  /** base64url(payload JSON) "." base64url(HMAC): opaque to the client, tamper-evident to us. */
  async seal(binding: StateBinding, contents: StateContents): Promise<string> {
    const payload: Payload = {
      v: 1,
      m: binding.method,
      t: binding.target,
      d: binding.digest,
      p: binding.principal ?? null,
      e: Date.now() + this.ttlMs,
      n: toBase64Url(globalThis.crypto.getRandomValues(new Uint8Array(9))),
      r: contents.answers,
      o: contents.once,
    };
    const body = toBase64Url(encoder.encode(JSON.stringify(payload)));
    const [signing] = await this.importKeys();
    const signature = await globalThis.crypto.subtle.sign('HMAC', signing!, encoder.encode(body));
    const state = `${body}.${toBase64Url(new Uint8Array(signature))}`;
    if (state.length > this.maxBytes) {
      // The server's limit, not the client's mistake: say which knob to turn.
      throw new McpError(
        ErrorCode.InternalError,
        `The requestState of this ${binding.method} would be ${state.length} bytes, over the server's limit of ${this.maxBytes}: its answers and ctx.once values are too large. The operator can raise requestState.maxBytes, or the handler can keep less in ctx.once.`,
      );
    }
    return state;
  }

  /** Verifies a state the client echoed: signature, expiry, then binding. Every failure is -32602. */
  async open(state: unknown, binding: StateBinding): Promise<StateContents> {
    if (typeof state !== 'string') {
      throw McpError.invalidParams(
        `requestState must be the string the server sent in its input_required result, echoed unchanged. ${RESTART}`,
      );
    }
    const dot = state.indexOf('.');
    const body = state.slice(0, dot);
    const signature =
      dot > 0 && state.length <= this.maxBytes ? fromBase64Url(state.slice(dot + 1)) : undefined;
    if (!signature || !(await this.verify(body, signature))) {
      throw McpError.invalidParams(
        `requestState integrity check failed: it was changed, or not issued by this server. ${RESTART}`,
      );
    }
    const payload = JSON.parse(decoder.decode(fromBase64Url(body))) as Payload;
    if (Date.now() > payload.e) {
      throw McpError.invalidParams(`requestState expired (it is valid for ${this.ttlMs} ms). ${RESTART}`);
    }
    if (
      payload.v !== 1 ||
      payload.m !== binding.method ||
      payload.t !== binding.target ||
      payload.d !== binding.digest ||
      payload.p !== (binding.principal ?? null)
    ) {
      throw McpError.invalidParams(
        `requestState was issued for another request (another ${what(binding.method)}, other arguments or another user); send it only with the request that received it. ${RESTART}`,
      );
    }
    return { answers: payload.r, once: payload.o };
  }

  private async verify(body: string, signature: Uint8Array): Promise<boolean> {
    const data = encoder.encode(body);
    for (const key of await this.importKeys()) {
      // subtle.verify compares in constant time.
      if (await globalThis.crypto.subtle.verify('HMAC', key, signature, data)) return true;
    }
    return false;
  }

  /** Imported once, on first use: the constructor stays synchronous and servers that never ask pay nothing. */
  private importKeys(): Promise<HmacKey[]> {
    this.keys ??= Promise.all(
      this.secrets.map((secret) =>
        globalThis.crypto.subtle.importKey('raw', secret, { name: 'HMAC', hash: 'SHA-256' }, false, [
          'sign',
          'verify',
        ]),
      ),
    );
    return this.keys;
  }
}

/** Validates `ServerOptions.requestState` at construction, so a short secret fails at start-up. */
export function createRequestStateSigner(options: RequestStateOptions = {}): RequestStateSigner {
  const given = options.secret;
  const list = given === undefined ? [] : Array.isArray(given) ? given : [given];
  const secrets = list.map((secret) => (typeof secret === 'string' ? encoder.encode(secret) : secret));
  if (given !== undefined && secrets.length === 0) {
    throw new WharfError(
      WharfErrorCode.InvalidOption,
      'Option "requestState.secret" is an empty array: give at least one secret, or leave it out for a random one.',
    );
  }
  for (const secret of secrets) {
    if (!(secret instanceof Uint8Array) || secret.byteLength < 32) {
      throw new WharfError(
        WharfErrorCode.InvalidOption,
        'Option "requestState.secret" must be at least 32 bytes (a string or Uint8Array), e.g. 32 random bytes shared by every instance.',
      );
    }
  }
  if (secrets.length === 0) secrets.push(globalThis.crypto.getRandomValues(new Uint8Array(32)));
  return new RequestStateSigner(
    secrets,
    positive('ttlMs', options.ttlMs, 600_000),
    positive('maxBytes', options.maxBytes, 65_536),
  );
}

/** SHA-256 (base64url) of the canonical JSON of `value`: keys sorted, so key order cannot matter. */
export async function digestOf(value: unknown): Promise<string> {
  const text = JSON.stringify(canonical(value)) ?? 'null';
  return toBase64Url(new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', encoder.encode(text))));
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value !== 'object' || value === null) return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort())
    sorted[key] = canonical((value as Record<string, unknown>)[key]);
  return sorted;
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) {
    throw new WharfError(
      WharfErrorCode.InvalidOption,
      `Option "requestState.${name}" must be a positive number (got ${value}).`,
    );
  }
  return value;
}

function what(method: string): string {
  return method === 'resources/read' ? 'resource' : method === 'prompts/get' ? 'prompt' : 'tool';
}

function toBase64Url(bytes: Uint8Array): string {
  return toBase64(bytes).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Decodes base64url, or undefined for anything that is not (a tampered state must not throw). */
function fromBase64Url(text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return undefined;
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
