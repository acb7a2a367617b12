/**
 * `npm run bench`: server CPU per `tools/call`, idle-session memory and session rate for each
 * bench server, as Markdown. `--write` also saves it to bench/RESULTS.md. See bench/README.md.
 */
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { type Mode, readConfig, type ServerName } from './harness/config.js';
import { measureThroughput, type ThroughputRow } from './harness/measure.js';
import { type MemoryRow, measureMemory } from './harness/memory.js';
import { renderMarkdown } from './harness/report.js';
import { pinning, pinSelf, type RunningServer, startServer } from './harness/server-process.js';

const config = readConfig();
const loadAtStart = loadavg()[0]!;
pinSelf();
const log = (line: string) => process.stderr.write(`${line}\n`);
/** Keyed by server name (it cannot run at all) or by "server mode" (it cannot serve that mode). */
const skipped = new Map<string, string>();
const notes = new Set<string>();

/**
 * Runs `body` against a fresh server process, unless that server cannot run yet or cannot serve
 * this mode (the server says so on its ready line; see `skip` and `unsupported` in servers/common.ts).
 * Resolves to whether `body` ran.
 */
async function withServer(
  name: ServerName,
  mode: Mode,
  body: (s: RunningServer) => Promise<void>,
): Promise<boolean> {
  if (skipped.has(name) || skipped.has(`${name} ${mode}`)) return false;
  const started = await startServer(name, mode);
  if ('skipped' in started) {
    const key = started.modeOnly ? `${name} ${mode}` : name;
    skipped.set(key, `${key}: skipped (${started.skipped})`);
    log(skipped.get(key)!);
    return false;
  }
  if (started.note && !notes.has(`${name} ${mode}: ${started.note}`)) {
    notes.add(`${name} ${mode}: ${started.note}`);
    log(`${name} ${mode}: ${started.note}`);
  }
  try {
    await body(started);
  } finally {
    await started.stop();
  }
  return true;
}

const throughput: ThroughputRow[] = [];
for (const mode of config.modes) {
  // Each round runs every server once, raw first, so a server's figure can be paired with raw's.
  const rounds: ThroughputRow[][] = [];
  for (let round = 0; round < config.rounds; round++) {
    const rows: ThroughputRow[] = [];
    for (const name of config.servers) {
      await withServer(name, mode, async (server) => {
        for (const concurrency of config.concurrency) {
          const row = await measureThroughput(server, name, mode, concurrency, config.warmup, config.seconds);
          rows.push(row);
          log(
            `${mode} ${name} ×${concurrency}: ${(row.cpuMicros / row.calls).toFixed(1)} µs/call, ${row.errors} errors`,
          );
        }
      });
    }
    rounds.push(rows);
  }
  throughput.push(...(config.rounds === 1 ? rounds[0]! : medianRows(rounds)));
}

/** One row per server and concurrency: the median round's figures, and the median paired ratio to raw. */
function medianRows(rounds: ThroughputRow[][]): ThroughputRow[] {
  const perCall = (r: ThroughputRow) => r.cpuMicros / r.calls;
  const median = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  };
  return rounds[0]!.map((first) => {
    const same = rounds.flatMap((rows) =>
      rows.filter((r) => r.server === first.server && r.concurrency === first.concurrency),
    );
    const middle = [...same].sort((a, b) => perCall(a) - perCall(b))[same.length >> 1]!;
    const ratios = rounds.flatMap((rows) => {
      const mine = rows.find((r) => r.server === first.server && r.concurrency === first.concurrency);
      const raw = rows.find((r) => r.server === 'raw' && r.concurrency === first.concurrency);
      return mine && raw && mine.calls && raw.calls ? [perCall(mine) / perCall(raw)] : [];
    });
    const errors = same.reduce((sum, r) => sum + r.errors, 0);
    return {
      ...middle,
      errors,
      rounds: same.length,
      pairedRatio: ratios.length ? median(ratios) : undefined,
    };
  });
}

// Idle sessions only exist in stateful modes; SSE answers change nothing about an idle session, so
// a server that cannot answer in JSON has its Streamable HTTP sessions measured in streamable-sse.
const memoryModes = config.modes.filter((m) => m === 'streamable-json' || m === 'legacy-sse');
const memory: MemoryRow[] = [];
const [from, to] = config.sessions;
if (from !== undefined && to !== undefined) {
  for (const mode of memoryModes) {
    for (const name of config.servers) {
      const idle = (m: Mode) =>
        withServer(name, m, async (server) => {
          const row = await measureMemory(server, name, m, from, to);
          memory.push(row);
          log(
            `${m} ${name} idle: ${(row.rssBytesPerSession / 1024).toFixed(2)} KB/session, ${row.errors} errors`,
          );
        });
      if (!(await idle(mode)) && mode === 'streamable-json' && !skipped.has(name))
        await idle('streamable-sse');
    }
  }
}

const markdown = renderMarkdown({
  config,
  pinned: pinning,
  date: new Date(),
  throughput,
  memory,
  skipped: [...skipped.values()],
  notes: [...notes],
  loadAtStart,
});
process.stdout.write(markdown);
if (config.write) writeFileSync(new URL('./RESULTS.md', import.meta.url), markdown);
