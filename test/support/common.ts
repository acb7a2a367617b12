/**
 * What every test shares, in-memory or HTTP: the text of a tool result, a promise resolved from
 * outside (`deferred`), a bound on any wait that only ever fails the test (`withTimeout`), polling
 * for a state under such a bound (`until`), cleanup that cannot hang, and `progressSeen` for tools
 * that wait for the client. Tests wait for what they care about, never for a stretch of time.
 *
 * The timers here are the real ones, taken when this module loads, and no bound reads the clock:
 * a test that fakes timers or `Date` (`vi.useFakeTimers()`) still has every wait bounded.
 *
 * @example
 * ```ts
 * const started = deferred();
 * server.tool('slow', { description: 'Waits' }, async () => { started.resolve(); ... });
 * const call = client.callTool({ name: 'slow' });
 * await withTimeout(started.promise, 'the tool to start');
 * ```
 */

const realSetTimeout = globalThis.setTimeout;
const realClearTimeout = globalThis.clearTimeout;

/** The default bound on any single wait: generous, since it only decides when a test has failed. */
export const WAIT_MS = 5_000;

/** The text of the first content block of a tool result (`tools/call` as the SDK client returns it). */
export function textOf(result: unknown): string {
  const [first] = (result as { content?: { type: string; text?: string }[] } | undefined)?.content ?? [];
  if (first?.type !== 'text' || first.text === undefined) {
    throw new Error(`Not a text tool result: ${JSON.stringify(result)}`);
  }
  return first.text;
}

export interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(reason: unknown): void;
}

/** A promise with its resolve function outside, for handlers that report back to the test. */
export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Rejects, naming what was awaited, when `promise` takes longer than `ms`. */
export function withTimeout<T>(promise: Promise<T>, what: string, ms = WAIT_MS): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = realSetTimeout(() => reject(new Error(`Timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => realClearTimeout(timer));
}

/** Polls `condition` every few ms until it holds; rejects naming `what` after `ms`. */
export async function until(
  condition: () => boolean | Promise<boolean>,
  what: string,
  ms = WAIT_MS,
): Promise<void> {
  let expired = false;
  const timer = realSetTimeout(() => {
    expired = true;
  }, ms);
  try {
    while (!(await condition())) {
      if (expired) throw new Error(`Timed out after ${ms} ms waiting for ${what}`);
      await new Promise((resolve) => realSetTimeout(resolve, 10));
    }
  } finally {
    realClearTimeout(timer);
  }
}

/**
 * Resolves after `ms` milliseconds.
 * @deprecated A test that sleeps flakes on a busy machine: wait for the event itself (`deferred`,
 * an SSE event, a request the app saw) or poll for the state with `until`.
 */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => realSetTimeout(resolve, ms));
}

/**
 * Lets a tool wait until the client has handed a progress notification to `onprogress`. The SDK
 * client runs a notification one microtask after a response that came in the same chunk, so a
 * result sent right after a progress can overtake it on its way to `onprogress`; a tool that
 * waits for the client cannot be overtaken. Each `seen(message)` lets one `reached(message)`
 * through, whichever comes first.
 *
 * @example
 * ```ts
 * const progress = progressSeen();
 * // in the tool:  await ctx.progress(1, 2, 'one'); await progress.reached('one');
 * // in the test:  onprogress: ({ message }) => progress.seen(String(message))
 * ```
 */
export function progressSeen() {
  const early = new Map<string, number>();
  const waiting = new Map<string, (() => void)[]>();
  return {
    /** The client saw the progress with this message. */
    seen(message: string): void {
      const waiter = waiting.get(message)?.shift();
      if (waiter) waiter();
      else early.set(message, (early.get(message) ?? 0) + 1);
    },
    /** Resolves once the client has seen the progress with this message (bounded by `WAIT_MS`). */
    reached(message: string): Promise<void> {
      const count = early.get(message) ?? 0;
      if (count > 0) {
        early.set(message, count - 1);
        return Promise.resolve();
      }
      const seen = new Promise<void>((resolve) => {
        waiting.set(message, [...(waiting.get(message) ?? []), resolve]);
      });
      return withTimeout(seen, `the client to see the progress "${message}"`);
    },
  };
}

/** Tasks run after each test, last added first; each one bounded so cleanup never hangs. */
export class Cleanup {
  private readonly tasks: (() => unknown)[] = [];

  add(task: () => unknown): void {
    this.tasks.push(task);
  }

  async run(): Promise<void> {
    const errors: unknown[] = [];
    for (const task of this.tasks.splice(0).reverse()) {
      try {
        await withTimeout(Promise.resolve().then(task), 'a cleanup task');
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length > 0) throw new AggregateError(errors, 'cleanup failed');
  }
}
