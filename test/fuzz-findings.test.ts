/**
 * What the fuzzer (fuzz.test.ts) found with issue 12, pinned as plain tests so they stay fixed
 * whatever seed a run draws: values nested thousands deep where the server printed or re-sent them
 * (a stack overflow: a 500, or a tool that failed), and a missing field printed as "undefined".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { McpServer } from 'wharf-mcp';
import {
  type Binding,
  bindings,
  initialize,
  type JsonRpcAnswer,
  mcpHeaders,
  readAnswer,
  type Served,
  serve,
  toolText,
} from './support/bindings.js';

const DEPTH = 10_000;
const deepArray = `${'['.repeat(DEPTH)}${']'.repeat(DEPTH)}`;

function newServer(errors: unknown[]): McpServer {
  const server = new McpServer({ name: 'fuzz-findings', version: '1.0.0', onError: (e) => errors.push(e) });
  server.tool('report', { description: 'Reports progress, then answers' }, async (_args, ctx) => {
    await ctx.progress(1, 2);
    return 'done';
  });
  server.prompt('greet', { description: 'Greets' }, () => 'hello');
  return server;
}

describe.each(bindings)('inputs the fuzzer found (%s binding)', (binding: Binding) => {
  const errors: unknown[] = [];
  let served: Served;
  let sessionId: string | undefined;

  beforeAll(async () => {
    served = await serve(newServer(errors).httpApp(), binding);
    ({ sessionId } = await initialize(served.request));
  });
  afterAll(() => served.close());

  /** Posts raw JSON text on the session. */
  const post = (body: string) =>
    served.request('/mcp', { method: 'POST', headers: mcpHeaders(sessionId), body });
  const answerTo = async (body: string): Promise<JsonRpcAnswer> => {
    const response = await post(body);
    expect(response.status).toBe(200);
    return readAnswer(response);
  };

  it('refuses an error response whose id is an array nested 10,000 deep with 400, not a 500', async () => {
    const before = errors.length;
    const response = await post(`{"jsonrpc":"2.0","id":${deepArray},"error":{"code":-32000,"message":"x"}}`);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: -32600 } });
    expect(errors.length).toBe(before);
  });

  it('says a missing log level is missing, not "undefined"', async () => {
    const answer = await answerTo('{"jsonrpc":"2.0","id":2,"method":"logging/setLevel","params":{}}');
    expect(answer.error?.code).toBe(-32602);
    expect(answer.error?.message).toMatch(/^Unknown log level \(missing\)\./);
  });

  it('answers a log level nested 10,000 deep with invalid params, not an internal error', async () => {
    const answer = await answerTo(
      `{"jsonrpc":"2.0","id":3,"method":"logging/setLevel","params":{"level":${deepArray}}}`,
    );
    expect(answer.error).toMatchObject({ code: -32602, message: expect.stringMatching(/an array/) });
  });

  it('names a completion ref it cannot use without printing "undefined" or overflowing', async () => {
    const complete = (ref: string) =>
      `{"jsonrpc":"2.0","id":4,"method":"completion/complete","params":{"ref":${ref},"argument":{"name":"a","value":""}}}`;
    for (const ref of ['{}', '{"type":"ref/prompt"}', '{"type":"ref/resource"}', `{"type":${deepArray}}`]) {
      const answer = await answerTo(complete(ref));
      expect(answer.error?.code).toBe(-32602);
      expect(answer.error?.message).not.toMatch(/undefined/);
    }
  });

  it('runs a progress-reporting tool normally when the progress token is no string or number', async () => {
    const answer = await answerTo(
      `{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"report","arguments":{},"_meta":{"progressToken":${deepArray}}}}`,
    );
    expect(answer.result?.isError).toBeFalsy();
    expect(toolText(answer)).toBe('done');
  });
});
