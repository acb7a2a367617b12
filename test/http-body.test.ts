/**
 * One body read per request (issue 11, bug 1): whoever asks first — the host's body parser, an HTTP
 * middleware, a custom route, MCP — reads it, and everyone after gets the same body. Checked on
 * both bindings, then on every host framework behind its own body parser (express.json() on Express
 * 4 and 5, @koa/bodyparser, Fastify's parser, a Hono middleware reading `c.req.json()`, a node:http
 * host that parses first), and on Next's route handlers.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type HttpApp, McpServer, type Middleware } from 'wharf-mcp';
import { toNextHandlers } from 'wharf-mcp/next';
import {
  type Binding,
  bindings,
  initialize,
  mcpHeaders,
  type RequestFn,
  rpc,
  serve,
  toolText,
} from './support/bindings.js';
import { hosts, layouts, type RunningHost } from './support/hosts.js';

function newServer() {
  const server = new McpServer({ name: 'body-test', version: '1.0.0' });
  server.tool(
    'echo',
    { description: 'Echo', inputSchema: { type: 'object', properties: { text: { type: 'string' } } } },
    (args) => String(args.text),
  );
  // A custom POST route: it says what it got, and what its Request claims about it.
  server.route('POST', '/echo', async (request) => {
    const text = await request.text();
    return Response.json({
      text,
      length: request.headers.get('content-length'),
      type: request.headers.get('content-type'),
    });
  });
  return server;
}

const callEcho = (id: number, text: string) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name: 'echo', arguments: { text } },
});

/** A middleware that reads the body (as JSON when it is JSON) and goes on. */
function bodyReader(seen: unknown[]): Middleware {
  return async (request, next) => {
    if (request.method === 'POST') {
      const read = await request.body();
      const again = await request.body();
      seen.push(read.ok && again === read ? read.body.text() : read);
    }
    await next();
  };
}

/** Initializes and calls `echo`: MCP still answers after whatever read the body before it. */
async function callsATool(request: RequestFn, text: string): Promise<void> {
  const { sessionId } = await initialize(request);
  expect(sessionId).toBeDefined();
  expect(toolText(await rpc(request, callEcho(2, text), { sessionId }))).toBe(text);
}

interface Echoed {
  text: string;
  length: string | null;
  type: string | null;
}

describe.each(bindings)('%s binding', (binding: Binding) => {
  const apps: HttpApp[] = [];
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });

  async function start(middleware: Middleware[] = []) {
    const app = newServer().httpApp({ middleware });
    apps.push(app);
    return serve(app, binding);
  }

  it('lets a middleware read the body and call next(): MCP answers, with the same body', async () => {
    const seen: unknown[] = [];
    const { request } = await start([bodyReader(seen)]);
    await callsATool(request, 'read twice');
    expect(seen).toHaveLength(3); // initialize, notifications/initialized, tools/call
    expect(JSON.parse(seen[2] as string)).toEqual(callEcho(2, 'read twice'));
  });

  it('lets a middleware read the body before a custom POST route: the route gets the same bytes', async () => {
    const seen: unknown[] = [];
    const { request } = await start([bodyReader(seen)]);
    const body = 'plain text, ünïcödé';
    const response = await request('/echo', {
      method: 'POST',
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      body,
    });
    expect(response.status).toBe(200);
    const echoed = (await response.json()) as Echoed;
    expect(echoed.text).toBe(body);
    expect(echoed.length).toBe(String(new TextEncoder().encode(body).byteLength));
    expect(seen).toEqual([body]);
  });

  it('gives bytes, text and JSON of one read', async () => {
    let forms: unknown;
    const { request } = await start([
      async (req, next) => {
        const read = await req.body();
        if (read.ok) forms = [read.body.bytes().byteLength, read.body.text(), read.body.json()];
        await next();
      },
    ]);
    const response = await request('/echo', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"a":[1,2]}',
    });
    expect(response.status).toBe(200);
    expect(forms).toEqual([11, '{"a":[1,2]}', { a: [1, 2] }]);
  });

  it('answers instead of hanging when a middleware drained the request itself', async () => {
    const { request } = await start([
      async (req, next) => {
        const raw = req.raw;
        if (raw instanceof Request) await raw.text();
        else for await (const _chunk of raw as AsyncIterable<unknown>);
        await next();
      },
    ]);
    const response = await request('/mcp', {
      method: 'POST',
      headers: mcpHeaders(),
      body: JSON.stringify(callEcho(1, 'lost')),
    });
    expect(response.status).toBe(500);
    const body = (await response.json()) as { error: { data?: { code?: string } } };
    expect(body.error.data?.code).toBe('WHARF_BODY_CONSUMED');
  });
});

describe.each(hosts)('$name behind its own body parser', (host) => {
  const layout = layouts[0]!;
  let running: RunningHost | undefined;
  let app: HttpApp | undefined;
  afterEach(async () => {
    await running?.close();
    await app?.close();
    running = undefined;
    app = undefined;
  });

  async function start(middleware: Middleware[] = []) {
    app = newServer().httpApp({ path: layout.appPath, middleware });
    running = await host.start(app, layout, { parseBody: true });
    const base = `${running.baseUrl}${layout.mount}`;
    const started = running;
    const request: RequestFn = (path, init) => started.fetch(`${base}${path}`, init);
    return { request, running: started };
  }

  it('serves a custom POST route whose JSON body the host parsed', async () => {
    const { request, running: started } = await start();
    const sent = { jsonrpc: '2.0', method: 'not/mcp', params: { items: ['anchor', 'rope'] } };
    const response = await request('/echo', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(sent),
    });
    expect(response.status).toBe(200);
    const echoed = (await response.json()) as Echoed;
    // The same JSON; the bytes may be the host's parsed value serialized again.
    expect(JSON.parse(echoed.text)).toEqual(sent);
    expect(echoed.length).toBe(String(new TextEncoder().encode(echoed.text).byteLength));
    expect(started.stats.parsed).toBe(1);
  });

  it('serves a custom POST route whose body the host parser skipped (not JSON)', async () => {
    const { request } = await start();
    const response = await request('/echo', {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'just text',
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as Echoed).text).toBe('just text');
  });

  it('lets an app middleware read what the host parsed; MCP answers', async () => {
    const seen: unknown[] = [];
    const { request, running: started } = await start([bodyReader(seen)]);
    await callsATool(request, `through ${host.name}`);
    expect(seen).toHaveLength(3);
    expect(JSON.parse(seen[2] as string)).toEqual(callEcho(2, `through ${host.name}`));
    expect(started.stats.parsed).toBeGreaterThanOrEqual(3);
  });
});

describe('Next.js route handlers', () => {
  const origin = 'http://localhost:3000';

  it('read the body once: a middleware, then MCP or a custom POST route', async () => {
    const seen: unknown[] = [];
    const app = newServer().httpApp({
      path: '/',
      middleware: [bodyReader(seen)],
      allowedHosts: ['localhost:3000'],
    });
    try {
      const handlers = toNextHandlers(app, { basePath: '/api/mcp' });
      const request: RequestFn = (path, init) => {
        const req = new Request(`${origin}/api/mcp${path}`, init);
        const method = req.method as 'GET' | 'POST' | 'DELETE';
        return handlers[method](req);
      };
      await callsATool((path, init) => request(path === '/mcp' ? '' : path, init), 'on next');
      const routed = await request('/echo', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"n":1}',
      });
      expect(((await routed.json()) as Echoed).text).toBe('{"n":1}');
      expect(seen).toHaveLength(4);
    } finally {
      await app.close();
    }
  });
});
