import type { McpError } from '../../protocol/errors.js';
import type { BaseMcpServer } from '../../server/base-server.js';
import type { ServerSession } from '../../server/session.js';
import type { Exchange } from '../exchange.js';
import { HttpRefusal, refuse } from '../refusals.js';
import { isEvictable, requeue, takeEvictable } from './eviction.js';
import type { SseChannel } from './sse.js';

/** An HTTP session: the MCP session plus the streams that carry its messages. */
export interface HttpSession {
  readonly id: string;
  readonly session: ServerSession;
  readonly kind: 'streamable' | 'legacy';
  lastSeen: number;
  /** Requests being answered right now; a busy session never expires. */
  busy: number;
  /** Where messages unrelated to a request go: the GET stream (Streamable HTTP) or the SSE stream (legacy). */
  sessionStream: SseChannel | undefined;
  /** Who opened it (`principalOf(auth)`; undefined when anonymous): the only one who may use it. */
  readonly principal: string | undefined;
  /** The sessions it is counted with for `maxSessionsPerPrincipal`; undefined when none applies. */
  readonly owner: OwnerSessions | undefined;
}

/** The sessions of one principal (or one anonymous client address). */
interface OwnerSessions {
  readonly key: string;
  count: number;
  /** Its sessions that were evictable when last seen, longest-idle first (see `HttpSessions.idle`). */
  readonly idle: Map<string, HttpSession>;
}

export interface SessionLimits {
  idleMs: number;
  maxSessions: number;
  maxSessionsPerPrincipal: number;
}

/**
 * The HTTP sessions of one app, shared by Streamable HTTP and legacy SSE: the caps, eviction, idle
 * expiry and closing. Ids come from the platform CSPRNG (`crypto.randomUUID`, visible ASCII as the
 * spec asks), and each session is bound to the principal that opened it (spec "Security Best
 * Practices", session hijacking: bind session ids to user-specific information).
 */
export class HttpSessions {
  private readonly live = new Map<string, HttpSession>();
  /**
   * Sessions that were evictable (nothing in flight, no open stream) when last seen, longest-idle
   * first: a Map keeps insertion order, and `touch()` re-inserts. A session that has become busy
   * since stays listed until eviction meets it and drops it, so requests pay two Map operations
   * and eviction pays O(1) amortized, never a scan of the table.
   */
  private readonly idle = new Map<string, HttpSession>();
  /** Session counts per principal, or per client address for anonymous requests. */
  private readonly owners = new Map<string, OwnerSessions>();
  /**
   * POST streams still running, of every session, by stream id (which starts with "<session id>.").
   * One map for the app rather than one per session keeps an idle session small.
   */
  readonly channels = new Map<string, SseChannel>();
  private sweeper: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly server: BaseMcpServer,
    private readonly limits: SessionLimits,
    private readonly principalOf: (auth: unknown) => string | undefined,
  ) {}

  /**
   * The session of this kind with this id, when the request comes from the principal that opened
   * it. A session of someone else is reported exactly as an unknown one, so ids cannot be probed.
   */
  owned(id: string | undefined, kind: HttpSession['kind'], exchange: Exchange): HttpSession | undefined {
    const live = id === undefined ? undefined : this.live.get(id);
    if (live?.kind !== kind || live.principal !== this.principalOf(exchange.auth)) return undefined;
    return live;
  }

  /**
   * A request on this session ended: it counts as seen now, and as the most recently idle one when
   * it is evictable. Cheap on purpose: it runs on every request.
   */
  touch(live: HttpSession): void {
    live.lastSeen = Date.now();
    if (this.live.get(live.id) !== live) return;
    const evictable = isEvictable(live);
    requeue(this.idle, live, evictable);
    if (live.owner) requeue(live.owner.idle, live, evictable);
  }

  values(): IterableIterator<HttpSession> {
    return this.live.values();
  }

  /**
   * A new session owned by the request's principal. At a cap, the longest-idle evictable session
   * (of that principal, at its own cap) ends to make room, so a flood of abandoned sessions cannot
   * lock new clients out; when none can end, the refusal: 429 at the principal's cap, 503 when the
   * table is full (both with Retry-After).
   */
  open(kind: HttpSession['kind'], exchange: Exchange): HttpSession | undefined {
    const principal = this.principalOf(exchange.auth);
    // Anonymous clients are told apart by address; when the binding cannot tell (fetch), only the
    // global cap applies. Prefixes keep a principal from posing as an address.
    const key =
      principal !== undefined
        ? `principal:${principal}`
        : exchange.remoteAddress === undefined
          ? undefined
          : `address:${exchange.remoteAddress}`;
    const owner = key === undefined ? undefined : this.ownerOf(key);
    if (owner && owner.count >= this.limits.maxSessionsPerPrincipal) {
      const victim = takeEvictable(owner.idle);
      if (!victim) {
        refuse(exchange, HttpRefusal.TooManySessionsForPrincipal, this.limits.maxSessionsPerPrincipal);
        return undefined;
      }
      victim.session.close();
    }
    if (this.live.size >= this.limits.maxSessions) {
      const victim = takeEvictable(this.idle);
      if (!victim) {
        refuse(exchange, HttpRefusal.TooManySessions);
        return undefined;
      }
      victim.session.close();
    }
    const id = crypto.randomUUID();
    const live: HttpSession = {
      id,
      kind,
      lastSeen: Date.now(),
      busy: 0,
      sessionStream: undefined,
      principal,
      owner,
      session: this.server.createSession({
        id,
        send: (message) => live.sessionStream?.send(message),
        onClose: () => this.forget(id),
      }),
    };
    this.live.set(id, live);
    if (owner) {
      owner.count++;
      this.owners.set(owner.key, owner);
    }
    this.startSweeping();
    return live;
  }

  closeAll(): void {
    for (const live of [...this.live.values()]) live.session.close();
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = undefined;
  }

  private forget(id: string): void {
    const live = this.live.get(id);
    if (!live) return;
    this.live.delete(id);
    this.idle.delete(id);
    if (live.owner) {
      live.owner.idle.delete(id);
      live.owner.count--;
      this.dropIfEmpty(live.owner);
    }
    live.sessionStream?.finish();
    const prefix = `${id}.`;
    for (const [streamId, channel] of this.channels) {
      if (streamId.startsWith(prefix)) {
        channel.finish();
        this.channels.delete(streamId);
      }
    }
  }

  private ownerOf(key: string): OwnerSessions {
    return this.owners.get(key) ?? { key, count: 0, idle: new Map() };
  }

  /** An owner with no session left is forgotten, so the table of addresses cannot grow without bound. */
  private dropIfEmpty(owner: OwnerSessions): void {
    if (owner.count === 0) this.owners.delete(owner.key);
  }

  /** Idle sessions end: nothing in flight, no open stream, and no request for `idleMs`. */
  private startSweeping(): void {
    if (this.sweeper) return;
    const every = Math.max(1000, Math.min(this.limits.idleMs / 2, 60_000));
    this.sweeper = setInterval(() => {
      const oldest = Date.now() - this.limits.idleMs;
      for (const live of this.live.values()) {
        if (live.lastSeen < oldest && isEvictable(live)) live.session.close();
      }
    }, every);
    // The sweeper alone must not keep a process alive.
    (this.sweeper as { unref?: () => void }).unref?.();
  }

  /**
   * The app is shutting down and its grace period is over: every call still running in a session
   * is answered with `error` now, on the stream it expects; the sessions stay open until `closeAll()`.
   */
  interrupt(error: McpError): void {
    for (const live of this.live.values()) live.session.interrupt(error);
  }
}
