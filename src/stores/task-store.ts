import { McpError, WharfError, WharfErrorCode } from '../protocol/errors.js';
import { ErrorCode } from '../protocol/jsonrpc.js';

/** Where a task is in its life (`io.modelcontextprotocol/tasks`); the last three are final. */
export type TaskStatus = 'working' | 'input_required' | 'completed' | 'failed' | 'cancelled';

/** A request the task waits on the client for (`elicitation/create`, …), as `tasks/get` shows it. */
export interface TaskInputRequest {
  method: string;
  params?: Record<string, unknown>;
}

/** One task as stored: what `tasks/get` answers, plus who owns it. */
export interface TaskRecord {
  taskId: string;
  /** The principal that created it; only it may see or touch the task. Undefined: anyone who knows the id. */
  owner?: string;
  status: TaskStatus;
  statusMessage?: string;
  /** ISO 8601, stamped by the store. */
  createdAt: string;
  lastUpdatedAt: string;
  /** How long the task is kept once it has finished, in milliseconds. */
  ttlMs: number;
  pollIntervalMs?: number;
  /** The tool's result, when `completed`. */
  result?: Record<string, unknown>;
  /** The JSON-RPC error, when `failed`. */
  error?: { code: number; message: string; data?: unknown };
  /** Open questions to the client, by server-minted key, while `input_required`. */
  inputRequests?: Record<string, TaskInputRequest>;
}

export type NewTask = Pick<TaskRecord, 'taskId' | 'owner' | 'pollIntervalMs' | 'statusMessage'>;

/** A change to a task; `undefined` in a field leaves it, `null` in `statusMessage` clears it. */
export type TaskPatch = Partial<
  Pick<TaskRecord, 'status' | 'result' | 'error' | 'inputRequests'> & { statusMessage: string | null }
>;

/**
 * Where task state lives, so that a task outlives the request that created it. The memory store
 * serves one process; a store shared by several instances (Redis) implements the same four methods.
 * Stores stamp `createdAt`/`lastUpdatedAt` and `ttlMs`, and drop finished tasks once their TTL ends.
 */
export interface TaskStore {
  /** Stores a new `working` task. Rejects (an `McpError`) when the store is full. */
  create(task: NewTask): Promise<TaskRecord>;
  /** The task, or undefined when unknown or expired. */
  get(taskId: string): Promise<TaskRecord | undefined>;
  /** Applies `patch` and returns the task as it is now; undefined when unknown or expired. */
  update(taskId: string, patch: TaskPatch): Promise<TaskRecord | undefined>;
  delete(taskId: string): Promise<void>;
}

export interface MemoryTaskStoreOptions {
  /** Tasks kept at once, running or finished-but-not-expired; past it `create` is refused. Default 1,000. */
  maxTasks?: number;
  /** How long a finished task stays readable, from when it finished. Default 3,600,000 (one hour). */
  ttlMs?: number;
  /** Largest result or error kept, in bytes of JSON; a bigger one is refused. Default 1,048,576 (1 MiB). */
  maxResultBytes?: number;
  /** The clock, in epoch milliseconds; tests inject one. Default `Date.now`. */
  now?: () => number;
}

const FINAL: ReadonlySet<TaskStatus> = new Set(['completed', 'failed', 'cancelled']);

/** Is this status one a task never leaves? */
export function isFinalStatus(status: TaskStatus): boolean {
  return FINAL.has(status);
}

/**
 * An in-process task store, bounded: at most `maxTasks` tasks, results of at most `maxResultBytes`,
 * and finished tasks forgotten `ttlMs` after they finished. A running task is never expired (the
 * server cancels running tasks when it closes), so the TTL a client is told is always honoured.
 *
 * @example
 * ```ts
 * new McpServer({ name: 'jobs', version: '1.0.0', tasks: { store: new MemoryTaskStore({ maxTasks: 100 }) } });
 * ```
 */
export class MemoryTaskStore implements TaskStore {
  private readonly tasks = new Map<string, { record: TaskRecord; expiresAt: number }>();
  private readonly maxTasks: number;
  private readonly ttlMs: number;
  private readonly maxResultBytes: number;
  private readonly now: () => number;

  constructor(options: MemoryTaskStoreOptions = {}) {
    this.maxTasks = positive(options.maxTasks, 1000, 'maxTasks');
    this.ttlMs = positive(options.ttlMs, 3_600_000, 'ttlMs');
    this.maxResultBytes = positive(options.maxResultBytes, 1_048_576, 'maxResultBytes');
    this.now = options.now ?? Date.now;
  }

  async create(task: NewTask): Promise<TaskRecord> {
    if (this.tasks.size >= this.maxTasks) this.sweep();
    if (this.tasks.size >= this.maxTasks) {
      throw new McpError(
        ErrorCode.InternalError,
        `This server holds as many tasks as it may (${this.maxTasks}), so no new task can start. Try again later: finished tasks are dropped ${this.ttlMs} ms after they finish.`,
      );
    }
    const at = new Date(this.now()).toISOString();
    const record: TaskRecord = {
      ...task,
      status: 'working',
      createdAt: at,
      lastUpdatedAt: at,
      ttlMs: this.ttlMs,
    };
    this.tasks.set(task.taskId, { record, expiresAt: Number.POSITIVE_INFINITY });
    return structuredClone(record);
  }

  async get(taskId: string): Promise<TaskRecord | undefined> {
    const stored = this.live(taskId);
    return stored && structuredClone(stored.record);
  }

  async update(taskId: string, patch: TaskPatch): Promise<TaskRecord | undefined> {
    const stored = this.live(taskId);
    if (!stored) return undefined;
    const kept = patch.result ?? patch.error;
    if (kept !== undefined) {
      const bytes = new TextEncoder().encode(JSON.stringify(kept)).byteLength;
      if (bytes > this.maxResultBytes) {
        throw new McpError(
          ErrorCode.InternalError,
          `The task's result is ${bytes} bytes of JSON, more than the ${this.maxResultBytes} a task may keep. Return less (a resource link to the data, say) or raise maxResultBytes.`,
        );
      }
    }
    const { statusMessage, ...rest } = patch;
    const record = Object.assign(stored.record, structuredClone(rest));
    if (statusMessage === null) delete record.statusMessage;
    else if (statusMessage !== undefined) record.statusMessage = statusMessage;
    if (record.inputRequests && Object.keys(record.inputRequests).length === 0) delete record.inputRequests;
    const now = this.now();
    record.lastUpdatedAt = new Date(now).toISOString();
    if (isFinalStatus(record.status) && stored.expiresAt === Number.POSITIVE_INFINITY) {
      stored.expiresAt = now + this.ttlMs;
    }
    return structuredClone(record);
  }

  async delete(taskId: string): Promise<void> {
    this.tasks.delete(taskId);
  }

  private live(taskId: string) {
    const stored = this.tasks.get(taskId);
    if (stored && stored.expiresAt <= this.now()) {
      this.tasks.delete(taskId);
      return undefined;
    }
    return stored;
  }

  /** Forgets every expired task (only when full: lookups expire the one they touch). */
  private sweep(): void {
    const now = this.now();
    for (const [taskId, stored] of this.tasks) if (stored.expiresAt <= now) this.tasks.delete(taskId);
  }
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value <= 0) {
    throw new WharfError(
      WharfErrorCode.InvalidOption,
      `MemoryTaskStore option ${name} must be a positive integer; got ${value}.`,
    );
  }
  return value;
}
