import type { JsonRpcResponse } from '../../protocol/jsonrpc.js';
import type { Delivery, SendToClient } from '../../protocol/transport.js';
import type { Exchange } from '../exchange.js';
import { respondJson } from '../respond.js';
import type { SseChannel } from './sse.js';

/**
 * The `Delivery` of a message that came over HTTP, read lazily: the AbortController behind
 * `exchange.signal` is built only if a handler reads `ctx.signal`, so most calls never pay for it.
 */
export class HttpDelivery implements Delivery {
  reply?: SendToClient;
  closeStream?: () => void;
  /** The handler's signal aborts when the client disconnects (when nothing could resume the stream). */
  followsConnection = false;
  /**
   * Where an early answer goes (`interrupt`, at shutdown), set by the transport: the request's own
   * SSE answer stream (`endsWithAnswer`: the answer ends it) or the legacy session stream; else, with
   * `jsonSessionId`, the JSON body. Plain fields, not a closure: every request sets them.
   */
  answerChannel?: SseChannel;
  endsWithAnswer = false;
  jsonSessionId?: string;

  constructor(private readonly exchange: Exchange) {}

  get http(): unknown {
    return this.exchange.raw;
  }

  get auth(): unknown {
    return this.exchange.auth;
  }

  /** No further cap: the app refused batches over its own `maxBatchLength` before the session saw them. */
  get maxBatchLength(): number {
    return Number.POSITIVE_INFINITY;
  }

  interrupt(answer: JsonRpcResponse): void {
    const channel = this.answerChannel;
    if (channel) void (this.endsWithAnswer ? channel.finish(answer) : channel.send(answer));
    else if (this.jsonSessionId !== undefined)
      respondJson(this.exchange, 200, answer, { 'mcp-session-id': this.jsonSessionId });
  }

  get signal(): AbortSignal | undefined {
    return this.followsConnection ? this.exchange.signal : undefined;
  }
}
