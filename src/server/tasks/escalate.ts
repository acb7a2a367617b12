import type { Context } from '../context.js';

/** What `runAsTask()` returns: the rest of a handler's work, for `tools/call` to start as a task. */
export class DeferredTask {
  constructor(readonly work: (ctx: Context) => unknown) {}
}

/**
 * Ends a tool handler by handing the rest of its work to a task (SEP-2663, composed with the
 * multi round-trip of SEP-2322): what the handler asked before this ran in the request, with
 * `input_required` rounds; `work` runs in the background with the task's own `ctx`, and the client
 * gets a `CreateTaskResult`. A 2026-07-28 client that did not declare the tasks extension gets
 * -32021; a 2025 client (no tasks there) gets `work`'s result in the same response.
 *
 * @example
 * ```ts
 * server.tool('report', { description: 'Builds a report for a user' }, async (_args, ctx) => {
 *   const answer = await ctx.elicit({ message: 'Which user?', requestedSchema: USER });
 *   return runAsTask(async () => `Report for ${answer.content?.user_name}: ${await build()}`);
 * });
 * ```
 */
export function runAsTask(work: (ctx: Context) => unknown): DeferredTask {
  return new DeferredTask(work);
}
