/** Idle sessions: RSS growth per session and sessions opened per second, after a forced GC. */
import { Agent } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Client, openClient } from './client.js';
import type { Mode } from './config.js';
import type { RunningServer, Stats } from './server-process.js';

/** Handshakes in flight at once while opening sessions. */
const OPENERS = 16;
/** Settling: RSS still falls for seconds after a burst, as freed memory goes back to the OS. */
const SETTLE_MIN_MS = 8000;
const SETTLE_MAX_MS = 20_000;
const SETTLE_STABLE_READINGS = 3;
const SETTLE_TOLERANCE_BYTES = 64 * 1024;

/**
 * RSS after a forced GC, once it has stopped moving: read every second until at least
 * `SETTLE_MIN_MS` have passed and the last readings agree, or `SETTLE_MAX_MS` have passed.
 */
async function settledStats(server: RunningServer): Promise<Stats> {
  const start = Date.now();
  const readings: Stats[] = [await server.stats(true)];
  while (Date.now() - start < SETTLE_MAX_MS) {
    const recent = readings.slice(-SETTLE_STABLE_READINGS).map((r) => r.rss);
    const still =
      recent.length === SETTLE_STABLE_READINGS &&
      Math.max(...recent) - Math.min(...recent) <= SETTLE_TOLERANCE_BYTES;
    if (still && Date.now() - start >= SETTLE_MIN_MS) break;
    await sleep(1000);
    readings.push(await server.stats(true));
  }
  return readings.at(-1)!;
}

export interface MemoryRow {
  mode: Mode;
  server: string;
  sessions: number;
  rssBytesPerSession: number;
  heapBytesPerSession: number;
  sessionsPerSecond: number;
  /** Server CPU per session opened (handshake included); steadier than sessions/s on a busy machine. */
  cpuMicrosPerSession: number;
  errors: number;
  gc: boolean;
  firstError?: string;
}

export async function measureMemory(
  server: RunningServer,
  name: string,
  mode: Mode,
  from: number,
  to: number,
): Promise<MemoryRow> {
  // Sessions are opened over a shared keep-alive pool: the cost measured is the session, not a TCP connect.
  // Legacy SSE sessions each hold their own stream connection, as they must.
  const agent = new Agent({ keepAlive: true, maxSockets: OPENERS });
  const streamAgent = new Agent({ keepAlive: true, maxSockets: Infinity });
  const clients: Client[] = [];
  const row: MemoryRow = {
    mode,
    server: name,
    sessions: to - from,
    rssBytesPerSession: 0,
    heapBytesPerSession: 0,
    sessionsPerSecond: 0,
    cpuMicrosPerSession: 0,
    errors: 0,
    gc: false,
  };
  const openUpTo = async (target: number) => {
    let next = clients.length;
    const worker = async () => {
      while (next < target) {
        next++;
        try {
          clients.push(await openClient(server.base, mode, agent, streamAgent));
        } catch (error) {
          row.errors++;
          row.firstError ??= String(error);
        }
      }
    };
    await Promise.all(Array.from({ length: OPENERS }, worker));
  };

  try {
    await openUpTo(from);
    const before = await settledStats(server);
    const start = performance.now();
    await openUpTo(to);
    row.sessionsPerSecond = (to - from) / ((performance.now() - start) / 1000);
    const opened = await server.stats(); // CPU read before the forced GC below
    row.cpuMicrosPerSession = (opened.user + opened.system - before.user - before.system) / (to - from);
    const after = await settledStats(server);
    row.gc = before.gc && after.gc;
    row.rssBytesPerSession = (after.rss - before.rss) / (to - from);
    row.heapBytesPerSession = (after.heapUsed - before.heapUsed) / (to - from);
  } finally {
    for (const client of clients) client.close();
    agent.destroy();
    streamAgent.destroy();
  }
  return row;
}
