import { McpError } from '../protocol/errors.js';
import { HttpRefusal } from './refusals.js';

/** What the app does at each step of a shutdown; the lifecycle decides when. */
export interface ShutdownSteps {
  /** How long the calls in flight may take to finish (`shutdownGraceMs`). */
  readonly graceMs: number;
  /** Past the grace period: answer every call still running with `error`, and abort its handler. */
  interrupt(error: McpError): void;
  /** Once nothing runs (or nothing more will): end sessions, stop listening, close the server. */
  finish(): Promise<void>;
  /** Whatever happened: stop handling signals. */
  always(): void;
}

/**
 * An app's life: open; closing (calls in flight may finish, new requests get 503); closed. It
 * counts the requests being served, so a shutdown can wait for them, and runs the shutdown once.
 */
export class AppLifecycle {
  phase: 'open' | 'closing' | 'closed' = 'open';
  private closing: Promise<void> | undefined;
  /** Requests being served right now, and who waits for there to be none (`settled()`). */
  private active = 0;
  private onIdle: (() => void) | undefined;

  /** A request starts being served. */
  enter(): void {
    this.active++;
  }

  /** A request is done (for an SSE answer, after its last event). */
  leave(): void {
    this.active--;
    if (this.active === 0) this.onIdle?.();
  }

  /** Shuts down once; every call returns the same promise. */
  close(steps: ShutdownSteps): Promise<void> {
    this.closing ??= this.shutdown(steps);
    return this.closing;
  }

  private async shutdown(steps: ShutdownSteps): Promise<void> {
    this.phase = 'closing';
    try {
      if (!(await this.settled(steps.graceMs))) {
        // Past the grace period: each call still running is answered with an error the way it
        // expects (its SSE stream, its JSON body, the legacy stream), and its handler is aborted.
        steps.interrupt(shuttingDown(steps.graceMs));
        await this.settled(ANSWERS_WRITTEN_MS);
      }
      this.phase = 'closed';
      await steps.finish();
    } finally {
      this.phase = 'closed';
      steps.always();
    }
  }

  /** Resolves true once no request is being served, or false after `ms` if some still are. */
  private settled(ms: number): Promise<boolean> {
    if (this.active === 0) return Promise.resolve(true);
    if (ms === 0) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.onIdle = undefined;
        resolve(false);
      }, ms);
      this.onIdle = () => {
        clearTimeout(timer);
        this.onIdle = undefined;
        resolve(true);
      };
    });
  }
}

/**
 * After the interrupt, how long requests still running get to finish. An interrupted call's answer
 * is written at once (writes never wait for a client to read); only what nothing can interrupt (a
 * stateless call, a custom route) waits this long before its connection is closed.
 */
const ANSWERS_WRITTEN_MS = 1_000;

/** The answer to a call cut off by shutdown: the `ShuttingDown` refusal's codes, as a JSON-RPC error. */
function shuttingDown(graceMs: number): McpError {
  const { code, rpcCode } = HttpRefusal.ShuttingDown;
  return new McpError(
    rpcCode,
    `Server shutting down: this call did not finish within the ${graceMs} ms grace period and was stopped. Retry it against a running instance.`,
    { code },
  );
}
