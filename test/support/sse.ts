/**
 * One SSE reader for every test: reads a `text/event-stream` body as it arrives, parses it as a
 * client would (HTML, "Interpreting an event stream") and keeps the raw text for byte-level checks.
 * Every wait is bounded; a bound only fails the test. `reader.text` keeps the exact text on the wire.
 *
 * @example
 * ```ts
 * const reader = sseReader(response);
 * const priming = await reader.next('the priming event');
 * const rest = await reader.rest('the stream to end');
 * expect(reader.text).toMatch(/^id: /);
 * ```
 */
import { WAIT_MS } from './common.js';

const realSetTimeout = globalThis.setTimeout;
const realClearTimeout = globalThis.clearTimeout;

/** One server-sent event as a client sees it. */
export interface SseEvent {
  id?: string;
  event?: string;
  /** The data lines joined with "\n"; "" when the event had no data field (or an empty one). */
  data: string;
  retry?: number;
}

/**
 * Reads an SSE body incrementally, from the moment it is made. Events are dispatched at a blank
 * line when any field was seen, so a priming event (an `id` and empty `data`) and a `retry`-only
 * event show up too; comment lines (keep-alives) are kept apart, for `nextComment()`.
 */
export class SseReader {
  /** Every character read so far, decoded: the exact text on the wire. */
  text = '';
  /** Comment lines read and not yet taken by `nextComment()` (without the leading ":"). */
  readonly comments: string[] = [];
  private readonly events: SseEvent[] = [];
  private readonly waiters = new Set<() => boolean>();
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private done = false;
  private failure: unknown;
  private buffer = '';
  private current: { id?: string; event?: string; data: string[]; retry?: number } = { data: [] };
  private seen = false;

  constructor(response: Response) {
    if (!response.body) throw new Error(`Response ${response.status} has no body to read as SSE`);
    this.reader = response.body.getReader();
    void this.pump();
  }

  /** The next event, or undefined once the stream ended. Rejects after `timeoutMs` (default `WAIT_MS`). */
  next(timeoutMs?: number): Promise<SseEvent | undefined>;
  /** The same, naming what is awaited in the timeout error. */
  next(what: string, timeoutMs?: number): Promise<SseEvent | undefined>;
  next(what?: string | number, timeoutMs?: number): Promise<SseEvent | undefined> {
    const [label, ms] = typeof what === 'number' ? [undefined, what] : [what, timeoutMs];
    return this.take(() => this.events.shift(), label ?? 'an SSE event', ms ?? WAIT_MS);
  }

  /** The next comment line, e.g. a keep-alive. Rejects after `timeoutMs`, or when the stream ends first. */
  nextComment(timeoutMs?: number): Promise<string>;
  nextComment(what: string, timeoutMs?: number): Promise<string>;
  async nextComment(what?: string | number, timeoutMs?: number): Promise<string> {
    const [label, ms] = typeof what === 'number' ? [undefined, what] : [what, timeoutMs];
    const comment = await this.take(() => this.comments.shift(), label ?? 'an SSE comment', ms ?? WAIT_MS);
    if (comment === undefined) throw new Error(`The SSE stream ended before ${label ?? 'an SSE comment'}`);
    return comment;
  }

  /** Every remaining event, until the server ends the stream; each one bounded by `timeoutMs`. */
  async rest(what = 'the SSE stream to end', timeoutMs = WAIT_MS): Promise<SseEvent[]> {
    const events: SseEvent[] = [];
    for (;;) {
      const event = await this.next(what, timeoutMs);
      if (!event) return events;
      events.push(event);
    }
  }

  /** True once the stream ended (or was cancelled) and every event was taken. */
  get ended(): boolean {
    return this.done && this.events.length === 0;
  }

  /** Stops reading and cancels the body (the client going away). */
  async cancel(): Promise<void> {
    this.finish();
    await this.reader.cancel().catch(() => undefined);
  }

  /** Resolves with what `pick` finds, or undefined at the end of the stream (rejects if it failed). */
  private take<T>(pick: () => T | undefined, what: string, ms: number): Promise<T | undefined> {
    return new Promise<T | undefined>((resolve, reject) => {
      const attempt = (): boolean => {
        const value = pick();
        if (value === undefined && !this.done) return false;
        realClearTimeout(timer);
        if (value !== undefined) resolve(value);
        else if (this.failure !== undefined) reject(this.failure);
        else resolve(undefined);
        return true;
      };
      // A timed-out wait leaves the queue, so it can never take an event meant for a later one.
      const timer = realSetTimeout(() => {
        this.waiters.delete(attempt);
        reject(
          new Error(
            `Timed out after ${ms} ms waiting for ${what} (read so far: ${JSON.stringify(this.text.slice(-500))})`,
          ),
        );
      }, ms);
      if (!attempt()) this.waiters.add(attempt);
    });
  }

  private wake(): void {
    for (const attempt of [...this.waiters]) if (attempt()) this.waiters.delete(attempt);
  }

  private finish(): void {
    this.done = true;
    this.wake();
  }

  private async pump(): Promise<void> {
    const decoder = new TextDecoder();
    try {
      for (;;) {
        const { done, value } = await this.reader.read();
        if (done) break;
        const chunk = decoder.decode(value, { stream: true });
        this.text += chunk;
        this.buffer += chunk;
        // A "\r" at the end may be the first half of "\r\n": keep it for the next chunk.
        const end = this.buffer.endsWith('\r') ? this.buffer.length - 1 : this.buffer.length;
        const parts = this.buffer.slice(0, end).split(/\r\n|\r|\n/);
        this.buffer = (parts.pop() ?? '') + this.buffer.slice(end);
        for (const part of parts) this.line(part);
        this.wake();
      }
    } catch (error) {
      this.failure = error;
    }
    this.finish();
  }

  private line(text: string): void {
    if (text === '') {
      if (this.seen) {
        const { id, event, data, retry } = this.current;
        this.events.push({
          ...(id === undefined ? {} : { id }),
          ...(event === undefined ? {} : { event }),
          data: data.join('\n'),
          ...(retry === undefined ? {} : { retry }),
        });
      }
      this.current = { data: [] };
      this.seen = false;
      return;
    }
    if (text.startsWith(':')) {
      this.comments.push(text.slice(1).trimStart());
      return;
    }
    const colon = text.indexOf(':');
    const field = colon === -1 ? text : text.slice(0, colon);
    let value = colon === -1 ? '' : text.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    this.seen = true;
    if (field === 'data') this.current.data.push(value);
    else if (field === 'id') this.current.id = value;
    else if (field === 'event') this.current.event = value;
    else if (field === 'retry' && /^\d+$/.test(value)) this.current.retry = Number(value);
  }
}

/** Reads an SSE body incrementally (see `SseReader`). */
export function sseReader(response: Response): SseReader {
  return new SseReader(response);
}

/**
 * Reads SSE events until the stream ends or `count` events arrived (then the body is cancelled).
 * Rejects when the next event takes longer than `timeoutMs` (default `WAIT_MS`).
 */
export async function readSse(
  response: Response,
  options: { count?: number; timeoutMs?: number } = {},
): Promise<SseEvent[]> {
  const reader = new SseReader(response);
  const events: SseEvent[] = [];
  for (;;) {
    if (options.count !== undefined && events.length >= options.count) {
      await reader.cancel();
      return events;
    }
    const event = await reader.next(options.timeoutMs);
    if (!event) return events;
    events.push(event);
  }
}

/** The JSON-RPC message an SSE event carries, or undefined for a priming event (empty data). */
export function messageOf(event: SseEvent): Record<string, unknown> | undefined {
  if (event.data === '') return undefined;
  return JSON.parse(event.data) as Record<string, unknown>;
}
