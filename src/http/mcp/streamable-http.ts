import type { JsonRpcMessage } from '../../protocol/jsonrpc.js';
import type { Outgoing } from '../../protocol/transport.js';
import {
  featuresOf,
  isPerRequestVersion,
  isSupportedVersion,
  PER_REQUEST_VERSIONS,
  perRequestClaim,
} from '../../protocol/versions.js';
import type { BaseMcpServer } from '../../server/base-server.js';
import type { EventStore } from '../../stores/event-store.js';
import type { Exchange } from '../exchange.js';
import { HttpRefusal, refuse } from '../refusals.js';
import { accepts, respondJson } from '../respond.js';
import { HttpDelivery } from './delivery.js';
import { readMessage, refuseBatchOutOfEra } from './message.js';
import { PerRequestHttp } from './per-request-http.js';
import { resumeStream } from './resume.js';
import type { HttpSession, HttpSessions } from './sessions.js';
import { SSE_HEADERS, SseChannel } from './sse.js';
import { answerStateless } from './stateless-http.js';

export interface StreamableHttpOptions {
  jsonResponse: boolean;
  stateless: boolean;
  eventStore: EventStore | undefined;
  retryMs: number;
  maxBodyBytes: number;
  maxBatchLength: number;
  /** The app's `principalOf`: binds 2026-07-28 `requestState` (and tasks) to who asked. */
  principalOf: (auth: unknown) => string | undefined;
}

const SESSION_HEADER = 'mcp-session-id';

/**
 * Streamable HTTP (spec 2025-03-26 and later): POST carries client messages, GET opens the stream
 * for server-initiated messages (or resumes one after `Last-Event-ID`), DELETE ends the session.
 * A POST of protocol 2026-07-28 (its `MCP-Protocol-Version`, or its `_meta`, names it) is answered
 * per request instead, with no session, on the same endpoint, whatever `stateless` says.
 */
export class StreamableHttpTransport {
  /** Numbers the POST streams; with the session id in front, a stream id is unique. */
  private streams = 0;
  /** The 2026-07-28 side of the endpoint. */
  readonly perRequest: PerRequestHttp;

  constructor(
    private readonly server: BaseMcpServer,
    private readonly sessions: HttpSessions,
    private readonly options: StreamableHttpOptions,
  ) {
    this.perRequest = new PerRequestHttp(server, options);
  }

  private checkVersionHeader(exchange: Exchange): boolean {
    const version = exchange.header('mcp-protocol-version');
    // Any supported value is tolerated, even one other than the negotiated version: real clients
    // (and conformance 0.1.16) send 2025-03-26 inside later sessions.
    if (version === undefined || isSupportedVersion(version)) return true;
    refuse(exchange, HttpRefusal.UnsupportedProtocolVersion, version);
    return false;
  }

  /**
   * Client messages: a session opens with `initialize`; requests are answered as JSON or an SSE
   * stream. The era is the request's: a 2026-07-28 `MCP-Protocol-Version`, or a body whose `_meta`
   * claims a version other than a session one (with no header, or a mismatched or unknown one,
   * which the per-request side then answers with the revision's own errors), goes per request.
   */
  async post(exchange: Exchange): Promise<void> {
    const accept = exchange.header('accept');
    const json = accepts(accept, 'application/json');
    const sse = accepts(accept, 'text/event-stream');
    if (!json && !sse) {
      refuse(exchange, HttpRefusal.NotAcceptable, 'application/json, text/event-stream');
      return;
    }
    const version = exchange.header('mcp-protocol-version');
    // An unknown version is refused after the body is read: a 2026 client naming one it has and we
    // lack is owed UnsupportedProtocolVersion with the list, which only its _meta tells apart.
    const knownVersion = version === undefined || isSupportedVersion(version);
    const message = await readMessage(exchange, this.options);
    if (!message) return;
    const value = message.value;
    if (isPerRequestVersion(version) || perRequestClaim(value) !== undefined) {
      return this.perRequest.post(exchange, message, { json, sse });
    }
    if (!knownVersion) {
      refuse(exchange, HttpRefusal.UnsupportedProtocolVersion, version);
      return;
    }
    // JSON when asked for (option) and acceptable, or when the client cannot take SSE.
    const answerWithJson = (this.options.jsonResponse && json) || !sse;
    if (this.options.stateless)
      return answerStateless(this.server, exchange, message, answerWithJson ? 'json' : 'sse');

    let live: HttpSession | undefined;
    const opening = message.opensSession;
    if (opening && exchange.header(SESSION_HEADER) !== undefined) {
      // An initialize on a session it names: a second one is an error (lifecycle: initialize comes
      // first, once), never a new session behind the client's back. sessionOf() answers an unknown
      // or foreign id with its 404, which tells the client to initialize without the header.
      if (this.sessionOf(exchange)) refuse(exchange, HttpRefusal.SessionAlreadyInitialized, false);
      return;
    }
    if (opening) {
      live = this.sessions.open('streamable', exchange);
      if (!live) return;
    } else {
      live = this.sessionOf(exchange);
      if (!live) return;
      if (refuseBatchOutOfEra(exchange, message, live.session.state.protocolVersion)) return;
    }
    live.lastSeen = Date.now();
    const delivery = new HttpDelivery(exchange);
    if (!message.hasRequest) {
      // Notifications and responses only: 202 with no body when accepted; an error answer means
      // the input was not acceptable (spec: "MUST return an HTTP error status code, e.g. 400").
      const refusal = await live.session.handle(value, delivery);
      this.sessions.touch(live);
      if (refusal) respondJson(exchange, 400, refusal, { [SESSION_HEADER]: live.id });
      else exchange.respond(202, { [SESSION_HEADER]: live.id });
      return;
    }
    live.busy++;
    try {
      if (answerWithJson) await this.answerJson(exchange, live, value, delivery);
      else await this.answerSse(exchange, live, value, delivery);
    } finally {
      live.busy--;
      this.sessions.touch(live);
      // An initialize that failed leaves no session behind to wait for its idle timeout.
      if (opening && !live.session.initialized) live.session.close();
    }
  }

  /** JSON answers: messages a handler sends go to the session's GET stream, when one is open. */
  private async answerJson(exchange: Exchange, live: HttpSession, value: unknown, delivery: HttpDelivery) {
    delivery.followsConnection = true;
    delivery.jsonSessionId = live.id;
    delivery.reply = (message: JsonRpcMessage) => {
      if (live.sessionStream?.connected) return live.sessionStream.send(message);
      // A request to the client could never be answered: fail it now rather than at its timeout.
      // Notifications (progress, logs) have nowhere to go and are dropped, as on a closed stream.
      if ('id' in message) {
        throw new Error(
          `Cannot send ${(message as { method?: string }).method ?? 'a request'} to the client: this server answers with JSON and the session has no GET stream open to carry it. Open the GET stream, or serve SSE answers.`,
        );
      }
      return undefined;
    };
    const answer = await live.session.handle(value, delivery);
    if (answer) respondJson(exchange, 200, answer, { [SESSION_HEADER]: live.id });
    else exchange.respond(202, { [SESSION_HEADER]: live.id });
  }

  private async answerSse(exchange: Exchange, live: HttpSession, value: unknown, delivery: HttpDelivery) {
    const store = this.options.eventStore;
    // Stream ids start with the session id, so a Last-Event-ID can be checked against its session.
    const streamId = `${live.id}.${++this.streams}`;
    const channel = new SseChannel(
      streamId,
      exchange.stream(200, sseHeaders(live.id), { lazy: true }),
      store,
    );
    // Registered while it runs, for keep-alive comments and (with a store) for resuming.
    this.sessions.channels.set(streamId, channel);
    // Priming events (an id with empty data) came with 2025-11-25; older clients would choke on them, and
    // without one a client has no id to resume from, so only a primed stream may be closed early.
    if (store && featuresOf(live.session.protocolVersion).primingEvents) {
      await channel.prime(this.options.retryMs);
      delivery.closeStream = () => channel.detach();
    }
    // Without an event store nothing can be resumed, so a client gone means the work is moot.
    if (!store) delivery.followsConnection = true;
    delivery.reply = (message: JsonRpcMessage) => channel.send(message);
    delivery.answerChannel = channel;
    delivery.endsWithAnswer = true;
    let answer: Outgoing | undefined;
    try {
      answer = await live.session.handle(value, delivery);
    } finally {
      await channel.finish(answer);
      this.sessions.channels.delete(streamId);
    }
  }

  /** Opens the session's stream for server-initiated messages, or resumes one after `Last-Event-ID`. */
  async get(exchange: Exchange): Promise<void> {
    if (refusePerRequestVerb(exchange)) return;
    if (!accepts(exchange.header('accept'), 'text/event-stream')) {
      refuse(exchange, HttpRefusal.NotAcceptable, 'text/event-stream');
      return;
    }
    if (!this.checkVersionHeader(exchange)) return;
    const live = this.sessionOf(exchange);
    if (!live) return;
    live.lastSeen = Date.now();
    const headers = sseHeaders(live.id);
    const lastEventId = exchange.header('last-event-id');
    const store = this.options.eventStore;
    // An event id from another session replays nothing: ids begin with their stream's id, which begins with the session id.
    if (lastEventId && store && !lastEventId.startsWith(`${live.id}.`)) {
      refuse(exchange, HttpRefusal.EventIdNotInSession);
      return;
    }
    if (lastEventId && store) {
      // A resumed GET stream holds the session as an open one does; once it closes the session may idle.
      exchange.onClose(() => this.sessions.touch(live));
      await resumeStream(exchange.stream(200, headers), lastEventId, live, this.sessions, store);
      return;
    }
    if (live.sessionStream?.connected) {
      refuse(exchange, HttpRefusal.StreamAlreadyOpen);
      return;
    }
    const channel = new SseChannel(`${live.id}.${crypto.randomUUID()}`, exchange.stream(200, headers), store);
    live.sessionStream = channel;
    exchange.onClose(() => {
      if (live.sessionStream === channel) channel.detach();
      this.sessions.touch(live);
    });
    if (store && featuresOf(live.session.protocolVersion).primingEvents)
      await channel.prime(this.options.retryMs);
  }

  /** Ends the session. */
  delete(exchange: Exchange): void {
    if (refusePerRequestVerb(exchange)) return;
    const live = this.sessionOf(exchange);
    if (!live) return;
    live.session.close();
    exchange.respond(200, {});
  }

  /**
   * The session a request names, or the refusal: 400 without an id, 404 for an unknown one or one
   * another principal opened (the same 404, so a foreign id looks unknown).
   */
  private sessionOf(exchange: Exchange): HttpSession | undefined {
    const id = exchange.header(SESSION_HEADER);
    if (id === undefined) {
      refuse(exchange, HttpRefusal.SessionIdMissing, false);
      return undefined;
    }
    const live = this.sessions.owned(id, 'streamable', exchange);
    if (!live) {
      refuse(exchange, HttpRefusal.SessionNotFound, false);
      return undefined;
    }
    return live;
  }
}

/**
 * Streamable HTTP 2026-07-28, "Backward Compatibility": GET and DELETE on the endpoint are 405 for
 * that revision (it has no GET stream and no session to end; `subscriptions/listen` replaces the
 * stream). Said only to a client that names the revision: 2025 clients keep their GET and DELETE.
 */
function refusePerRequestVerb(exchange: Exchange): boolean {
  if (!isPerRequestVersion(exchange.header('mcp-protocol-version'))) return false;
  refuse(exchange, HttpRefusal.MethodNotAllowed, {
    what: `the MCP endpoint under protocol ${PER_REQUEST_VERSIONS.join(', ')}`,
    methods: 'POST (open subscriptions/listen for notifications)',
    method: exchange.method,
    allow: 'POST',
  });
  return true;
}

/**
 * The SSE headers with the session's id. Object.assign, not `{ ...SSE_HEADERS, [key]: id }`: on
 * Node 20 a spread followed by a property takes V8's slow path (about a microsecond, measured),
 * and this runs for every POST answered as SSE.
 */
function sseHeaders(sessionId: string): Record<string, string> {
  return Object.assign({}, SSE_HEADERS, { [SESSION_HEADER]: sessionId });
}
