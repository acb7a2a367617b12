/**
 * tmcp (npm `tmcp`) wired as its READMEs show: one `McpServer` with the Zod adapter
 * (`@tmcp/adapter-zod`), `HttpTransport` (`@tmcp/transport-http`) for Streamable HTTP and
 * `SseTransport` (`@tmcp/transport-sse`, deprecated upstream but kept for legacy clients) for
 * legacy SSE, each answering `transport.respond(request)`. Served on node:http through
 * `@remix-run/node-fetch-server`'s `createRequestListener`, the Node setup tmcp's transport docs show.
 *
 * Modes: `streamable-sse`, `legacy-sse` and `per-request`. `HttpTransport` answers every POST with an SSE stream
 * and has no JSON-answer option, so `streamable-json` is skipped (its idle sessions are measured in
 * `streamable-sse`). It gives every `initialize`-based client a session; its sessionless path is the
 * 2026-07-28 per-request protocol, so `stateless` (2025, no session) is skipped and `per-request`
 * runs.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequestListener } from '@remix-run/node-fetch-server';
import { ZodJsonSchemaAdapter } from '@tmcp/adapter-zod';
import { HttpTransport } from '@tmcp/transport-http';
import { SseTransport } from '@tmcp/transport-sse';
import { McpServer } from 'tmcp';
import { z } from 'zod';
import { HOST, MODE, PORT, ready, unsupported } from './common.js';

if (MODE === 'streamable-json') unsupported('answers every POST with SSE; no JSON-answer option');
if (MODE === 'stateless') {
  unsupported(
    'sessionless only in the 2026-07-28 per-request protocol; initialize-based clients get a session',
  );
}

const mcp = new McpServer(
  { name: 'bench', version: '1.0.0', description: 'Echo' },
  { adapter: new ZodJsonSchemaAdapter(), capabilities: { tools: {} } },
);
mcp.tool({ name: 'echo', description: 'Echo', schema: z.object({ text: z.string() }) }, ({ text }) => ({
  content: [{ type: 'text', text }],
}));

const transport =
  MODE === 'legacy-sse' ? new SseTransport(mcp, { path: '/sse' }) : new HttpTransport(mcp, { path: '/mcp' });

const server = createServer(
  createRequestListener(async (request) => {
    const response = await transport.respond(request);
    return response ?? new Response('Not Found', { status: 404 });
  }),
);

server.listen(PORT, HOST, () => void ready((server.address() as AddressInfo).port));
