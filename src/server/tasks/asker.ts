import { McpError } from '../../protocol/errors.js';
import { ErrorCode } from '../../protocol/jsonrpc.js';
import type { TaskInputRequest } from '../../stores/task-store.js';
import type { Asking, ClientAsker, ClientRequestOptions } from '../scope.js';

interface Waiting {
  readonly request: TaskInputRequest;
  resolve(result: Record<string, unknown>): void;
  reject(error: unknown): void;
}

/**
 * How a task asks its client (SEP-2663 with SEP-2322 input requests): nothing is sent. The question
 * is kept under a fresh key, the task shows it in `tasks/get` (`input_required`, `inputRequests`),
 * and `tasks/update` brings the answer, which resolves the waiting `ctx.elicit()`/`ctx.sample()`.
 * Several questions may be open at once; each is answered on its own.
 */
export class TaskAsker implements ClientAsker {
  private readonly waiting = new Map<string, Waiting>();
  private next = 0;

  constructor(
    /** Called whenever the open questions change, with all of them (empty: back to `working`). */
    private readonly publish: (open: Record<string, TaskInputRequest>) => void,
    private readonly defaultTimeoutMs: number,
  ) {}

  ask(
    method: string,
    params: Record<string, unknown> | undefined,
    asking: Asking,
    _send: unknown,
    options?: ClientRequestOptions,
  ): Promise<Record<string, unknown>> {
    if (asking.cancelled) return Promise.reject(asking.signal.reason);
    // Keys are opaque to the client: the handler's own (`{ key }`) unless it is taken, else a counter.
    const own = options?.key;
    const key = own !== undefined && !this.waiting.has(own) ? own : `${method.split('/')[0]}-${++this.next}`;
    const request: TaskInputRequest = params === undefined ? { method } : { method, params };
    return new Promise((resolve, reject) => {
      const timeoutMs = options?.timeoutMs ?? this.defaultTimeoutMs;
      const timer = setTimeout(() => {
        this.settle(key);
        reject(
          new McpError(
            ErrorCode.RequestTimeout,
            `The client did not answer ${method} through tasks/update within ${timeoutMs} ms.`,
          ),
        );
      }, timeoutMs);
      const onAbort = () => {
        this.settle(key);
        reject(asking.signal.reason);
      };
      asking.signal.addEventListener('abort', onAbort, { once: true });
      const done = () => {
        clearTimeout(timer);
        asking.signal.removeEventListener('abort', onAbort);
      };
      this.waiting.set(key, {
        request,
        resolve: (result) => {
          done();
          resolve(result);
        },
        reject: (error) => {
          done();
          reject(error);
        },
      });
      this.publish(this.open());
    });
  }

  /**
   * Answers from `tasks/update`. Keys this task is not waiting on are ignored (the client may answer
   * a question that timed out, or repeat itself). Returns how many were answered.
   */
  answer(responses: Record<string, unknown>): number {
    let answered = 0;
    for (const [key, response] of Object.entries(responses)) {
      const waiting = this.waiting.get(key);
      if (!waiting || typeof response !== 'object' || response === null || Array.isArray(response)) continue;
      this.waiting.delete(key);
      answered++;
      waiting.resolve(response as Record<string, unknown>);
    }
    if (answered > 0) this.publish(this.open());
    return answered;
  }

  private settle(key: string): void {
    if (this.waiting.delete(key)) this.publish(this.open());
  }

  private open(): Record<string, TaskInputRequest> {
    const open: Record<string, TaskInputRequest> = {};
    for (const [key, waiting] of this.waiting) open[key] = waiting.request;
    return open;
  }
}
