/**
 * Wharf's own HTTP app, served exactly as a user would (`app.listen()`, nothing in front of it).
 * It imports the package by name and runs under bench/tsconfig.json (no `paths`), so that resolves to
 * the built package (`dist/`, what users install) and the numbers are not those of
 * TypeScript compiled on the fly; `npm run bench` builds first.
 */
import { McpServer } from 'wharf-mcp';
import { HOST, MODE, PORT, ready } from './common.js';

const server = new McpServer({ name: 'bench', version: '1.0.0' });
server.tool(
  'echo',
  {
    description: 'Echo',
    inputSchema: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
  },
  (args) => String(args.text),
);

// `per-request` needs no option: a 2026-07-28 request is served per request on every mount.
// The idle-session rows open 5,000 sessions from one address; the default per-client cap (1,000 for
// an anonymous address) would evict or refuse them, so it is raised to the table's own cap here.
const app = server.httpApp({
  jsonResponse: MODE !== 'streamable-sse',
  stateless: MODE === 'stateless',
  maxSessionsPerPrincipal: 10_000,
});
const { port } = await app.listen({ port: PORT, host: HOST });
await ready(port);
