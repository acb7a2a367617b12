import type { BaseMcpServer } from '../../server/base-server.js';
import type { ServerSession } from '../../server/session.js';
import type { Exchange } from '../exchange.js';
import { HttpRefusal, refuse } from '../refusals.js';
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
}

export interface SessionLimits {
  idleMs: number;
  maxSessions: number;
}

/**
 * The HTTP sessions of one app, shared by Streamable HTTP and legacy SSE: the cap, idle expiry and
 * closing. Ids come from the platform CSPRNG (`crypto.randomUUID`, visible ASCII as the spec asks).
 */
export class HttpSessions {
  private readonly live = new Map<string, HttpSession>();
  /**
   * POST streams still running, of every session, by stream id (which starts with "<session id>.").
   * One map for the app rather than one per session keeps an idle session small.
   */
  readonly channels = new Map<string, SseChannel>();
  private sweeper: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly server: BaseMcpServer,
    private readonly limits: SessionLimits,
  ) {}

  get(id: string | undefined): HttpSession | undefined {
    return id === undefined ? undefined : this.live.get(id);
  }

  values(): IterableIterator<HttpSession> {
    return this.live.values();
  }

  /** A new session, or the 503 refusal (with Retry-After) when the table is full. */
  open(kind: HttpSession['kind'], exchange: Exchange): HttpSession | undefined {
    if (this.live.size >= this.limits.maxSessions) {
      refuse(exchange, HttpRefusal.TooManySessions);
      return undefined;
    }
    const id = crypto.randomUUID();
    const live: HttpSession = {
      id,
      kind,
      lastSeen: Date.now(),
      busy: 0,
      sessionStream: undefined,
      session: this.server.createSession({
        id,
        send: (message) => live.sessionStream?.send(message),
        onClose: () => this.forget(id),
      }),
    };
    this.live.set(id, live);
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
    live.sessionStream?.finish();
    const prefix = `${id}.`;
    for (const [streamId, channel] of this.channels) {
      if (streamId.startsWith(prefix)) {
        channel.finish();
        this.channels.delete(streamId);
      }
    }
  }

  /** Idle sessions end: nothing in flight, no open stream, and no request for `idleMs`. */
  private startSweeping(): void {
    if (this.sweeper) return;
    const every = Math.max(1000, Math.min(this.limits.idleMs / 2, 60_000));
    this.sweeper = setInterval(() => {
      const oldest = Date.now() - this.limits.idleMs;
      for (const live of this.live.values()) {
        if (live.busy === 0 && live.lastSeen < oldest && !live.sessionStream?.connected) live.session.close();
      }
    }, every);
    // The sweeper alone must not keep a process alive.
    (this.sweeper as { unref?: () => void }).unref?.();
  }
}
