import { McpError } from '../../protocol/errors.js';
import { ErrorCode, type JsonRpcMessage, toErrorResponse } from '../../protocol/jsonrpc.js';
import type { BaseMcpServer, PerRequestAnswer } from '../../server/base-server.js';
import type { Exchange } from '../exchange.js';
import { defaultPrincipalOf } from '../options.js';
import { respondJson } from '../respond.js';
import { HttpDelivery } from './delivery.js';
import type { PostedMessage } from './message.js';
import { checkRequestHeaders, type PostedRequest } from './request-headers.js';
import { SSE_HEADERS, SseChannel } from './sse.js';

/**
 * Protocol 2026-07-28 over Streamable HTTP, on the same endpoint as 2025 sessions: every POST is one
 * request answered on its own, with no session (`server.handlePerRequest`). The answer is JSON, or
 * an SSE stream once the request has progress or logs to carry (they ride on its own stream, never
 * another). Bad input gets the revision's errors, with the request's id: 400 for what the request
 * must change (headers, `_meta`, an undeclared capability), 404 for a method that does not exist.
 */
export class PerRequestHttp {
  /** Open `subscriptions/listen` streams: for keep-alive comments, and to end them on close. */
  private readonly listens = new Set<SseChannel>();

  constructor(
    private readonly server: BaseMcpServer,
    private readonly options: {
      jsonResponse: boolean;
      /** The app's `principalOf`; default `defaultPrincipalOf`. Binds 2026 `requestState` to its user. */
      principalOf?: (auth: unknown) => string | undefined;
    },
  ) {}

  async post(
    exchange: Exchange,
    message: PostedMessage,
    accepts: { json: boolean; sse: boolean },
  ): Promise<void> {
    const value = message.value;
    if (Array.isArray(value) || !message.hasRequest) {
      // No batches in this era; a notification is taken (202) and a response refused (400).
      const { message: refusal } = await this.server.handlePerRequest(value);
      if (refusal) respondJson(exchange, 400, refusal);
      else exchange.respond(202, {});
      return;
    }
    const request = value as PostedRequest;
    if (exchange.header('mcp-session-id') !== undefined) {
      return this.refuse(exchange, request, sessionIdInPerRequest());
    }
    const mismatch = checkRequestHeaders(exchange, request, this.server);
    if (mismatch) return this.refuse(exchange, request, mismatch);
    if (request.method === 'subscriptions/listen') return this.listen(exchange, request, accepts.sse);
    // Progress and logs need an SSE stream: none when JSON is asked for (option) and acceptable, or
    // when the client cannot take SSE; they are dropped then. With nothing to stream, JSON either way.
    const answerWithJson = (this.options.jsonResponse && accepts.json) || !accepts.sse;
    const auth = exchange.auth;
    // Only someone authenticated has a principal; `requestState` is bound to it (mrtr, replay).
    const delivery: HttpDelivery & { principal?: string } =
      auth === undefined
        ? new HttpDelivery(exchange)
        : Object.assign(new HttpDelivery(exchange), {
            principal: (this.options.principalOf ?? defaultPrincipalOf)(auth),
          });
    // Nothing resumes a 2026 stream (no Last-Event-ID), so a client gone means the work is moot.
    delivery.followsConnection = true;
    let channel: SseChannel | undefined;
    if (!answerWithJson) {
      delivery.reply = (outgoing: JsonRpcMessage) => {
        channel ??= openStream(exchange);
        return channel.send(outgoing);
      };
    }
    const answer = await this.server.handlePerRequest(request, delivery);
    if (channel) await channel.finish(answer.message);
    // A result for a client that takes no JSON still goes as SSE; an error keeps its status.
    else if (!accepts.json && answer.message && statusOf(answer) === 200) {
      await openStream(exchange).finish(answer.message);
    } else respond(exchange, answer);
  }

  /**
   * `subscriptions/listen`: a stream that stays open after this returns (it holds no request slot,
   * like a session's GET stream), until the client goes or the app closes.
   */
  private async listen(exchange: Exchange, request: PostedRequest, sse: boolean): Promise<void> {
    if (!sse) {
      return this.refuse(
        exchange,
        request,
        new McpError(
          ErrorCode.InvalidRequest,
          'subscriptions/listen answers with an SSE stream: send "Accept: application/json, text/event-stream".',
        ),
      );
    }
    const delivery = new HttpDelivery(exchange);
    delivery.followsConnection = true;
    let channel: SseChannel | undefined;
    let opened!: () => void;
    const streaming = new Promise<void>((resolve) => {
      opened = resolve;
    });
    delivery.reply = (outgoing: JsonRpcMessage) => {
      if (!channel) {
        channel = openStream(exchange);
        this.listens.add(channel);
        opened();
      }
      return channel.send(outgoing);
    };
    const answering = this.server.handlePerRequest(request, delivery);
    await Promise.race([answering, streaming]);
    const stream = channel;
    // Refused before the acknowledgment (bad _meta, a bad filter): a plain JSON error.
    if (!stream) return respond(exchange, await answering);
    answering
      .then((answer) => stream.finish(answer.message))
      .catch((error: unknown) => this.server.reportError(error))
      .finally(() => this.listens.delete(stream));
  }

  /** SSE keep-alive comments on the open listen streams (spec: encouraged on long-lived streams). */
  keepAlive(): void {
    for (const channel of this.listens) channel.keepAlive();
  }

  /**
   * Ends the listen streams, each after its final response (spec "Graceful Closure"), written now
   * so it leaves before the app closes its connections.
   */
  close(): void {
    if (this.listens.size === 0) return;
    this.server.endSubscriptions();
    for (const channel of this.listens) void channel.finish();
    this.listens.clear();
  }

  private refuse(exchange: Exchange, request: PostedRequest, error: McpError): void {
    respondJson(exchange, 400, toErrorResponse(request.id, error.toJson()));
  }
}

function openStream(exchange: Exchange): SseChannel {
  // Lazy: the headers leave with the first event, in one write.
  return new SseChannel('', exchange.stream(200, SSE_HEADERS, { lazy: true }), undefined);
}

/**
 * A JSON answer with the status the revision gives it: 400 for a request refused before dispatch
 * (its envelope, its version) or one needing an undeclared client capability (-32021, a MUST
 * whatever produced it), 404 for a method that does not exist (-32601, so a client can tell this
 * server from one without the endpoint); everything else a handler answers is in band, 200.
 */
function respond(exchange: Exchange, answer: PerRequestAnswer): void {
  if (answer.message) respondJson(exchange, statusOf(answer), answer.message);
  else exchange.respond(202, {});
}

function statusOf({ message, refused }: PerRequestAnswer): number {
  if (refused) return 400;
  if (!message || !('error' in message)) return 200;
  if (message.error.code === ErrorCode.MethodNotFound) return 404;
  return message.error.code === ErrorCode.MissingRequiredClientCapability ? 400 : 200;
}

function sessionIdInPerRequest(): McpError {
  return new McpError(
    ErrorCode.InvalidRequest,
    'Invalid request: protocol 2026-07-28 has no sessions, and this request carries Mcp-Session-Id. Drop the header, or send the request in its session without the 2026-07-28 _meta and MCP-Protocol-Version.',
  );
}
