import type { EventStream } from './exchange.js';

const encoder = new TextEncoder();
const RESOLVED = Promise.resolve();
/** Queued bytes past which a writer waits for the reader (backpressure), as before the budget. */
const HIGH_WATER_MARK = 64 * 1024;

/** What the exchange hears from its SSE body. */
export interface WebStreamHooks {
  /** The reader went away (cancel) or fell too far behind (overflow). */
  gone(): void;
  /** The stream ended normally. */
  ended(): void;
}

/**
 * An SSE body as a ReadableStream, and the writer the app uses. A reader that does not pull must
 * not make the app queue without end: a write while more than `budget` bytes are queued errors the
 * stream, which drops the queue. Writers waiting for the reader share one promise, settled when it
 * pulls or the stream ends, so none is left pending.
 */
export function webEventStream(
  budget: number,
  hooks: WebStreamHooks,
): { body: ReadableStream<Uint8Array>; stream: EventStream } {
  const highWaterMark = Math.min(HIGH_WATER_MARK, budget);
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let ended = false;
  let pulled: Promise<void> | undefined;
  let release: (() => void) | undefined;
  const settle = () => {
    const resolve = release;
    if (resolve === undefined) return;
    pulled = undefined;
    release = undefined;
    resolve();
  };
  const finish = () => {
    if (ended) return;
    ended = true;
    settle();
    hooks.gone();
  };
  /** Bytes enqueued and not yet pulled: the size strategy counts bytes, so the queue's desired size says. */
  const queued = () => highWaterMark - (controller.desiredSize ?? 0);
  const overflow = () => {
    controller.error(streamOverflow(budget));
    finish();
  };
  const body = new ReadableStream<Uint8Array>(
    {
      start: (c) => {
        controller = c;
      },
      pull: settle,
      cancel: finish,
    },
    { highWaterMark, size: (chunk) => chunk.byteLength },
  );
  const stream: EventStream = {
    write(chunk) {
      if (ended) return RESOLVED;
      // Checked before enqueueing, so one message always fits however large.
      if (queued() > budget) {
        overflow();
        return RESOLVED;
      }
      controller.enqueue(typeof chunk === 'string' ? encoder.encode(chunk) : chunk);
      if ((controller.desiredSize ?? 1) > 0) return RESOLVED;
      // Backpressure: resolves when the reader pulls again, or the stream ends.
      pulled ??= new Promise((resolve) => {
        release = resolve;
      });
      return pulled;
    },
    end(last) {
      if (ended) return;
      if (queued() > budget) {
        overflow();
        return;
      }
      try {
        if (last !== undefined) controller.enqueue(typeof last === 'string' ? encoder.encode(last) : last);
        controller.close();
      } catch {
        // Already closed by a cancel.
      }
      ended = true;
      settle();
      hooks.ended();
    },
    get closed() {
      return ended;
    },
  };
  return { body, stream };
}

/** Why an SSE body ended early: what its reader sees, with a stable code and what to do. */
function streamOverflow(budget: number): Error {
  return Object.assign(
    new Error(
      `The server closed this event stream: more than ${budget} bytes were waiting for the client to read them (maxStreamBufferBytes). Read the stream as it arrives; a resumable stream can be resumed with Last-Event-ID.`,
    ),
    { code: 'WHARF_STREAM_OVERFLOW' },
  );
}
