import { describeValue, McpError } from '../../protocol/errors.js';
import type { TaskRecord } from '../../stores/task-store.js';
import type { RequestContext } from '../context.js';
import type { ServerCore } from '../core.js';
import { declaresTasks, missingTasksExtension } from './extension.js';
import { toTaskFields } from './runner.js';

type Params = Record<string, unknown>;

/**
 * The task whose `taskId` the request names, refused the way SEP-2663 asks: -32021 when the request
 * did not declare the extension, -32602 when the id is unknown, expired, or another principal's
 * (the same answer, so ids of other principals' tasks cannot be probed).
 */
async function taskOf(
  core: ServerCore,
  ctx: RequestContext,
  params: Params,
  method: string,
): Promise<TaskRecord> {
  if (!declaresTasks(ctx)) throw missingTasksExtension(method);
  const taskId = params.taskId;
  if (typeof taskId !== 'string') {
    throw McpError.invalidParams(`${method} needs a string "taskId": the one tools/call returned.`);
  }
  const record = await core.tasks.find(ctx, taskId);
  if (!record) {
    throw McpError.invalidParams(
      `Unknown task: ${describeValue(taskId)}. It never existed, expired (finished tasks are kept for their ttlMs), or belongs to someone else; call the tool again.`,
    );
  }
  return record;
}

/** `tasks/get`: the task, with its `result` or `error` once finished and its `inputRequests` while waiting. */
export async function getTask(core: ServerCore, ctx: RequestContext, params: Params): Promise<object> {
  return toTaskFields(await taskOf(core, ctx, params, 'tasks/get'));
}

/** `tasks/update`: answers to some or all of the task's `inputRequests`; an empty acknowledgement. */
export async function updateTask(core: ServerCore, ctx: RequestContext, params: Params): Promise<object> {
  const record = await taskOf(core, ctx, params, 'tasks/update');
  const responses = params.inputResponses;
  if (typeof responses !== 'object' || responses === null || Array.isArray(responses)) {
    throw McpError.invalidParams(
      'tasks/update needs "inputResponses": an object of answers keyed as tasks/get named them in "inputRequests".',
    );
  }
  core.tasks.answer(record.taskId, responses as Params);
  return {};
}

/** `tasks/cancel`: an empty acknowledgement, also for a task that already finished (idempotent). */
export async function cancelTask(core: ServerCore, ctx: RequestContext, params: Params): Promise<object> {
  await core.tasks.cancel(await taskOf(core, ctx, params, 'tasks/cancel'));
  return {};
}
