import { McpError, WharfError, WharfErrorCode } from '../../protocol/errors.js';
import { ErrorCode, type JsonRpcErrorObject, type JsonRpcMessage } from '../../protocol/jsonrpc.js';
import type { CallToolResult } from '../../protocol/types.js';
import {
  isFinalStatus,
  MemoryTaskStore,
  type TaskPatch,
  type TaskRecord,
  type TaskStore,
} from '../../stores/task-store.js';
import { RequestContext } from '../context.js';
import type { RequestScope } from '../scope.js';
import { TaskAsker } from './asker.js';
import { principalOf, type TaskOptions } from './extension.js';

/** A task running in this process: its handler's context, its questions, its writes in order. */
interface Running {
  readonly ctx: RequestContext;
  readonly asker: TaskAsker;
  /** Set once this process wrote a final status; later writes (a late result, a question closing) are dropped. */
  final: boolean;
  /** Writes to the store, chained so a slow store cannot reorder them. */
  writes: Promise<unknown>;
}

/**
 * Runs task tools in the background and keeps their state in the `TaskStore`: `start` answers
 * `tools/call` with the created task once it is stored (so an immediate `tasks/get` finds it, as
 * SEP-2663 requires), then the handler runs with its own context, whose `elicit`/`sample` wait on
 * `tasks/update`, and whose `signal` aborts on `tasks/cancel` or when the server closes.
 */
export class TaskRunner {
  readonly store: TaskStore;
  private readonly pollIntervalMs: number;
  private readonly inputTimeoutMs: number;
  private readonly running = new Map<string, Running>();

  constructor(
    options: TaskOptions | undefined,
    private readonly reportError: (error: unknown, where?: string) => void,
  ) {
    this.store = options?.store ?? new MemoryTaskStore();
    this.pollIntervalMs = positive(options?.pollIntervalMs, 1000, 'tasks.pollIntervalMs');
    this.inputTimeoutMs = positive(options?.inputTimeoutMs, 3_600_000, 'tasks.inputTimeoutMs');
  }

  /** Creates the task, starts `work` in the background, and returns the `CreateTaskResult` fields. */
  async start(
    ctx: RequestContext,
    label: string,
    work: (taskCtx: RequestContext) => Promise<CallToolResult>,
  ): Promise<Record<string, unknown>> {
    const taskId = globalThis.crypto.randomUUID();
    const owner = principalOf(ctx);
    const record = await this.store.create({
      taskId,
      pollIntervalMs: this.pollIntervalMs,
      ...(owner === undefined ? {} : { owner }),
    });
    // The closures run only once the handler asks or reports, after `running` exists.
    const asker = new TaskAsker((open) => {
      const status = Object.keys(open).length > 0 ? 'input_required' : 'working';
      this.write(running, taskId, { status, inputRequests: open });
    }, this.inputTimeoutMs);
    const scope = taskScope(ctx.scope, asker, (message) => this.onMessage(running, taskId, message));
    const running: Running = {
      ctx: new RequestContext(scope, ctx.requestId, ctx.meta),
      asker,
      final: false,
      writes: Promise.resolve(),
    };
    this.running.set(taskId, running);
    // Not awaited: the client learns the outcome from tasks/get.
    void this.run(running, taskId, label, work);
    return { resultType: 'task', ...toTaskFields(record) };
  }

  /** The task `ctx` may see: unknown, expired and another principal's tasks are all undefined. */
  async find(ctx: RequestContext, taskId: string): Promise<TaskRecord | undefined> {
    const record = await this.store.get(taskId);
    return record && record.owner === principalOf(ctx) ? record : undefined;
  }

  /** Hands `tasks/update` answers to the task's waiting questions (if it runs here). */
  answer(taskId: string, responses: Record<string, unknown>): void {
    this.running.get(taskId)?.asker.answer(responses);
  }

  /** `tasks/cancel`: the task is `cancelled` now, and its handler's `ctx.signal` aborts. */
  async cancel(record: TaskRecord, reason = 'The client cancelled the task (tasks/cancel).'): Promise<void> {
    if (isFinalStatus(record.status)) return;
    const running = this.running.get(record.taskId);
    if (!running) {
      // Started elsewhere (another instance sharing the store) or before a restart.
      await this.store.update(record.taskId, {
        status: 'cancelled',
        statusMessage: reason,
        inputRequests: {},
      });
      return;
    }
    const written = this.finish(running, record.taskId, { status: 'cancelled', statusMessage: reason });
    running.ctx.cancel(new Error(reason));
    await written;
  }

  /**
   * The server is closing: every task still running here is `failed` (its client should call the
   * tool again) and its handler's signal aborts, so no background work outlives the server.
   */
  async close(): Promise<void> {
    const message = 'The server shut down before this task finished. Call the tool again.';
    const writes: Promise<unknown>[] = [];
    for (const [taskId, running] of this.running) {
      writes.push(
        this.finish(running, taskId, { status: 'failed', error: { code: ErrorCode.InternalError, message } }),
      );
      running.ctx.cancel(new Error(message));
    }
    await Promise.allSettled(writes);
  }

  private async run(
    running: Running,
    taskId: string,
    label: string,
    work: (taskCtx: RequestContext) => Promise<CallToolResult>,
  ): Promise<void> {
    let patch: TaskPatch;
    try {
      const result = await work(running.ctx);
      patch = { status: 'completed', result: result as unknown as Record<string, unknown> };
    } catch (error) {
      if (running.final) return;
      patch = { status: 'failed', error: this.toError(error, label) };
    }
    try {
      await this.finish(running, taskId, patch);
    } catch (error) {
      // The store refused the result (too large, say): the task still has to end.
      await this.store
        .update(taskId, { status: 'failed', error: this.toError(error, label), inputRequests: {} })
        .catch((failure: unknown) => this.reportError(failure, `task store (${label})`));
    } finally {
      this.running.delete(taskId);
    }
  }

  private finish(running: Running, taskId: string, patch: TaskPatch): Promise<unknown> {
    if (running.final) return running.writes;
    const written = this.write(running, taskId, { ...patch, inputRequests: {} });
    running.final = true;
    this.running.delete(taskId);
    return written;
  }

  private write(running: Running, taskId: string, patch: TaskPatch): Promise<unknown> {
    if (running.final) return running.writes;
    const written = running.writes.then(() => this.store.update(taskId, patch));
    // The chain goes on after a failed write; the caller of this one sees the failure.
    running.writes = written.catch((error: unknown) => this.reportError(error, `task store (${taskId})`));
    return written;
  }

  /** Progress inside a task becomes its `statusMessage`; logs have nowhere to go. */
  private onMessage(running: Running, taskId: string, message: JsonRpcMessage): void {
    if (!('method' in message) || message.method !== 'notifications/progress') return;
    const text = message.params?.message;
    if (typeof text === 'string') this.write(running, taskId, { statusMessage: text });
  }

  /** A throw ends the task `failed`: an `McpError` as it is, anything else hidden as -32603. */
  private toError(error: unknown, label: string): JsonRpcErrorObject {
    if (error instanceof McpError) return error.toJson();
    this.reportError(error, label);
    return { code: ErrorCode.InternalError, message: `Internal error while running ${label} as a task.` };
  }
}

/** What `tasks/get` and `CreateTaskResult` show of a task (never its owner). */
export function toTaskFields(record: TaskRecord): Record<string, unknown> {
  const { owner: _owner, ...fields } = record;
  return fields;
}

/**
 * The scope of a task's handler: the creating request's client, version and identity, but none of
 * its stream (it has ended by the time the task runs): asking goes through `asker`, and messages
 * to `send` (progress, logs) are kept or dropped by the runner.
 */
function taskScope(
  scope: RequestScope,
  asker: TaskAsker,
  send: (message: JsonRpcMessage) => void,
): RequestScope {
  const {
    signal: _signal,
    reply: _reply,
    closeStream: _close,
    interrupt: _interrupt,
    ...delivery
  } = scope.delivery;
  return Object.assign({}, scope, { delivery, send, asker, session: undefined });
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value <= 0) {
    throw new WharfError(WharfErrorCode.InvalidOption, `${name} must be a positive integer; got ${value}.`);
  }
  return value;
}
