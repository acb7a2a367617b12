import type { Delivery, SendToClient } from '../../protocol/transport.js';
import type { Exchange } from '../exchange.js';

/**
 * The `Delivery` of a message that came over HTTP, read lazily: the AbortController behind
 * `exchange.signal` is built only if a handler reads `ctx.signal`, so most calls never pay for it.
 */
export class HttpDelivery implements Delivery {
  reply?: SendToClient;
  closeStream?: () => void;
  /** The handler's signal aborts when the client disconnects (when nothing could resume the stream). */
  followsConnection = false;

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

  get signal(): AbortSignal | undefined {
    return this.followsConnection ? this.exchange.signal : undefined;
  }
}
