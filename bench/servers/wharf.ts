/**
 * Wharf's own HTTP app, served exactly as a user would (`app.listen()`, nothing in front of it).
 * Where `httpApp()` is missing, this server reports a skip and the harness prints
 * "wharf: skipped (httpApp not available yet)".
 */
import { McpServer } from '../../src/index.js';
import { HOST, MODE, PORT, ready, skip } from './common.js';

/** The planned surface: Streamable HTTP at /mcp, legacy SSE at /sse + /messages. */
interface PlannedHttpApi {
  httpApp(options: { jsonResponse: boolean; stateless: boolean }): {
    listen(options: { port: number; host: string }): Promise<{ port: number }>;
  };
}

const server = new McpServer({ name: 'bench', version: '1.0.0' });
server.tool(
  'echo',
  {
    description: 'Echo',
    inputSchema: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
  },
  (args: Record<string, unknown>) => String(args.text),
);

// Narrow cast so this compiles whether or not McpServer has `httpApp` yet; the runtime check
// below keeps the skip path. Safe to drop once `httpApp` is settled.
const planned = server as McpServer & Partial<PlannedHttpApi>;
if (typeof planned.httpApp !== 'function') skip('httpApp not available yet');

const app = planned.httpApp({ jsonResponse: MODE !== 'streamable-sse', stateless: MODE === 'stateless' });
const { port } = await app.listen({ port: PORT, host: HOST });
await ready(port);
