/**
 * The official SDK 1.x on node:http, wired the way its docs show: stateful Streamable HTTP with one
 * server + transport per session, stateless with a fresh pair per request, or legacy SSE.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { HOST, MODE, PORT, readBody, ready, unsupported } from './common.js';

if (MODE === 'per-request') unsupported('SDK 1.x has no protocol 2026-07-28 (the 2.x line does)');

function buildServer(): McpServer {
  const server = new McpServer({ name: 'bench', version: '1.0.0' });
  server.registerTool('echo', { description: 'Echo', inputSchema: { text: z.string() } }, ({ text }) => ({
    content: [{ type: 'text', text }],
  }));
  return server;
}

function fail(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32000, message } }));
}

async function parsedBody(req: IncomingMessage): Promise<unknown> {
  try {
    return JSON.parse(await readBody(req));
  } catch {
    return undefined;
  }
}

const streams = new Map<string, StreamableHTTPServerTransport>();

async function stateful(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = req.method === 'POST' ? await parsedBody(req) : undefined;
  const sessionId = req.headers['mcp-session-id'];
  let transport = typeof sessionId === 'string' ? streams.get(sessionId) : undefined;
  if (!transport) {
    if (sessionId !== undefined || !isInitializeRequest(body)) return fail(res, 400, 'No valid session');
    const created = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      enableJsonResponse: MODE !== 'streamable-sse',
      onsessioninitialized: (id) => void streams.set(id, created),
    });
    created.onclose = () => {
      if (created.sessionId) streams.delete(created.sessionId);
    };
    await buildServer().connect(created);
    transport = created;
  }
  await transport.handleRequest(req, res, body);
}

async function stateless(req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'POST') return fail(res, 405, 'Method not allowed');
  const body = await parsedBody(req);
  const server = buildServer();
  const transport = new StreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
    enableJsonResponse: true,
  });
  res.on('close', () => {
    void transport.close();
    void server.close();
  });
  await server.connect(transport);
  await transport.handleRequest(req, res, body);
}

const legacy = new Map<string, SSEServerTransport>();

async function legacySse(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  if (req.method === 'GET' && url.pathname === '/sse') {
    const transport = new SSEServerTransport('/messages', res);
    legacy.set(transport.sessionId, transport);
    res.on('close', () => legacy.delete(transport.sessionId));
    return buildServer().connect(transport);
  }
  const transport = legacy.get(url.searchParams.get('sessionId') ?? '');
  if (req.method !== 'POST' || url.pathname !== '/messages' || !transport) return fail(res, 404, 'Not found');
  await transport.handlePostMessage(req, res, await parsedBody(req));
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const done = (err: unknown) => {
    if (!res.headersSent) fail(res, 500, String(err));
  };
  if (MODE === 'legacy-sse') return void legacySse(req, res, url).catch(done);
  if (url.pathname !== '/mcp') return fail(res, 404, 'Not found');
  void (MODE === 'stateless' ? stateless(req, res) : stateful(req, res)).catch(done);
});

server.listen(PORT, HOST, () => void ready((server.address() as AddressInfo).port));
