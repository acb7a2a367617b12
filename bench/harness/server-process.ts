/** Starts a bench server as a child process (pinned to CPU 0 when possible) and talks to its side channel. */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Mode, ServerName } from './config.js';

const STARTUP_MS = 30_000;

/** Whether `taskset` works here and there are two CPUs to split; checked once. */
export const pinning: boolean =
  availableParallelism() >= 2 && spawnSync('taskset', ['-c', '0', 'true'], { stdio: 'ignore' }).status === 0;

/** Pins this (load generator) process, all its threads, to CPU 1. */
export function pinSelf(): void {
  if (pinning) spawnSync('taskset', ['-a', '-cp', '1', String(process.pid)], { stdio: 'ignore' });
}

export interface Stats {
  user: number;
  system: number;
  rss: number;
  heapUsed: number;
  gc: boolean;
}

export interface RunningServer {
  base: URL;
  stats(collectGarbage?: boolean): Promise<Stats>;
  stop(): Promise<void>;
}

export type Started =
  | (RunningServer & { note?: string })
  /** `modeOnly`: the server cannot serve this mode but may serve others; otherwise it cannot run at all. */
  | { skipped: string; modeOnly: boolean };

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

const BENCH_TSCONFIG = fileURLToPath(new URL('../tsconfig.json', import.meta.url));

export async function startServer(name: ServerName, mode: Mode): Promise<Started> {
  const file = fileURLToPath(new URL(`../servers/${name}.ts`, import.meta.url));
  // BENCH_NODE_ARGS adds flags to the server's node, e.g. "--cpu-prof --cpu-prof-dir=prof" to profile it.
  const extra = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const node = [process.execPath, ...extra, '--expose-gc', '--import', 'tsx', file];
  const [cmd, ...args] = pinning ? ['taskset', '-c', '0', ...node] : node;
  const child = spawn(cmd!, args, {
    // bench/tsconfig.json has no `paths`: `wharf-mcp` resolves to the built dist/, as for users.
    env: { ...process.env, MODE: mode, PORT: '0', TSX_TSCONFIG_PATH: BENCH_TSCONFIG },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${name}: not ready after ${STARTUP_MS} ms`)),
      STARTUP_MS,
    );
    createInterface({ input: child.stdout! }).once('line', (text) => {
      clearTimeout(timer);
      resolve(text);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name}: exited with ${code} before it was ready`));
    });
  }).catch(async (error: unknown) => {
    await stop(child);
    throw error;
  });
  const ready = JSON.parse(line) as {
    port?: number;
    control?: number;
    note?: string;
    skip?: string;
    mode?: Mode;
  };
  if (ready.skip) {
    await stop(child);
    return { skipped: ready.skip, modeOnly: ready.mode === mode };
  }
  const control = `http://127.0.0.1:${ready.control}/stats`;
  return {
    note: ready.note,
    base: new URL(`http://127.0.0.1:${ready.port}`),
    stats: async (collectGarbage = false) => {
      const res = await fetch(collectGarbage ? `${control}?gc=1` : control, {
        signal: AbortSignal.timeout(10_000),
      });
      return (await res.json()) as Stats;
    },
    stop: () => stop(child),
  };
}
