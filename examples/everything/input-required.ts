/**
 * Tools and a prompt that ask the client mid-call, for conformance 0.2's `input-required-result-*`
 * scenarios (multi round-trip, SEP-2322). Under 2026-07-28 Wharf turns `ctx.elicit()`, `ctx.sample()`
 * and `ctx.listRoots()` into an `input_required` result and runs the handler again from the top when
 * the client retries with the answers; answers from earlier rounds come back at once (they ride in the
 * signed `requestState`), so each run asks only what is still unanswered. In a 2025 session the same
 * calls are ordinary requests to the client.
 */
import type {
  CreateMessageParams,
  ElicitParams,
  ElicitResult,
  McpServer,
  PromptMessage,
  RegisteredHandle,
} from 'wharf-mcp';

/** A form asking for one string field. */
const askText = (message: string, name: string): ElicitParams => ({
  message,
  requestedSchema: { type: 'object', properties: { [name]: { type: 'string' } }, required: [name] },
});

const CONFIRM: ElicitParams = {
  message: 'Please confirm',
  requestedSchema: { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'] },
};

/** A one-message question for the client's model. */
const askModel = (text: string, maxTokens: number): CreateMessageParams => ({
  messages: [{ role: 'user', content: { type: 'text', text } }],
  maxTokens,
});

/** The accepted value of one field, or a placeholder when the user declined or cancelled. */
const field = (answer: ElicitResult, name: string): string =>
  answer.action === 'accept' && answer.content?.[name] !== undefined
    ? String(answer.content[name])
    : `(${answer.action})`;

/** A prompt that needs the user's input before it can be written; its handle lets a diagnostic re-offer it. */
export function registerInputRequiredPrompt(server: McpServer): RegisteredHandle {
  return server.prompt(
    'test_input_required_result_prompt',
    { description: 'Asks the user for context, then writes the prompt with it' },
    async (_args, ctx): Promise<PromptMessage[]> => {
      const answer = await ctx.elicit(askText('What context should the prompt use?', 'context'), {
        key: 'user_context',
      });
      return [
        {
          role: 'user',
          content: { type: 'text', text: `Answer using this context: ${field(answer, 'context')}` },
        },
      ];
    },
  );
}

/**
 * The `key` options name the questions as the scenarios expect them in `inputRequests` (without one
 * Wharf numbers them in the order asked: `input-1`, `input-2`, ...).
 */
export function registerInputRequiredTools(server: McpServer): void {
  server.tool(
    'test_input_required_result_elicitation',
    { description: "Asks the user's name, then greets them" },
    async (_args, ctx) => {
      const answer = await ctx.elicit(askText('What is your name?', 'name'), { key: 'user_name' });
      return `Hello, ${field(answer, 'name')}!`;
    },
  );
  server.tool(
    'test_input_required_result_sampling',
    { description: "Asks the client's model a question" },
    async (_args, ctx) => {
      const { content } = await ctx.sample(askModel('What is the capital of France?', 100), {
        key: 'sample_request',
      });
      return `Sampling result: ${content.type === 'text' ? content.text : `(${content.type} content)`}`;
    },
  );
  server.tool(
    'test_input_required_result_list_roots',
    { description: "Counts the client's roots" },
    async (_args, ctx) => {
      const roots = await ctx.listRoots({ key: 'roots_request' });
      return `Found ${roots.length} root(s)`;
    },
  );
  // Every input_required result carries a signed requestState; a retry whose state was altered is
  // refused (-32602) before the handler runs again.
  for (const name of [
    'test_input_required_result_request_state',
    'test_input_required_result_tampered_state',
  ]) {
    server.tool(name, { description: 'Asks the user to confirm' }, async (_args, ctx) => {
      const answer = await ctx.elicit(CONFIRM, { key: 'confirm' });
      return answer.action === 'accept' && answer.content?.ok === true
        ? 'state-ok: confirmed'
        : 'state-ok: not confirmed';
    });
  }
  // Asked together, so all three leave in one input_required result.
  server.tool(
    'test_input_required_result_multiple_inputs',
    { description: 'Asks for a name, a greeting and the roots at once' },
    async (_args, ctx) => {
      const [name, greeting, roots] = await Promise.all([
        ctx.elicit(askText('What is your name?', 'name'), { key: 'user_name' }),
        ctx.sample(askModel('Generate a greeting', 50), { key: 'greeting' }),
        ctx.listRoots({ key: 'client_roots' }),
      ]);
      const said = greeting.content.type === 'text' ? greeting.content.text : '';
      return `${said} ${field(name, 'name')} (${roots.length} root(s))`;
    },
  );
  // One question per round: the second is asked only once the first is answered.
  server.tool(
    'test_input_required_result_multi_round',
    { description: 'Asks a name, then a favourite colour' },
    async (_args, ctx) => {
      const name = field(
        await ctx.elicit(askText('Step 1: What is your name?', 'name'), { key: 'step1' }),
        'name',
      );
      const color = field(
        await ctx.elicit(askText('Step 2: What is your favorite color?', 'color'), { key: 'step2' }),
        'color',
      );
      return `Multi-round complete for ${name} who likes ${color}`;
    },
  );
  // Asks only in the ways the request's client declared (a question it cannot answer is -32021).
  server.tool(
    'test_input_required_result_capabilities',
    { description: 'Asks the client only through the capabilities it declared' },
    async (_args, ctx) => {
      const { sampling, elicitation } = ctx.client.capabilities;
      const [sampled, elicited] = await Promise.all([
        sampling ? ctx.sample(askModel('Sample request', 50), { key: 'sample_input' }) : undefined,
        elicitation ? ctx.elicit(askText('Elicit request', 'value'), { key: 'elicit_input' }) : undefined,
      ]);
      if (!sampled && !elicited) {
        return 'The client declared neither sampling nor elicitation: nothing to ask.';
      }
      return `Asked through: ${[sampled && 'sampling', elicited && 'elicitation'].filter(Boolean).join(', ')}`;
    },
  );
}
