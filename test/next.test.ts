/**
 * The shopping-list example as a real Next.js app (examples/shopping-list/next): `next build`, then
 * `next start` on 127.0.0.1 as a child process, driven by the official SDK client over Streamable
 * HTTP (`/mcp`) and legacy SSE (`/mcp/sse`) beside the app's own REST route (`/items`). Both routes
 * share one store, so what one adds the other shows.
 *
 * The build takes about a minute on two cores. It runs every time: its inputs are all of src/ and
 * the example, and Next writes `.next/BUILD_ID` before the build is done, so a stale or half-written
 * build is not cheaply told from a good one. Set WHARF_NEXT_REUSE_BUILD=1 to start the existing
 * build instead, when you know it is current.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { FetchLike, Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage, Progress } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { textOf, until, withTimeout } from './support/bindings.js';
import { checkedTransport, WireChecker } from './support/wire-validator.js';

const APP_DIR = fileURLToPath(new URL('../examples/shopping-list/next/', import.meta.url));
const NEXT_BIN = fileURLToPath(new URL('../node_modules/.bin/next', import.meta.url));
const BUILD_MS = 240_000;
const START_MS = 30_000;
/** Every SDK request is bounded by this (the SDK's default is a minute). */
const REQUEST = { timeout: 10_000 };

// Vitest sets NODE_ENV=test and Next keeps whatever NODE_ENV it is given: build and serve for production.
const NEXT_ENV: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1' };

/** Runs `next <args>` in the app directory; resolves with its output, rejects with it on failure. */
function runNext(args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(NEXT_BIN, args, { cwd: APP_DIR, env: NEXT_ENV, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    // SIGTERM, not SIGKILL: Next then stops the workers it started too.
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(output);
      else reject(new Error(`next ${args.join(' ')} failed (${signal ?? `exit ${code}`}):\n${output}`));
    });
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

let server: ChildProcess | undefined;
let serverOutput = '';
let base = '';
let buildMs = 0;

/** Last resort if the test process ends without afterAll (a crash): `next start` must not outlive it. */
function killServerNow(): void {
  server?.kill('SIGKILL');
}

/** Stops `next start` (one process: it starts no workers) and waits until it has exited. */
async function stopServer(): Promise<void> {
  const child = server;
  process.off('exit', killServerNow);
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const stopped = await withTimeout(exited, 'next start to exit').then(
    () => true,
    () => false,
  );
  if (!stopped) {
    child.kill('SIGKILL');
    await exited;
  }
  server = undefined;
}

beforeAll(async () => {
  const started = Date.now();
  const reuse = process.env.WHARF_NEXT_REUSE_BUILD === '1' && existsSync(`${APP_DIR}.next/BUILD_ID`);
  // `--webpack`: the config maps Wharf's `.js` specifiers to its `.ts` sources, which Turbopack
  // (Next 16's default bundler) cannot do yet.
  if (!reuse) await runNext(['build', '--webpack'], BUILD_MS - START_MS);
  buildMs = Date.now() - started;

  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const child = spawn(NEXT_BIN, ['start', '-H', '127.0.0.1', '-p', String(port)], {
    cwd: APP_DIR,
    env: NEXT_ENV,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server = child;
  process.once('exit', killServerNow);
  child.stdout.on('data', (chunk) => (serverOutput += chunk));
  child.stderr.on('data', (chunk) => (serverOutput += chunk));

  await until(
    async () => {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error('next start exited before it was ready');
      }
      const health = await fetch(`${base}/mcp/health`).catch(() => undefined);
      return health?.ok === true;
    },
    'next start to answer /mcp/health',
    START_MS,
  ).catch((error: Error) => {
    throw new Error(`${error.message}; its output:\n${serverOutput}`);
  });
  console.log(
    `next ${reuse ? 'build reused' : `build took ${(buildMs / 1000).toFixed(1)} s`}; serving on ${base}`,
  );
}, BUILD_MS);

afterAll(stopServer);

interface Connected<T extends Transport> {
  client: Client;
  transport: T;
  checker: WireChecker;
  /** Every message the transport handed to the client, in order. */
  received: JSONRPCMessage[];
}

async function connect<T extends Transport>(inner: T): Promise<Connected<T>> {
  const checker = new WireChecker();
  const transport = checkedTransport(inner, checker);
  const client = new Client({ name: 'wharf-next-test', version: '1.0.0' }, { capabilities: {} });
  await withTimeout(client.connect(transport), 'the client to connect', REQUEST.timeout);
  const received: JSONRPCMessage[] = [];
  const deliver = transport.onmessage;
  transport.onmessage = (message: JSONRPCMessage) => {
    received.push(message);
    deliver?.(message);
  };
  return { client, transport, checker, received };
}

async function getItems(): Promise<unknown[]> {
  const response = await fetch(`${base}/items`);
  expect(response.status).toBe(200);
  return (await response.json()) as unknown[];
}

function postItem(body: unknown): Promise<Response> {
  return fetch(`${base}/items`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

/** Adds through MCP, reads through REST, adds through REST, reads through MCP, then orders. */
async function shoppingRound({ client, received }: Connected<Transport>, first: string, second: string) {
  const tools = await client.listTools(undefined, REQUEST);
  expect(tools.tools.map((tool) => tool.name).sort()).toEqual([
    'add_item',
    'list_items',
    'place_order',
    'remove_item',
  ]);

  const added = await client.callTool(
    { name: 'add_item', arguments: { name: first, quantity: 3 } },
    undefined,
    REQUEST,
  );
  expect(textOf(added)).toBe(`Added 3 × ${first} (now 3).`);
  expect(await getItems()).toEqual([{ id: expect.any(Number), name: first, quantity: 3 }]);

  const posted = await postItem({ name: second, quantity: 2 });
  expect(posted.status).toBe(201);
  expect(await posted.json()).toEqual({ id: expect.any(Number), name: second, quantity: 2 });
  expect((await postItem({ quantity: 2 })).status).toBe(400);

  const listed = await client.callTool({ name: 'list_items', arguments: {} }, undefined, REQUEST);
  expect(listed.structuredContent).toEqual({
    items: [
      { id: expect.any(Number), name: first, quantity: 3 },
      { id: expect.any(Number), name: second, quantity: 2 },
    ],
  });

  const progress: Progress[] = [];
  const ordered = await client.callTool({ name: 'place_order', arguments: {} }, undefined, {
    ...REQUEST,
    onprogress: (update) => progress.push(update),
  });
  expect(textOf(ordered)).toMatch(new RegExp(`^Order #\\d+ placed: 3 × ${first}, 2 × ${second}\\.$`));
  // The wire, not `onprogress`: the SDK drops progress that it handles after the result arrived in
  // the same chunk, so the callback may see fewer than were sent.
  const sent = received.flatMap((message) =>
    'method' in message && message.method === 'notifications/progress' ? [message.params] : [],
  );
  expect(sent.map((params) => [params?.progress, params?.total, params?.message])).toEqual([
    [1, 2, `ordering ${first}`],
    [2, 2, `ordering ${second}`],
  ]);
  expect(progress.length).toBeLessThanOrEqual(2);
  expect(await getItems()).toEqual([]);
}

describe('the shopping list on Next.js', () => {
  it('serves the page listing the URLs', async () => {
    const response = await fetch(`${base}/`);
    expect(response.status).toBe(200);
    const html = await response.text();
    for (const url of ['/items', '/mcp', '/mcp/sse']) expect(html).toContain(`<code>${url}</code>`);
  });

  it('speaks Streamable HTTP at /mcp, sharing the store with /items, and deletes the session', async () => {
    const connected = await connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`)));
    const { client, transport, checker } = connected;
    try {
      expect(client.getServerVersion()?.name).toBe('shopping-list');
      await shoppingRound(connected, 'apples', 'bread');

      const sessionId = transport.sessionId;
      expect(sessionId).toBeTruthy();
      await transport.terminateSession();
      expect(transport.sessionId).toBeUndefined();
      const after = await fetch(`${base}/mcp`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          'mcp-session-id': sessionId!,
          'mcp-protocol-version': '2025-11-25',
        },
        body: JSON.stringify({ jsonrpc: '2.0', id: 99, method: 'tools/list' }),
      });
      expect(after.status).toBe(404);
      checker.assertClean();
    } finally {
      await client.close();
    }
  });

  it('speaks legacy SSE at /mcp/sse, and ends the session when the client goes away', async () => {
    const posts: string[] = [];
    const recording: FetchLike = (url, init) => {
      if (init?.method === 'POST') posts.push(String(url));
      return fetch(url, init);
    };
    const connected = await connect(new SSEClientTransport(new URL(`${base}/mcp/sse`), { fetch: recording }));
    const { client, checker } = connected;
    try {
      await shoppingRound(connected, 'eggs', 'milk');
      checker.assertClean();
    } finally {
      await client.close();
    }

    // The endpoint event pointed the client at /mcp/messages; once the SSE stream is gone (Next
    // cancels the response body when the client disconnects) that session is over.
    const endpoint = posts[0];
    expect(endpoint).toMatch(new RegExp(`^${base}/mcp/messages\\?sessionId=`));
    const ping = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' });
    await until(async () => {
      const response = await fetch(endpoint!, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: ping,
      });
      await response.body?.cancel();
      return response.status === 404;
    }, "a POST to the closed session's endpoint to answer 404");
  });
});
