import { McpError } from '../protocol/errors.js';
import {
  ErrorCode,
  type JsonRpcNotification,
  type JsonRpcRequest,
  type JsonRpcResponse,
  parseMessage,
  type RequestId,
  toErrorResponse,
} from '../protocol/jsonrpc.js';
import type { Outgoing } from '../protocol/transport.js';
import { featuresOf, perRequestClaim } from '../protocol/versions.js';
import { RequestContext } from './context.js';
import type { ServerCore } from './core.js';
import { answerRequest, internalError } from './dispatch.js';
import { readEnvelope } from './envelope.js';
import { toInputRequiredResult } from './results.js';
import { InputRequiredSignal, ROUND_TRIP_METHODS, type RoundTrip, startRoundTrip } from './round-trip.js';
import type { Delivery, RequestScope } from './scope.js';

/** The answer to one per-request message, and whether it was refused before any handler ran. */
export interface PerRequestAnswer {
  /** The response; undefined for a notification, or a request the client cancelled. */
  readonly message: JsonRpcResponse | undefined;
  /**
   * Refused before dispatch: malformed envelope, unsupported version, a batch, not a request. Over
   * HTTP these are 400s; what a handler or the dispatcher answers travels in band.
   */
  readonly refused: boolean;
}

const NOTHING: PerRequestAnswer = { message: undefined, refused: false };

/**
 * Answers a message of the per-request era (2026-07-28, "Statelessness"): no session, nothing kept.
 * The request's `_meta` gives its version, client, capabilities and log level; its scope is made
 * from them, and it is answered by the same dispatcher as every other era, so handlers see no
 * difference. Progress and logs go to `delivery.reply` (the request's own stream). `inflight`, when
 * given, lets a connection cancel the request (stdio's `notifications/cancelled`).
 */
export async function answerPerRequest(
  core: ServerCore,
  value: unknown,
  delivery: Delivery,
  inflight?: Map<RequestId, RequestContext>,
): Promise<PerRequestAnswer> {
  if (Array.isArray(value)) {
    return refuse(null, 'protocol 2026-07-28 has no JSON-RPC batches. Send each request on its own.');
  }
  const parsed = parseMessage(value);
  if (parsed.kind === 'invalid') return refuse(parsed.id, parsed.reason);
  // No client notification of this era needs an answer (a cancellation is the connection's).
  if (parsed.kind === 'notification') return NOTHING;
  if (parsed.kind === 'response') {
    return refuse(
      null,
      'protocol 2026-07-28 sends no requests to the client, so there is nothing to answer. Send requests only.',
    );
  }
  const request = parsed.message;
  const envelope = readEnvelope(request.params);
  if (envelope instanceof McpError) {
    return { message: toErrorResponse(request.id, envelope.toJson()), refused: true };
  }
  let roundTrip: RoundTrip | undefined;
  if (ROUND_TRIP_METHODS.has(request.method)) {
    try {
      const started = startRoundTrip(core.requestStates, request, delivery.principal);
      roundTrip = started instanceof Promise ? await started : started;
    } catch (error) {
      if (!(error instanceof McpError)) throw error;
      return { message: toErrorResponse(request.id, error.toJson()), refused: false };
    }
  }
  const scope: RequestScope = {
    protocolVersion: envelope.version,
    features: featuresOf(envelope.version),
    sessionId: undefined,
    client: envelope.client,
    logLevel: envelope.logLevel,
    delivery,
    send: delivery.reply,
    // No server-to-client requests in this era: questions become input_required results, and only
    // on the methods that may answer so (basic/patterns/mrtr, "Supported Requests").
    asker: roundTrip,
    session: undefined,
  };
  const ctx = new RequestContext(scope, request.id, envelope.meta);
  if (!inflight) return { message: await answerOrAsk(core, ctx, request, roundTrip), refused: false };
  inflight.set(request.id, ctx);
  try {
    return { message: await answerOrAsk(core, ctx, request, roundTrip), refused: false };
  } finally {
    if (inflight.get(request.id) === ctx) inflight.delete(request.id);
  }
}

/**
 * Runs the handler against the end of its attempt: whichever comes first answers. A handler that
 * asked the client something ends with `input_required` (its pending awaits are dropped, and
 * `ctx.signal` aborts so other work can stop); the retry runs it again from the top with the answers.
 */
async function answerOrAsk(
  core: ServerCore,
  ctx: RequestContext,
  request: JsonRpcRequest,
  roundTrip: RoundTrip | undefined,
): Promise<JsonRpcResponse | undefined> {
  const answering = answerRequest(core, ctx, request);
  if (!roundTrip) return answering;
  const first = await Promise.race([answering, roundTrip.ended]);
  roundTrip.close();
  if (first === undefined || !('kind' in first)) return first;
  ctx.cancel(new InputRequiredSignal());
  if (first.kind === 'error') return toErrorResponse(request.id, first.error.toJson());
  try {
    const state = await first.state;
    const result = toInputRequiredResult(first.inputRequests, state, core.serverInfoMeta);
    return { jsonrpc: '2.0', id: request.id, result };
  } catch (error) {
    if (error instanceof McpError) return toErrorResponse(request.id, error.toJson());
    return internalError(core, request, error);
  }
}

function refuse(id: RequestId | null, reason: string): PerRequestAnswer {
  const error = { code: ErrorCode.InvalidRequest, message: `Invalid request: ${reason}` };
  return { message: toErrorResponse(id, error), refused: true };
}

/**
 * The per-request side of one connection-shaped transport (stdio, in memory), beside its 2025
 * session: answers 2026-07-28 messages, and finds their requests in flight when the client sends
 * `notifications/cancelled` (stdio, "Cancellation": there is no stream to close).
 */
export class PerRequestConnection {
  private readonly inflight = new Map<RequestId, RequestContext>();
  private readonly delivery: Delivery;
  private closed = false;

  constructor(
    private readonly core: ServerCore,
    private readonly send: (message: Outgoing) => Promise<void>,
  ) {
    this.delivery = { reply: send };
  }

  /**
   * Takes the messages of its era (their `_meta` claims a per-request version) and answers them,
   * returning true; anything else is the session's. A cancellation names its request, not its era:
   * it is looked for here too, and left to the session as well.
   */
  takes(value: unknown, delivery?: Delivery): boolean {
    if (perRequestClaim(value) !== undefined) {
      this.handle(value, delivery);
      return true;
    }
    if (isCancellation(value)) this.cancel(value);
    return false;
  }

  /** Answers one message; what it produces goes out through `send`. */
  handle(value: unknown, delivery?: Delivery): void {
    // Object.assign rather than a spread: the fast path on Node 20 (see toCompleteResult).
    const reply = delivery
      ? Object.assign({}, delivery, { reply: delivery.reply ?? this.send })
      : this.delivery;
    answerPerRequest(this.core, value, reply, this.inflight).then(
      ({ message }) => (message && !this.closed ? this.send(message) : undefined),
      (error: unknown) => this.core.reportError(error),
    );
  }

  /** A `notifications/cancelled`: the request it names stops and gets no answer (spec "Cancellation"). */
  cancel(notification: JsonRpcNotification): void {
    const requestId = notification.params?.requestId;
    if (typeof requestId !== 'string' && typeof requestId !== 'number') return;
    const reason = notification.params?.reason;
    this.inflight
      .get(requestId)
      ?.cancel(new Error(typeof reason === 'string' ? reason : 'Cancelled by the client.'));
  }

  /** The connection ended: every request in flight stops, unanswered. */
  close(): void {
    this.closed = true;
    for (const ctx of this.inflight.values()) ctx.cancel(new Error('The connection closed.'));
    this.inflight.clear();
  }
}

function isCancellation(value: unknown): value is JsonRpcNotification {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { method?: unknown }).method === 'notifications/cancelled'
  );
}
