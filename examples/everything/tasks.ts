/**
 * The tools the conformance suite's `tasks-*` scenarios call (the `io.modelcontextprotocol/tasks`
 * extension, 2026-07-28): one that never runs as a task, and task tools that finish, fail, wait on
 * the client, and can be cancelled.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ErrorCode, McpError, type McpServer, runAsTask } from 'wharf-mcp';
import { z } from 'zod';

const CONFIRM = {
  type: 'object',
  properties: { confirm: { type: 'boolean', description: 'Go ahead?' } },
  required: ['confirm'],
} as const;

export function registerTaskTools(server: McpServer): void {
  server.tool(
    'greet',
    { description: 'Greets someone; always answers at once', inputSchema: z.object({ name: z.string() }) },
    ({ name }) => `Hello, ${name}!`,
  );
  server.tool(
    'slow_compute',
    {
      description: 'Waits the given number of seconds, then reports; runs as a task for clients that can',
      inputSchema: z.object({ seconds: z.number().min(0).max(600), label: z.string().optional() }),
      task: 'optional',
    },
    async ({ seconds, label }, ctx) => {
      // Aborts on tasks/cancel, so a cancelled task stops waiting at once.
      await sleep(seconds * 1000, undefined, { signal: ctx.signal });
      return `Computed ${label ?? 'result'} after ${seconds} s`;
    },
  );
  server.tool(
    'failing_job',
    { description: 'Runs for about a second, then reports a tool error; only as a task', task: 'required' },
    async (_args, ctx) => {
      await sleep(1000, undefined, { signal: ctx.signal });
      return { content: [{ type: 'text', text: 'The job failed: the input was rejected.' }], isError: true };
    },
  );
  server.tool(
    'protocol_error_job',
    { description: 'Fails with a protocol error, so its task ends failed', task: 'optional' },
    () => {
      throw new McpError(ErrorCode.InternalError, 'protocol_error_job failed on purpose.');
    },
  );
  server.tool(
    'confirm_delete',
    {
      description: 'Asks the user to confirm, then deletes (pretends to)',
      inputSchema: z.object({ filename: z.string() }),
      task: 'optional',
    },
    async ({ filename }, ctx) => {
      const answer = await ctx.elicit({ message: `Delete ${filename}?`, requestedSchema: CONFIRM });
      const confirmed = answer.action === 'accept' && answer.content?.confirm === true;
      return confirmed ? `Deleted ${filename}` : `Kept ${filename}`;
    },
  );
  server.tool(
    'multi_input',
    { description: 'Asks two questions at once, then reports both answers', task: 'optional' },
    async (_args, ctx) => {
      const [first, second] = await Promise.all([
        ctx.elicit({ message: 'First input?', requestedSchema: CONFIRM }),
        ctx.elicit({ message: 'Second input?', requestedSchema: CONFIRM }),
      ]);
      return `Got ${first.action} and ${second.action}`;
    },
  );
  server.tool(
    'test_tool_with_task',
    { description: "Asks the user's name in the request, then builds the greeting as a task" },
    async (_args, ctx) => {
      const schema = {
        type: 'object',
        properties: { name: { type: 'string' } },
        required: ['name'],
      } as const;
      // Round 1 answers input_required; the retry brings the answer, and the rest becomes a task.
      const answer = await ctx.elicit(
        { message: 'What is your name?', requestedSchema: schema },
        { key: 'user_name' },
      );
      const name = String(answer.content?.name ?? 'stranger');
      return runAsTask(async (taskCtx) => {
        await sleep(200, undefined, { signal: taskCtx.signal });
        return `Hello, ${name}! Your task is done.`;
      });
    },
  );
}
