/**
 * A server typed with an env (`McpServer<{ auth: User }>`): middleware sets a `User`, a tool reads
 * `ctx.auth.id` with no cast, over both bindings. Also pins what `ctx.http` is on each binding and
 * in memory, as the `Context` docs promise.
 */
import { IncomingMessage } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { McpServer, type Middleware } from 'wharf-mcp';
import { type Binding, bindings, initialize, rpc, type Served, serve, toolText } from './support/bindings.js';
import { connectClient } from './support/connect.js';

interface User {
  id: string;
  scopes: string[];
}
type AppEnv = { auth: User };

function newServer(): McpServer<AppEnv> {
  const server = new McpServer<AppEnv>({ name: 'typed-auth', version: '1.0.0' });
  server.tool('whoami', { description: 'The signed-in user' }, (_args, ctx) =>
    ctx.auth ? `${ctx.auth.id} (${ctx.auth.scopes.join(',')})` : 'anonymous',
  );
  server.tool('request-kind', { description: 'What ctx.http is' }, (_args, ctx) =>
    ctx.http instanceof Request
      ? 'Request'
      : ctx.http instanceof IncomingMessage
        ? 'IncomingMessage'
        : 'none',
  );
  return server;
}

const callTool = (id: number, name: string) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name, arguments: {} },
});

describe.each(bindings)('%s binding', (binding: Binding) => {
  const opened: Served[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((served) => served.close()));
  });

  it('hands a typed request.auth to a tool that reads ctx.auth.id without a cast', async () => {
    const signIn: Middleware<AppEnv> = async (request, next) => {
      const id = request.header('x-user');
      if (id) request.auth = { id, scopes: ['read'] };
      await next();
    };
    const served = await serve(newServer().httpApp({ middleware: [signIn] }), binding);
    opened.push(served);
    // A session belongs to whoever opened it: ann's own, and an anonymous one.
    const own = await initialize(served.request, { headers: { 'x-user': 'ann' } });
    const ann = await rpc(served.request, callTool(2, 'whoami'), {
      sessionId: own.sessionId,
      headers: { 'x-user': 'ann' },
    });
    expect(toolText(ann)).toBe('ann (read)');
    const { sessionId } = await initialize(served.request);
    expect(toolText(await rpc(served.request, callTool(3, 'whoami'), { sessionId }))).toBe('anonymous');
  });

  it('gives ctx.http as the binding request object', async () => {
    const served = await serve(newServer().httpApp(), binding);
    opened.push(served);
    const { sessionId } = await initialize(served.request);
    const answer = await rpc(served.request, callTool(2, 'request-kind'), { sessionId });
    expect(toolText(answer)).toBe(binding === 'fetch' ? 'Request' : 'IncomingMessage');
  });
});

it('has neither ctx.http nor ctx.auth in memory', async () => {
  const { client, checker, close } = await connectClient(newServer());
  try {
    const kind = await client.callTool({ name: 'request-kind', arguments: {} });
    const who = await client.callTool({ name: 'whoami', arguments: {} });
    expect([kind.content, who.content]).toEqual([
      [{ type: 'text', text: 'none' }],
      [{ type: 'text', text: 'anonymous' }],
    ]);
    checker.assertClean();
  } finally {
    await close();
  }
});
