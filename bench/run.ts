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
const skipped = new Map<string, string>();

/** Runs `body` against a fresh server process, unless that server cannot run yet. */
async function withServer(name: ServerName, mode: Mode, body: (s: RunningServer) => Promise<void>) {
  if (skipped.has(name)) return;
  const started = await startServer(name, mode);
  if ('skipped' in started) {
    skipped.set(name, `${name}: skipped (${started.skipped})`);
    log(skipped.get(name)!);
    return;
  }
  try {
    await body(started);
  } finally {
    await started.stop();
  }
}

const throughput: ThroughputRow[] = [];
for (const mode of config.modes) {
  for (const name of config.servers) {
    await withServer(name, mode, async (server) => {
      for (const concurrency of config.concurrency) {
        const row = await measureThroughput(server, name, mode, concurrency, config.warmup, config.seconds);
        throughput.push(row);
        log(
          `${mode} ${name} ×${concurrency}: ${(row.cpuMicros / row.calls).toFixed(1)} µs/call, ${row.errors} errors`,
        );
      }
    });
  }
}

// Idle sessions only exist in stateful modes; SSE answers change nothing about an idle session.
const memoryModes = config.modes.filter((m) => m === 'streamable-json' || m === 'legacy-sse');
const memory: MemoryRow[] = [];
const [from, to] = config.sessions;
if (from !== undefined && to !== undefined) {
  for (const mode of memoryModes) {
    for (const name of config.servers) {
      await withServer(name, mode, async (server) => {
        const row = await measureMemory(server, name, mode, from, to);
        memory.push(row);
        log(
          `${mode} ${name} idle: ${(row.rssBytesPerSession / 1024).toFixed(2)} KB/session, ${row.errors} errors`,
        );
      });
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
  loadAtStart,
});
process.stdout.write(markdown);
if (config.write) writeFileSync(new URL('./RESULTS.md', import.meta.url), markdown);
