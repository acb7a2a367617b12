import type { Outgoing } from '../protocol/transport.js';
import type { EventStore } from '../stores/event-store.js';
import type { EventStream } from './exchange.js';

/** Headers of every SSE response: no caching or transforming (compression), no proxy buffering. */
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
 * dropping), messages are only stored, and `attach()` of a resumed GET carries the rest.
 */
export class SseChannel {
  private connection: EventStream | undefined;
  finished = false;

  constructor(
    readonly streamId: string,
    connection: EventStream,
    private readonly store: EventStore | undefined,
  ) {
    this.connection = connection;
  }

  get connected(): boolean {
    return this.connection !== undefined && !this.connection.closed;
  }

  async send(message: Outgoing): Promise<void> {
    const id =
      this.store && !Array.isArray(message) ? await this.store.append(this.streamId, message) : undefined;
    const connection = this.connection;
    if (connection && !connection.closed) await connection.write(sseEvent(JSON.stringify(message), id));
  }

  /** A priming event: an id and empty data, plus the reconnection delay (spec 2025-11-25). */
  async prime(retryMs: number): Promise<void> {
    if (!this.store) return;
    const id = await this.store.append(this.streamId, undefined);
    await this.connection?.write(`id: ${id}\nretry: ${retryMs}\ndata: \n\n`);
  }

  keepAlive(): void {
    if (this.connected) void this.connection?.write(KEEP_ALIVE);
  }

  /** Ends the current connection but not the logical stream (its messages are still stored). */
  detach(): void {
    this.connection?.end();
    this.connection = undefined;
  }

  attach(connection: EventStream): void {
    this.connection = connection;
  }

  /** The stream is complete: end the connection. */
  finish(): void {
    this.finished = true;
    this.connection?.end();
    this.connection = undefined;
  }
}
