/**
 * mcp-lite (npm `mcp-lite`, fetch-first) wired as its README shows: one `McpServer` with a Zod
 * schema adapter, `new StreamableHttpTransport(...)`, `transport.bind(server)`, and a Hono app
 * routing `/mcp` to the bound handler. Served on node:http through `@hono/node-server` (its docs
 * show Hono; this is Hono's own Node server). Stateful: `InMemorySessionAdapter`, its single-server
 * setup; stateless: no adapter, its default.
 *
 * Modes: `streamable-sse` and `stateless`. mcp-lite answers every request after `initialize` with
 * an SSE stream whenever the client accepts `text/event-stream` (spec clients must), and has no
 * option for JSON answers: its `streamable-json` would repeat the `streamable-sse` row, so it is
 * skipped (its idle sessions are measured in `streamable-sse`); `stateless` runs, with SSE answers,
 * and the report says so. It has no legacy HTTP+SSE transport.
 */
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { InMemorySessionAdapter, McpServer, StreamableHttpTransport } from 'mcp-lite';
import { z } from 'zod';
import { HOST, MODE, PORT, ready, unsupported } from './common.js';

if (MODE === 'streamable-json')
  unsupported('answers SSE whenever the client accepts it; no JSON-answer option');
if (MODE === 'legacy-sse') unsupported('no legacy HTTP+SSE transport');
if (MODE === 'per-request') unsupported('no protocol 2026-07-28');

const mcp = new McpServer({
  name: 'bench',
  version: '1.0.0',
  schemaAdapter: (schema) => z.toJSONSchema(schema as z.ZodType),
});
mcp.tool('echo', {
  description: 'Echo',
  inputSchema: z.object({ text: z.string() }),
  handler: ({ text }) => ({ content: [{ type: 'text', text }] }),
});

const transport = new StreamableHttpTransport(
  MODE === 'stateless' ? {} : { sessionAdapter: new InMemorySessionAdapter({ maxEventBufferSize: 1024 }) },
);
const handler = transport.bind(mcp);

const app = new Hono();
app.all('/mcp', (c) => handler(c.req.raw));

const note = MODE === 'stateless' ? 'answers are SSE (mcp-lite has no JSON-answer option)' : undefined;
serve({ fetch: app.fetch, port: PORT, hostname: HOST }, (info) => void ready(info.port, note));
