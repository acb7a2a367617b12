import type { JsonRpcMessage } from '../../protocol/jsonrpc.js';
import type { Exchange } from '../exchange.js';
import { HttpRefusal, refuse } from '../refusals.js';
import { HttpDelivery } from './delivery.js';
import { readMessage, refuseBatchOutOfEra } from './message.js';
import type { HttpSessions } from './sessions.js';
import { SSE_HEADERS, SseChannel, sseEvent } from './sse.js';

export interface LegacySseOptions {
  /** The SSE path and the messages path, relative to the app. */
  ssePath: string;
  messagesPath: string;
  maxBodyBytes: number;
  maxBatchLength: number;
  /** An explicit public URL of the app (behind a proxy that rewrites paths). */
  publicUrl: string | undefined;
}

/**
 * The HTTP+SSE transport of 2024-11-05: GET opens the stream, whose first `endpoint` event says
 * where to POST; POSTs are answered 202 and the responses travel on the stream.
 */
export class LegacySseTransport {
  private readonly endpoint: string;

  constructor(
    private readonly sessions: HttpSessions,
    private readonly options: LegacySseOptions,
  ) {
    this.endpoint = relativeEndpoint(options.ssePath, options.messagesPath);
  }

  async openStream(exchange: Exchange): Promise<void> {
    const live = this.sessions.open('legacy', exchange);
    if (!live) return;
    const connection = exchange.stream(200, SSE_HEADERS);
    live.sessionStream = new SseChannel(live.id, connection, undefined);
    exchange.onClose(() => live.session.close());
    // Relative to the SSE URL, so it resolves under whatever prefix the app is mounted at
    // (clients do `new URL(data, sseUrl)`); an explicit public URL wins when given.
    const base = this.options.publicUrl
      ? `${this.options.publicUrl}${this.options.messagesPath}`
      : this.endpoint;
    await connection.write(sseEvent(`${base}?sessionId=${live.id}`, undefined, 'endpoint'));
  }

  async post(exchange: Exchange): Promise<void> {
    const id = new URLSearchParams(exchange.query).get('sessionId') ?? undefined;
    // Someone else's session is answered as an unknown one: its stream must not carry their answers.
    const live = this.sessions.owned(id, 'legacy', exchange);
    if (!live) {
      refuse(exchange, id ? HttpRefusal.SessionNotFound : HttpRefusal.SessionIdMissing, true);
      return;
    }
    const message = await readMessage(exchange, this.options);
    if (!message) return;
    // As on Streamable HTTP: a second initialize is refused (400), not accepted (202) for the stream to answer.
    if (message.opensSession && live.session.initialized) {
      refuse(exchange, HttpRefusal.SessionAlreadyInitialized, true);
      return;
    }
    if (refuseBatchOutOfEra(exchange, message, live.session.state.protocolVersion)) return;
    live.lastSeen = Date.now();
    exchange.respond(202, { 'content-type': 'text/plain' }, 'Accepted');
    const channel = live.sessionStream;
    live.busy++;
    try {
      // The POST itself is already answered; the handler's messages travel on the SSE stream.
      const delivery = new HttpDelivery(exchange);
      delivery.reply = (message: JsonRpcMessage) => channel?.send(message);
      delivery.answerChannel = channel;
      const answer = await live.session.handle(message.value, delivery);
      if (answer) await channel?.send(answer);
    } finally {
      live.busy--;
      this.sessions.touch(live);
    }
  }
}

/** The messages path as seen from the SSE path: "/sse" + "/messages" gives "messages". */
export function relativeEndpoint(ssePath: string, messagesPath: string): string {
  const from = ssePath.split('/').slice(1, -1);
  const to = messagesPath.split('/').slice(1);
  let shared = 0;
  while (shared < from.length && shared < to.length - 1 && from[shared] === to[shared]) shared++;
  const up = from.length - shared;
  const rest = to.slice(shared).join('/');
  return up === 0 ? rest : `${'../'.repeat(up)}${rest}`;
}
