import { request as httpRequest } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type HttpApp, McpServer } from 'wharf-mcp';

/**
 * On Node, MCP traffic must not build Web Request/Response/Headers/streams (DESIGN.md: that bridge
 * is a quarter of the official SDK's CPU per call). The globals are wrapped to count constructions
 * while a raw node:http client (which builds none itself) makes tool calls.
 */

const WATCHED = [
  'Request',
  'Response',
  'Headers',
  'ReadableStream',
  'WritableStream',
  'TransformStream',
] as const;
type Watched = (typeof WATCHED)[number];

function countConstructions() {
  const counts: Record<string, number> = {};
  const originals = new Map<Watched, unknown>();
  for (const name of WATCHED) {
    const original = globalThis[name];
    originals.set(name, original);
    counts[name] = 0;
    (globalThis as Record<string, unknown>)[name] = new Proxy(original, {
      construct(target, args, newTarget) {
        counts[name]! += 1;
        return Reflect.construct(target, args, newTarget);
      },
    });
  }
  return {
    counts,
    restore() {
      for (const [name, original] of originals) (globalThis as Record<string, unknown>)[name] = original;
    },
  };
}

function post(port: number, body: unknown, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: Record<string, unknown>; text: string }>(
    (resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port,
          path: '/mcp',
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            text += chunk;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify(body));
    },
  );
}

describe.each([
  ['JSON answers', { jsonResponse: true }, 'application/json, text/event-stream'],
  ['SSE answers', {}, 'application/json, text/event-stream'],
  ['stateless', { stateless: true, jsonResponse: true }, 'application/json, text/event-stream'],
])('a tool call over node:http with %s', (_name, options, accept) => {
  let app: HttpApp;
  let port: number;
  beforeEach(async () => {
    const server = new McpServer({ name: 'node-path', version: '1.0.0' });
    server.tool(
      'echo',
      { description: 'Echo', inputSchema: { type: 'object', properties: { text: { type: 'string' } } } },
      (args) => String(args.text),
    );
    app = server.httpApp(options);
    ({ port } = await app.listen({ port: 0 }));
  });
  afterEach(() => app.close());

  it('allocates no Web Request, Response, Headers or stream', async () => {
    const headers: Record<string, string> = { accept, 'mcp-protocol-version': '2025-11-25' };
    const init = await post(
      port,
      {
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: {
          protocolVersion: '2025-11-25',
          capabilities: {},
          clientInfo: { name: 'raw', version: '0' },
        },
      },
      headers,
    );
    expect(init.status).toBe(200);
    const sessionId = init.headers['mcp-session-id'];
    if (typeof sessionId === 'string') headers['mcp-session-id'] = sessionId;

    const watch = countConstructions();
    try {
      for (let id = 2; id < 12; id++) {
        const answer = await post(
          port,
          {
            jsonrpc: '2.0',
            id,
            method: 'tools/call',
            params: { name: 'echo', arguments: { text: `call ${id}` } },
          },
          headers,
        );
        expect(answer.status).toBe(200);
        expect(answer.text).toContain(`call ${id}`);
      }
    } finally {
      watch.restore();
    }
    expect(watch.counts).toEqual(Object.fromEntries(WATCHED.map((name) => [name, 0])));
  });
});

describe('answers on the Node binding go out whole', () => {
  let app: HttpApp | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  const initializeBody = JSON.stringify({
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '0' } },
  });

  function post(url: string, accept: string) {
    return new Promise<{ headers: Record<string, unknown>; body: string }>((resolve, reject) => {
      const req = httpRequest(
        url,
        { method: 'POST', headers: { 'content-type': 'application/json', accept } },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            body += chunk;
          });
          res.on('end', () => resolve({ headers: res.headers, body }));
        },
      );
      req.on('error', reject);
      req.end(initializeBody);
    });
  }

  // A POST answered by one event is known whole when it ends: sent with a Content-Length, in one
  // write, without chunked framing (measured cheaper in bench/).
  it.each([['a one-event SSE answer', {}, 'application/json, text/event-stream', 'text/event-stream']])(
    '%s carries a Content-Length, not chunked framing',
    async (_what, options, accept, type) => {
      const server = new McpServer({ name: 'framing', version: '1.0.0' });
      app = server.httpApp(options);
      const { url } = await app.listen({ port: 0 });
      const { headers, body } = await post(url, accept);
      expect(headers['content-type']).toBe(type);
      expect(headers['transfer-encoding']).toBeUndefined();
      expect(Number(headers['content-length'])).toBe(Buffer.byteLength(body));
      expect(body).toContain('"protocolVersion":"2025-11-25"');
    },
  );
});
