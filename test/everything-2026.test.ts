/**
 * The everything fixture's 2026-07-28 tools (examples/everything/era-2026.ts, input-required.ts) over
 * HTTP, in process: what conformance 0.2 (`.ci/conformance-2026`) checks of them, kept in the test
 * suite so CI sees a regression before the conformance run does. Every 2026 message the server sends
 * is checked against the schema (with `WHARF_SPEC_DIR`).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createEverythingServer } from '../examples/everything/server.js';
import { Cleanup, type Served, serve, textOf } from './support/bindings.js';
import { post, request } from './support/era-2026.js';

const CAPABILITIES = { sampling: {}, elicitation: {}, roots: { listChanged: true } };
const accept = (content: Record<string, unknown>) => ({ action: 'accept', content });

describe('the everything fixture under 2026-07-28', () => {
  const cleanup = new Cleanup();
  afterEach(() => cleanup.run());
  const start = () => serve(createEverythingServer().httpApp(), 'node', { cleanup });
  const call = (served: Served, id: number, name: string, params = {}, extra = {}) =>
    post(served, request(id, 'tools/call', { name, arguments: {}, ...params }, extra));

  it('lists first a tool that takes {} (the header-whitespace check calls tools[0] with no arguments)', async () => {
    const served = await start();
    const { response } = await post(served, request(1, 'tools/list'));
    const [first] = response.result.tools;
    expect(first.inputSchema).toEqual({ type: 'object', properties: {} });
    expect((await call(served, 2, first.name)).response.result.isError).toBeUndefined();
  });

  it('test_missing_capability: 400 and -32021 naming sampling when it is not declared, "Success" is never reached', async () => {
    const served = await start();
    const refused = await call(served, 1, 'test_missing_capability');
    expect(refused.status).toBe(400);
    expect(refused.response.error).toMatchObject({
      code: -32021,
      data: { requiredCapabilities: { sampling: {} } },
    });
    // Declared: the question goes back as input_required instead.
    const asked = await call(served, 2, 'test_missing_capability', {}, { clientCapabilities: CAPABILITIES });
    expect(asked.response.result.resultType).toBe('input_required');
  });

  it('test_logging_tool logs only for a request that names a log level', async () => {
    const served = await start();
    const silent = await call(served, 1, 'test_logging_tool');
    expect(silent.messages.filter((message) => message.method === 'notifications/message')).toEqual([]);
    expect(textOf(silent.response.result)).toBe('Logging evaluated');
    const chatty = await call(served, 2, 'test_logging_tool', {}, { logLevel: 'info' });
    expect(chatty.messages.map((message) => message.method ?? 'response')).toEqual([
      'notifications/message',
      'response',
    ]);
  });

  it('test_streaming_elicitation answers input_required, never a request on the stream', async () => {
    const served = await start();
    const answer = await call(
      served,
      1,
      'test_streaming_elicitation',
      {},
      {
        clientCapabilities: { elicitation: {} },
      },
    );
    expect(answer.messages.filter((message) => 'method' in message && 'id' in message)).toEqual([]);
    expect(answer.response.result.resultType).toBe('input_required');
  });

  it('test_header_param checks Mcp-Param-Region: Base64 accepted, bad padding and a missing header refused', async () => {
    const served = await start();
    const args = { arguments: { region: 'Hello' } };
    const encoded = await post(served, request(1, 'tools/call', { name: 'test_header_param', ...args }), {
      'mcp-param-region': '=?base64?SGVsbG8=?=',
    });
    expect(textOf(encoded.response.result)).toBe('Region: Hello');
    for (const header of ['=?base64?SGVsbG8?=', undefined]) {
      const refused = await post(served, request(2, 'tools/call', { name: 'test_header_param', ...args }), {
        'mcp-param-region': header,
      });
      expect([refused.status, refused.response.error?.code], String(header)).toEqual([400, -32020]);
    }
  });

  it('test_input_required_result_multi_round asks one question per round, each with a new state', async () => {
    const served = await start();
    const meta = { clientCapabilities: CAPABILITIES };
    const name = 'test_input_required_result_multi_round';
    const r1 = (await call(served, 1, name, {}, meta)).response.result;
    expect(r1).toMatchObject({ resultType: 'input_required', requestState: expect.any(String) });
    expect(Object.keys(r1.inputRequests)).toEqual(['step1']);
    const r2 = (
      await call(
        served,
        2,
        name,
        { inputResponses: { step1: accept({ name: 'Alice' }) }, requestState: r1.requestState },
        meta,
      )
    ).response.result;
    expect(Object.keys(r2.inputRequests)).toEqual(['step2']);
    expect(r2.requestState).not.toBe(r1.requestState);
    const r3 = (
      await call(
        served,
        3,
        name,
        { inputResponses: { step2: accept({ color: 'blue' }) }, requestState: r2.requestState },
        meta,
      )
    ).response.result;
    expect(textOf(r3)).toBe('Multi-round complete for Alice who likes blue');
  });

  it('test_input_required_result_capabilities asks only through what the client declared', async () => {
    const served = await start();
    const name = 'test_input_required_result_capabilities';
    const sampling = await call(served, 1, name, {}, { clientCapabilities: { sampling: {} } });
    expect(sampling.response.result.inputRequests).toEqual({
      sample_input: {
        method: 'sampling/createMessage',
        params: {
          messages: [{ role: 'user', content: { type: 'text', text: 'Sample request' } }],
          maxTokens: 50,
        },
      },
    });
    const both = await call(served, 2, name, {}, { clientCapabilities: CAPABILITIES });
    expect(Object.keys(both.response.result.inputRequests).sort()).toEqual(['elicit_input', 'sample_input']);
  });

  it('the prompt test_input_required_result_prompt asks for context, then writes its messages', async () => {
    const served = await start();
    const get = (id: number, params = {}) =>
      post(
        served,
        request(
          id,
          'prompts/get',
          { name: 'test_input_required_result_prompt', ...params },
          {
            clientCapabilities: CAPABILITIES,
          },
        ),
      );
    const first = (await get(1)).response.result;
    expect(first.inputRequests.user_context.method).toBe('elicitation/create');
    const done = (
      await get(2, {
        inputResponses: { user_context: accept({ context: 'test context' }) },
        requestState: first.requestState,
      })
    ).response.result;
    expect(done.messages).toEqual([
      { role: 'user', content: { type: 'text', text: 'Answer using this context: test context' } },
    ]);
  });
});
