/**
 * The floor: plain node:http, no MCP library. It does only what a correct echo server must:
 * parse JSON-RPC, keep sessions, answer `initialize` and `tools/call`. In `per-request` mode
 * (2026-07-28) it checks what a correct server must on each call (the `_meta` version and the
 * `Mcp-Method`/`Mcp-Name` headers against the body) and stamps `resultType` and `serverInfo`.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HOST, MODE, PORT, readBody, ready } from './common.js';

interface Session {
  initialized: boolean;
  stream?: ServerResponse;
}

interface Message {
  jsonrpc?: string;
  id?: string | number;
  method?: string;
  params?: { name?: string; arguments?: { text?: unknown }; _meta?: Record<string, unknown> };
}

const sessions = new Map<string, Session>();
const stateless = MODE === 'stateless';
const sseAnswers = MODE === 'streamable-sse';
const perRequest = MODE === 'per-request';
const SERVER_INFO = { name: 'raw', version: '1.0.0' };

/** The JSON-RPC answer to a request, or undefined for a notification. */
function answer(msg: Message, session: Session | undefined): object | undefined {
  if (msg.id === undefined) {
    if (msg.method === 'notifications/initialized' && session) session.initialized = true;
    return undefined;
  }
  if (msg.method === 'initialize') {
    return {
      jsonrpc: '2.0',
      id: msg.id,
      result: {
        protocolVersion: '2025-11-25',
        capabilities: { tools: {} },
        serverInfo: { name: 'raw', version: '1.0.0' },
      },
    };
  }
  const text = msg.params?.arguments?.text;
  if (msg.method === 'tools/call' && msg.params?.name === 'echo' && typeof text === 'string') {
    const content = [{ type: 'text', text }];
    if (perRequest) {
      const result = {
        content,
        resultType: 'complete',
        _meta: { 'io.modelcontextprotocol/serverInfo': SERVER_INFO },
      };
      return { jsonrpc: '2.0', id: msg.id, result };
    }
    return { jsonrpc: '2.0', id: msg.id, result: { content } };
  }
  return { jsonrpc: '2.0', id: msg.id, error: { code: -32602, message: 'Invalid params' } };
}

function fail(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32600, message } }));
}

function parse(body: string): Message | undefined {
  try {
    const msg = JSON.parse(body) as Message;
    return msg?.jsonrpc === '2.0' && typeof msg.method === 'string' ? msg : undefined;
  } catch {
    return undefined;
  }
}

/** Streamable HTTP: POST /mcp answers in the response, as JSON or as a one-event SSE stream. */
function streamable(msg: Message, sessionId: string | undefined, res: ServerResponse): void {
  const headers: Record<string, string> = {};
  let session: Session | undefined;
  if (msg.method === 'initialize') {
    if (!stateless) {
      const id = randomUUID();
      session = { initialized: false };
      sessions.set(id, session);
      headers['mcp-session-id'] = id;
    }
  } else if (!stateless) {
    session = sessionId === undefined ? undefined : sessions.get(sessionId);
    if (!session) {
      fail(res, 404, 'Session not found');
      return;
    }
  }
  const reply = answer(msg, session);
  if (!reply) {
    res.writeHead(202);
    res.end();
  } else if (sseAnswers) {
    res.writeHead(200, { ...headers, 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.end(`event: message\ndata: ${JSON.stringify(reply)}\n\n`);
  } else {
    res.writeHead(200, { ...headers, 'content-type': 'application/json' });
    res.end(JSON.stringify(reply));
  }
}

/** 2026-07-28: no session; the version is the request's, and the routing headers must match the body. */
function answerPerRequest(msg: Message, headers: IncomingHttpHeaders, res: ServerResponse): void {
  const version = msg.params?._meta?.['io.modelcontextprotocol/protocolVersion'];
  if (version !== '2026-07-28' || headers['mcp-protocol-version'] !== version) {
    fail(res, 400, 'Unsupported protocol version');
    return;
  }
  if (headers['mcp-method'] !== msg.method || headers['mcp-name'] !== msg.params?.name) {
    fail(res, 400, 'Header mismatch');
    return;
  }
  const reply = answer(msg, undefined);
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(reply));
}

/** Legacy HTTP+SSE: GET /sse opens the stream; POST /messages?sessionId= answers on it. */
function openStream(res: ServerResponse): void {
  const id = randomUUID();
  sessions.set(id, { initialized: false, stream: res });
  res.on('close', () => sessions.delete(id));
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  res.write(`event: endpoint\ndata: /messages?sessionId=${id}\n\n`);
}

function legacyPost(msg: Message, sessionId: string | null, res: ServerResponse): void {
  const session = sessionId === null ? undefined : sessions.get(sessionId);
  if (!session?.stream) {
    fail(res, 404, 'Session not found');
    return;
  }
  res.writeHead(202);
  res.end('Accepted');
  const reply = answer(msg, session);
  if (reply) session.stream.write(`event: message\ndata: ${JSON.stringify(reply)}\n\n`);
}

const server = createServer(async (req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (req.method === 'GET' && url.pathname === '/sse') return openStream(res);
  if (req.method !== 'POST') return fail(res, 405, 'Method not allowed');
  const msg = parse(await readBody(req));
  if (!msg) return fail(res, 400, 'Parse error');
  if (url.pathname === '/mcp' && perRequest) return answerPerRequest(msg, req.headers, res);
  if (url.pathname === '/mcp') {
    const sessionId = req.headers['mcp-session-id'];
    return streamable(msg, typeof sessionId === 'string' ? sessionId : undefined, res);
  }
  if (url.pathname === '/messages') return legacyPost(msg, url.searchParams.get('sessionId'), res);
  fail(res, 404, 'Not found');
});

server.listen(PORT, HOST, () => void ready((server.address() as AddressInfo).port));
