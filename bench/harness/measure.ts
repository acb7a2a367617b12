/** One throughput row: N clients loop `tools/call`; server CPU per call over a fixed window. */
import { Agent } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Client, openClient } from './client.js';
import type { Mode } from './config.js';
import type { RunningServer, Stats } from './server-process.js';

/** Per client, a hard cap on calls in one row, whatever the clock says. */
const MAX_CALLS_PER_CLIENT = 5_000_000;

export interface ThroughputRow {
  mode: Mode;
  server: string;
  concurrency: number;
  calls: number;
  seconds: number;
  cpuMicros: number;
  errors: number;
  firstError?: string;
  /**
   * With several rounds: the median over rounds of (this server's µs/call ÷ raw's in the same
   * round). Pairs measured minutes apart share the machine's slow drifts, which a ratio of two
   * medians would not cancel.
   */
  pairedRatio?: number;
  rounds?: number;
}

const cpu = (s: Stats) => s.user + s.system;

export async function measureThroughput(
  server: RunningServer,
  name: string,
  mode: Mode,
  concurrency: number,
  warmupSeconds: number,
  seconds: number,
): Promise<ThroughputRow> {
  const agents = Array.from({ length: concurrency }, () => new Agent({ keepAlive: true, maxSockets: 1 }));
  const streamAgents = Array.from(
    { length: concurrency },
    () => new Agent({ keepAlive: true, maxSockets: 1 }),
  );
  const clients: Client[] = await Promise.all(
    agents.map((agent, i) => openClient(server.base, mode, agent, streamAgents[i]!)),
  );
  const row: ThroughputRow = {
    mode,
    server: name,
    concurrency,
    calls: 0,
    seconds: 0,
    cpuMicros: 0,
    errors: 0,
  };
  let counting = false;
  let stopped = false;
  const hardStop = Date.now() + (warmupSeconds + seconds) * 1000 + 30_000;

  const loop = async (client: Client, index: number) => {
    for (let n = 0; n < MAX_CALLS_PER_CLIENT && !stopped && Date.now() < hardStop; n++) {
      try {
        await client.call(`c${index}-${n}`);
        if (counting) row.calls++;
      } catch (error) {
        row.errors++;
        row.firstError ??= String(error);
        await sleep(10);
      }
    }
  };
  const loops = clients.map(loop);

  try {
    await sleep(warmupSeconds * 1000);
    const before = await server.stats();
    const start = performance.now();
    counting = true;
    await sleep(seconds * 1000);
    const after = await server.stats();
    counting = false;
    row.seconds = (performance.now() - start) / 1000;
    row.cpuMicros = cpu(after) - cpu(before);
  } finally {
    stopped = true;
    await Promise.all(loops);
    for (const client of clients) client.close();
    for (const agent of [...agents, ...streamAgents]) agent.destroy();
  }
  return row;
}
