import type { CallToolResult } from '../../protocol/types.js';
import type { RequestContext } from '../context.js';
import type { DeferredTask } from './escalate.js';
import { declaresTasks, missingTasksExtension, type TaskSupport } from './extension.js';
import type { TaskRunner } from './runner.js';

/**
 * Does this `tools/call` run as a task? The server decides (SEP-2663, "server-directed"): a tool
 * declared with task support runs as one whenever the request declared the extension; the v1
 * `task` request param is ignored. Throws -32021 for a `required` tool a 2026-07-28 client called
 * without the extension. Earlier eras have no tasks here, so their clients get the result inline.
 */
export function runsAsTask(ctx: RequestContext, support: TaskSupport | undefined, tool: string): boolean {
  if (support === undefined) return false;
  if (declaresTasks(ctx)) return true;
  if (support === 'required' && ctx.scope.features.perRequest) {
    throw missingTasksExtension(`Tool "${tool}" runs only as a task, so calling it`);
  }
  return false;
}

/**
 * A handler returned `runAsTask(work)`: start `work` as a task for a client that declared the
 * extension; refuse a 2026-07-28 client that did not (-32021); run it here for 2025 clients.
 */
export async function continueAsTask(
  host: { readonly tasks: TaskRunner },
  ctx: RequestContext,
  deferred: DeferredTask,
  label: string,
  finish: (value: unknown, ctx: RequestContext) => Promise<CallToolResult>,
): Promise<CallToolResult | Record<string, unknown>> {
  if (declaresTasks(ctx)) {
    return host.tasks.start(ctx, label, async (taskCtx) => finish(await deferred.work(taskCtx), taskCtx));
  }
  if (ctx.scope.features.perRequest)
    throw missingTasksExtension(`${label} continues as a task, so calling it`);
  return finish(await deferred.work(ctx), ctx);
}

/** Does any enabled tool run as a task? Then the extension is advertised and `tasks/*` answered. */
export function offersTasks(host: {
  readonly tools: { enabled(): Iterable<{ readonly taskSupport: TaskSupport | undefined }> };
}): boolean {
  for (const tool of host.tools.enabled()) if (tool.taskSupport !== undefined) return true;
  return false;
}
