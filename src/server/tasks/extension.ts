import { McpError } from '../../protocol/errors.js';
import { ErrorCode } from '../../protocol/jsonrpc.js';
import type { TaskStore } from '../../stores/task-store.js';
import type { RequestContext } from '../context.js';

/** The extension's identifier (2026-07-28 "Extensions"; SEP-2663): capability key and `_meta` key. */
export const TASKS_EXTENSION = 'io.modelcontextprotocol/tasks';

/**
 * How a tool runs as a task (the wire's `execution.taskSupport`): `optional` runs as a task when the
 * client declared the extension and inline otherwise; `required` refuses a client that did not.
 */
export type TaskSupport = 'optional' | 'required';

/** The `tasks` server option. */
export interface TaskOptions {
  /** Where task state lives. Default: a `MemoryTaskStore` with its default bounds. */
  store?: TaskStore;
  /** How often a client should poll `tasks/get`, told in every task (`pollIntervalMs`). Default 1,000. */
  pollIntervalMs?: number;
  /**
   * How long `ctx.elicit()`/`ctx.sample()` inside a task wait for `tasks/update` unless the call
   * names its own `timeoutMs`. Default 3,600,000 (one hour): a person may be the one answering.
   */
  inputTimeoutMs?: number;
}

/**
 * Did this request declare the tasks extension? Only 2026-07-28 requests can: the client names it in
 * `_meta["io.modelcontextprotocol/clientCapabilities"].extensions`, per request (SEP-2575).
 */
export function declaresTasks(ctx: RequestContext): boolean {
  if (!ctx.scope.features.perRequest) return false;
  const extensions = ctx.client.capabilities.extensions;
  return typeof extensions === 'object' && extensions !== null && TASKS_EXTENSION in extensions;
}

/** -32021 naming the extension (SEP-2575 "Missing Required Capabilities"), for `what` the client asked. */
export function missingTasksExtension(what: string): McpError {
  return new McpError(
    ErrorCode.MissingRequiredClientCapability,
    `${what} needs the "${TASKS_EXTENSION}" extension, which this request's _meta["io.modelcontextprotocol/clientCapabilities"].extensions does not declare. Declare it and send the request again.`,
    { requiredCapabilities: { extensions: { [TASKS_EXTENSION]: {} } } },
  );
}

/** Who is asking, when the transport knows (`Delivery.principal`, from the app's `principalOf(auth)`). */
export function principalOf(ctx: RequestContext): string | undefined {
  return ctx.scope.delivery.principal;
}
