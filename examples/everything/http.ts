/**
 * The everything server over HTTP, for the official conformance suite (`.ci/conformance`) and any
 * HTTP MCP client: Streamable HTTP at /mcp, legacy SSE at /sse, health at /health.
 *   PORT=3000 node --import tsx examples/everything/http.ts
 */
import { MemoryEventStore } from 'wharf-mcp';
import { createEverythingServer } from './server.js';

const app = createEverythingServer().httpApp({ eventStore: new MemoryEventStore(), retryMs: 500 });
const { url } = await app.listen({
  port: Number(process.env.PORT ?? 3000),
  host: process.env.HOST ?? '127.0.0.1',
});
process.stderr.write(`Wharf everything server: ${url}\n`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void app.close().then(() => process.exit(0)));
}
