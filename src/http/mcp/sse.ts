import type { Outgoing } from '../../protocol/transport.js';
import type { EventStore } from '../../stores/event-store.js';
import type { EventStream } from '../exchange.js';

/**
 * Headers of every SSE response: no caching or transforming (compression), no proxy buffering.
 * `Connection: keep-alive` is HTTP/1.1's default, but without it Node adds two lines of its own
 * (Connection and Keep-Alive), which measured slower per answer.
 */
export const SSE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/event-stream',
  'cache-control': 'no-cache, no-transform',
  connection: 'keep-alive',
  'x-accel-buffering': 'no',
};

export function sseEvent(data: string, id?: string, event = 'message'): string {
  return id === undefined
    ? `event: ${event}\ndata: ${data}\n\n`
    : `id: ${id}\nevent: ${event}\ndata: ${data}\n\n`;
}

export const KEEP_ALIVE = ': keep-alive\n\n';

/**
 * One logical SSE stream of MCP messages. With an event store every message is stored first, so
 * the stream survives its connection: after `detach()` (the server closing it, or the client
 * dropping), messages are only stored, and `resume()` on a GET with `Last-Event-ID` carries the rest.
 * A connection that closed on its own (the client went, or left too much unread) counts as detached.
 *
 * Messages a handler sends do not wait for the client to read them: a handler awaiting `ctx.log`
 * would otherwise wait as long as a client chooses not to read. The connection's byte budget
 * (`maxStreamBufferBytes`) bounds what they can queue instead. Replays do wait for the reader: they
 * come from the store as fast as it reads, and a slow reader is paced rather than cut off.
 */
export class SseChannel {
  private connection: EventStream | undefined;
  /** While a resume replays, messages sent meanwhile wait here. */
  private held: { id: string | undefined; event: string }[] | undefined;
  finished = false;

  constructor(
    readonly streamId: string,
    connection: EventStream,
    private readonly store: EventStore | undefined,
  ) {
    this.connection = connection;
  }

  get connected(): boolean {
    return this.open() !== undefined;
  }

  /** The connection while it is open; a closed one is let go, as `detach()` would. */
  private open(): EventStream | undefined {
    const connection = this.connection;
    if (connection?.closed) this.connection = undefined;
    return this.connection;
  }

  async send(message: Outgoing): Promise<void> {
    const id =
      this.store && !Array.isArray(message) ? await this.store.append(this.streamId, message) : undefined;
    const event = sseEvent(JSON.stringify(message), id);
    if (this.held) {
      this.held.push({ id, event });
      return;
    }
    // Not awaited (see the class comment): the write is queued in order, within the budget.
    void this.open()?.write(event);
  }

  /**
   * Continues the stream on a new connection after `Last-Event-ID`: replays what the store kept,
   * holding back messages sent meanwhile, then sends those not replayed, so none is lost or doubled.
   */
  async resume(connection: EventStream, lastEventId: string): Promise<void> {
    this.connection?.end();
    this.connection = undefined;
    const held: { id: string | undefined; event: string }[] = [];
    this.held = held;
    const replayed = new Set<string>();
    try {
      await this.store?.replayAfter(lastEventId, (id, message) => {
        replayed.add(id);
        return connection.write(sseEvent(JSON.stringify(message), id));
      });
    } finally {
      this.held = undefined;
    }
    this.connection = connection;
    for (const { id, event } of held)
      if (id === undefined || !replayed.has(id)) await connection.write(event);
    if (this.finished) connection.end();
  }

  /** A priming event: an id and empty data, plus the reconnection delay (spec 2025-11-25). */
  async prime(retryMs: number): Promise<void> {
    if (!this.store) return;
    const id = await this.store.append(this.streamId, undefined);
    await this.open()?.write(`id: ${id}\nretry: ${retryMs}\ndata: \n\n`);
  }

  keepAlive(): void {
    void this.open()?.write(KEEP_ALIVE);
  }

  /** Ends the current connection but not the logical stream (its messages are still stored). */
  detach(): void {
    this.connection?.end();
    this.connection = undefined;
  }

  /** The stream is complete: end the connection, with its last message in the same write. */
  finish(last?: Outgoing): Promise<void> | undefined {
    if (last === undefined) return this.close();
    if (!this.store || Array.isArray(last)) return this.close(sseEvent(JSON.stringify(last)), undefined);
    return Promise.resolve(this.store.append(this.streamId, last)).then((id) =>
      this.close(sseEvent(JSON.stringify(last), id), id),
    );
  }

  private close(event?: string, id?: string): undefined {
    this.finished = true;
    if (event !== undefined && this.held) this.held.push({ id, event });
    else this.open()?.end(event);
    this.connection = undefined;
    return undefined;
  }
}
