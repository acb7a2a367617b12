/**
 * The quickstart server as a web app, on its own: Streamable HTTP at /mcp, legacy SSE at /sse, a
 * health check at /health, and a custom REST route beside them. (`npm start` runs the shopping list
 * instead; see the README.)
 *   PORT=3000 npx tsx examples/quickstart/http.ts
 */
import { createQuickstartServer } from './server.js';

const server = createQuickstartServer();
server.route('GET', '/hello', () => Response.json({ hello: 'world' }));

const app = server.httpApp();
const { url, port } = await app.listen({ port: Number(process.env.PORT ?? 3000) });

console.log(`Wharf quickstart is up:
  MCP (Streamable HTTP)  ${url}
  MCP (legacy SSE)       http://127.0.0.1:${port}/sse
  health                 http://127.0.0.1:${port}/health
  custom route           http://127.0.0.1:${port}/hello
Try:  npx @modelcontextprotocol/inspector --cli ${url} --transport http --method tools/call --tool-name add --tool-arg a=2 b=3
Stop with Ctrl+C.`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void app.close().then(() => process.exit(0)));
}
