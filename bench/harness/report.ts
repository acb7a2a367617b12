/** Renders the results as Markdown. */
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import type { Config } from './config.js';
import type { ThroughputRow } from './measure.js';
import type { MemoryRow } from './memory.js';

export interface Results {
  config: Config;
  pinned: boolean;
  date: Date;
  throughput: ThroughputRow[];
  memory: MemoryRow[];
  skipped: string[];
  /** Servers that serve a mode differently from the others (e.g. SSE answers where JSON is expected). */
  notes: string[];
  /** Other work on the machine skews the figures; recorded so a noisy run can be spotted. */
  loadAtStart: number;
}

function cpuModel(): string {
  try {
    const match = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (match?.[1]) return match[1].trim();
  } catch {}
  return cpus()[0]?.model ?? 'unknown';
}

const fixed = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
const ratio = (n: number, base: number | undefined) => (base ? `${(n / base).toFixed(2)}×` : 'n/a');
const table = (head: string[], rows: string[][]) =>
  [head, head.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');

function throughputTable(rows: ThroughputRow[]): string {
  const perCall = (r: ThroughputRow) => (r.calls ? r.cpuMicros / r.calls : Number.NaN);
  const body = rows.map((r) => {
    const raw = rows.find((x) => x.server === 'raw' && x.mode === r.mode && x.concurrency === r.concurrency);
    return [
      r.mode,
      String(r.concurrency),
      r.server,
      fixed(perCall(r)),
      fixed(r.calls / r.seconds, 0),
      r.pairedRatio !== undefined
        ? `${r.pairedRatio.toFixed(2)}× (median of ${r.rounds} paired)`
        : raw
          ? ratio(perCall(r), perCall(raw))
          : 'n/a',
      String(r.errors),
    ];
  });
  return table(['mode', 'clients', 'server', 'µs CPU / call', 'calls/s', '× raw (CPU)', 'errors'], body);
}

/** Below this, an RSS growth per session is allocator noise and a ratio to it means nothing. */
const RSS_NOISE_BYTES = 512;

/** Idle sessions compare within a transport: the answer format changes nothing about an idle session. */
const transport = (mode: string) => (mode === 'legacy-sse' ? mode : 'streamable');

function memoryTable(rows: MemoryRow[]): string {
  const body = rows.map((r) => {
    const raw = rows.find((x) => x.server === 'raw' && transport(x.mode) === transport(r.mode));
    const rssRatio = raw && raw.rssBytesPerSession >= RSS_NOISE_BYTES;
    return [
      r.mode,
      r.server,
      fixed(r.rssBytesPerSession / 1024, 2),
      fixed(r.heapBytesPerSession / 1024, 2),
      rssRatio ? ratio(r.rssBytesPerSession, raw.rssBytesPerSession) : 'n/a',
      fixed(r.sessionsPerSecond, 0),
      raw ? ratio(r.sessionsPerSecond, raw.sessionsPerSecond) : 'n/a',
      fixed(r.cpuMicrosPerSession, 0),
      raw ? ratio(r.cpuMicrosPerSession, raw.cpuMicrosPerSession) : 'n/a',
      String(r.errors),
    ];
  });
  const head = ['mode', 'server', 'KB RSS / session', 'KB heap / session', '× raw (KB RSS)', 'sessions/s'];
  return table([...head, '× raw (sessions/s)', 'µs CPU / session', '× raw (CPU)', 'errors'], body);
}

export function renderMarkdown(results: Results): string {
  const { config } = results;
  const out = ['# Wharf benchmark results', ''];
  out.push(`- Date: ${results.date.toISOString()}`);
  out.push(`- Machine: ${cpuModel()}, ${cpus().length} CPUs; Node ${process.version}`);
  out.push(
    `- Load average (1 min) at start / end: ${results.loadAtStart.toFixed(2)} / ${loadavg()[0]!.toFixed(2)}`,
  );
  out.push(`- Pinning: ${results.pinned ? 'server on CPU 0, load generator on CPU 1 (taskset)' : 'none'}`);
  out.push(`- Command: \`${config.command}\``);
  out.push(`- Window: ${config.warmup} s warm-up, then ${config.seconds} s measured per row`);
  for (const line of [...results.skipped, ...results.notes]) out.push(`- ${line}`);
  if (results.throughput.length)
    out.push('', '## Server CPU per `tools/call`', '', throughputTable(results.throughput));
  if (results.memory.length) {
    const [from, to] = config.sessions;
    out.push('', `## Idle sessions (${from} → ${to}, after forced GC)`, '', memoryTable(results.memory));
    if (results.memory.some((r) => !r.gc))
      out.push('', 'Warning: GC was not exposed; memory figures are noisy.');
  }
  const failures = [...results.throughput, ...results.memory].filter((r) => r.firstError);
  if (failures.length) {
    out.push('', '## Errors', '');
    for (const r of failures) out.push(`- ${r.server} ${r.mode}: ${r.errors} × e.g. ${r.firstError}`);
  }
  return `${out.join('\n')}\n`;
}
