import type { JsonRpcMessage } from '../protocol/jsonrpc.js';

/**
 * Keeps what was sent on SSE streams so a client that lost its connection can resume with
 * `Last-Event-ID` (spec 2025-11-25, "Resumability and Redelivery"). A store for several instances
 * (Redis) implements the same two methods.
 */
export interface EventStore {
  /**
   * Stores one event of a stream and returns its id. `message` is undefined for a priming event
   * (an id with empty data, sent first so the client has something to resume from).
   * Ids must be unique across all streams and begin with the stream id and a "." (the HTTP app
   * checks that a `Last-Event-ID` belongs to the session asking, whose id begins every stream id).
   */
  append(streamId: string, message: JsonRpcMessage | undefined): string | Promise<string>;
  /**
   * Sends, in order, the stored messages of the stream `lastEventId` belongs to that came after it.
   * Resolves to that stream's id, or undefined when the id is unknown (expired or never issued).
   */
  replayAfter(
    lastEventId: string,
    send: (eventId: string, message: JsonRpcMessage) => Promise<void>,
  ): Promise<string | undefined>;
}

export interface MemoryEventStoreOptions {
  /** Streams kept; the oldest is forgotten past this. Default 1,000. */
  maxStreams?: number;
  /** Events kept per stream; the oldest are forgotten past this. Default 200. */
  maxEventsPerStream?: number;
}

interface StoredStream {
  next: number;
  first: number;
  events: (JsonRpcMessage | undefined)[];
}

/**
 * An in-process event store, bounded so that a busy server does not grow without limit: it keeps
 * the newest streams and, in each, the newest events.
 */
export class MemoryEventStore implements EventStore {
  private readonly streams = new Map<string, StoredStream>();
  private readonly maxStreams: number;
  private readonly maxEvents: number;

  constructor(options: MemoryEventStoreOptions = {}) {
    this.maxStreams = options.maxStreams ?? 1000;
    this.maxEvents = options.maxEventsPerStream ?? 200;
  }

  append(streamId: string, message: JsonRpcMessage | undefined): string {
    let stream = this.streams.get(streamId);
    if (!stream) {
      if (this.streams.size >= this.maxStreams) {
        const oldest = this.streams.keys().next().value;
        if (oldest !== undefined) this.streams.delete(oldest);
      }
      stream = { next: 0, first: 0, events: [] };
      this.streams.set(streamId, stream);
    }
    stream.events.push(message);
    if (stream.events.length > this.maxEvents) {
      stream.events.shift();
      stream.first++;
    }
    return `${streamId}.${stream.next++}`;
  }

  async replayAfter(
    lastEventId: string,
    send: (eventId: string, message: JsonRpcMessage) => Promise<void>,
  ): Promise<string | undefined> {
    const dot = lastEventId.lastIndexOf('.');
    if (dot === -1) return undefined;
    const streamId = lastEventId.slice(0, dot);
    const after = Number(lastEventId.slice(dot + 1));
    const stream = this.streams.get(streamId);
    if (!stream || !Number.isInteger(after)) return undefined;
    for (let seq = Math.max(after + 1, stream.first); seq < stream.next; seq++) {
      const message = stream.events[seq - stream.first];
      if (message) await send(`${streamId}.${seq}`, message);
    }
    return streamId;
  }
}
