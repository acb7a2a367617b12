/**
 * What every bench server shares: its mode, a body reader, and the control side channel.
 *
 * The side channel listens on its own port so the measured request path is exactly the server's
 * own: no extra routing branch in front of it, and Wharf's `app.listen()` stays untouched.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * `per-request` is protocol 2026-07-28: no handshake and no session, each `tools/call` carries its
 * version, client and capabilities in `_meta` and the `Mcp-Method`/`Mcp-Name` headers.
 */
export type Mode = 'streamable-json' | 'streamable-sse' | 'stateless' | 'legacy-sse' | 'per-request';

export const MODE = (process.env.MODE ?? 'streamable-json') as Mode;
export const PORT = Number(process.env.PORT ?? 0);
export const HOST = '127.0.0.1';

/** Reads a whole request body as text. */
export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
    });
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

/**
 * `GET /stats`: CPU microseconds, RSS and heap bytes. With `?gc=1`, first collects garbage twice
 * with a pause after each, so V8's background page release settles before RSS is read.
 */
function startControl(): Promise<number> {
  const gc = (globalThis as { gc?: (options?: object) => void }).gc;
  const settle = async () => {
    for (let i = 0; i < 2 && gc; i++) {
      gc({ type: 'major', execution: 'sync', flavor: 'last-resort' });
      await sleep(100);
    }
  };
  const server = createServer(async (req, res) => {
    if (req.url?.includes('gc=1')) await settle();
    const { user, system } = process.cpuUsage();
    const { rss, heapUsed } = process.memoryUsage();
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ user, system, rss, heapUsed, gc: Boolean(gc) }));
  });
  return new Promise((resolve) => {
    server.listen(0, HOST, () => resolve((server.address() as AddressInfo).port));
  });
}

/**
 * Starts the side channel and prints the one ready line the harness waits for. `note` is for a
 * server that serves this mode differently from the others (e.g. SSE answers where the mode expects
 * JSON); the report lists it.
 */
export async function ready(port: number, note?: string): Promise<void> {
  const control = await startControl();
  // Exit normally on SIGTERM so that `--cpu-prof` (BENCH_NODE_ARGS) gets to write its profile.
  process.once('SIGTERM', () => process.exit(0));
  process.stdout.write(`${JSON.stringify({ port, control, note })}\n`);
}

/** Tells the harness this server cannot run at all (yet), and why: none of its modes runs. */
export function skip(reason: string): never {
  process.stdout.write(`${JSON.stringify({ skip: reason })}\n`);
  process.exit(0);
}

/** Tells the harness this server cannot serve `MODE`, and why; its other modes still run. */
export function unsupported(reason: string): never {
  process.stdout.write(`${JSON.stringify({ skip: reason, mode: MODE })}\n`);
  process.exit(0);
}
