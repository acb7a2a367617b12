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

const app = server.httpApp({ jsonResponse: MODE !== 'streamable-sse', stateless: MODE === 'stateless' });
const { port } = await app.listen({ port: PORT, host: HOST });
await ready(port);
