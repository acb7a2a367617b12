/** The knobs, read once from the environment and argv. */
import type { Mode } from '../servers/common.js';

export type { Mode };
export const ALL_MODES: readonly Mode[] = [
  'streamable-json',
  'streamable-sse',
  'stateless',
  'legacy-sse',
  'per-request',
];
export const ALL_SERVERS = ['raw', 'sdk', 'wharf', 'mcp-lite', 'tmcp'] as const;
export type ServerName = (typeof ALL_SERVERS)[number];

export interface Config {
  seconds: number;
  warmup: number;
  /** Rounds per CPU row: each round runs every server once, in order; medians are reported. */
  rounds: number;
  modes: Mode[];
  servers: ServerName[];
  concurrency: number[];
  /** Idle sessions: measure growth from `sessions[0]` to `sessions[1]`; empty to skip. */
  sessions: number[];
  write: boolean;
  command: string;
}

function list<T extends string>(name: string, allowed: readonly T[], fallback: readonly T[]): T[] {
  const raw = process.env[name];
  if (!raw) return [...fallback];
  const items = raw.split(',').map((s) => s.trim());
  const bad = items.filter((s) => !(allowed as readonly string[]).includes(s));
  if (bad.length) throw new Error(`${name}: unknown ${bad.join(', ')} (allowed: ${allowed.join(', ')})`);
  return items as T[];
}

function numbers(name: string, fallback: number[]): number[] {
  const raw = process.env[name];
  const values = raw ? raw.split(',').map(Number) : fallback;
  if (values.some((n) => !Number.isInteger(n) || n < 0 || n > 100_000))
    throw new Error(`${name}: bad ${raw}`);
  return values;
}

function command(): string {
  const env = Object.keys(process.env)
    .filter((k) => k.startsWith('BENCH_'))
    .sort()
    .map((k) => `${k}=${process.env[k]}`);
  const args = process.argv.slice(2);
  const base = process.env.npm_lifecycle_event === 'bench' ? 'npm run bench' : 'tsx bench/run.ts';
  const tail = args.length ? (base.startsWith('npm') ? ` -- ${args.join(' ')}` : ` ${args.join(' ')}`) : '';
  return [...env, base].join(' ') + tail;
}

export function readConfig(): Config {
  const seconds = Number(process.env.BENCH_SECONDS ?? 5);
  const warmup = Number(process.env.BENCH_WARMUP ?? 2);
  if (!(seconds > 0 && seconds <= 600) || !(warmup >= 0 && warmup <= 60)) {
    throw new Error('BENCH_SECONDS must be in (0, 600] and BENCH_WARMUP in [0, 60]');
  }
  const sessions = numbers('BENCH_SESSIONS', [1000, 5000]).filter((n) => n > 0);
  if (sessions.length !== 0 && !(sessions.length === 2 && sessions[0]! < sessions[1]!)) {
    throw new Error('BENCH_SESSIONS must be "from,to" with from < to, or 0 to skip');
  }
  const rounds = Number(process.env.BENCH_ROUNDS ?? 1);
  if (!Number.isInteger(rounds) || rounds < 1 || rounds > 50) throw new Error('BENCH_ROUNDS must be 1..50');
  return {
    seconds,
    warmup,
    rounds,
    modes: list('BENCH_MODES', ALL_MODES, ALL_MODES),
    servers: list('BENCH_SERVERS', ALL_SERVERS, ALL_SERVERS),
    concurrency: numbers('BENCH_CONCURRENCY', [1, 16, 64]).filter((n) => n > 0),
    sessions,
    write: process.argv.includes('--write'),
    command: command(),
  };
}
