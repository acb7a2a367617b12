/**
 * Wharf as users get it: `npm pack` (which builds dist/ through the `prepare` script), the tarball
 * installed into a scratch project, and that project using it from ES modules, from CommonJS
 * (`require` of an ES module, Node ≥ 20.19) and from TypeScript with `module: nodenext`, both
 * flavours. Nothing here reads src/: only the installed package.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

let scratch = '';
let packed: { files: { path: string }[]; filename: string };

/** A server with one tool, served by the app's fetch entry, asked to call the tool. Same in ESM and CJS. */
const exercise = `
async function exercise(wharf, subpaths) {
  const server = new wharf.McpServer({ name: 'installed', version: '1.0.0' });
  server.tool(
    'add',
    { inputSchema: { type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } }, required: ['a', 'b'] } },
    ({ a, b }) => String(a + b),
  );
  const app = server.httpApp({ jsonResponse: true });
  const post = (body, session) =>
    app.fetch(new Request('http://127.0.0.1/mcp', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        ...(session ? { 'mcp-session-id': session, 'mcp-protocol-version': '2025-11-25' } : {}),
      },
      body: JSON.stringify(body),
    }));
  const init = await post({ jsonrpc: '2.0', id: 1, method: 'initialize', params: {
    protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'scratch', version: '0' } } });
  const session = init.headers.get('mcp-session-id');
  await post({ jsonrpc: '2.0', method: 'notifications/initialized' }, session);
  const call = await post({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'add', arguments: { a: 2, b: 3 } } }, session);
  const answer = await call.json();
  await app.close();
  return { text: answer.result.content[0].text, subpaths: Object.fromEntries(subpaths.map(([name, mod]) => [name, Object.keys(mod).sort()])) };
}
`;

const SUBPATHS = ['stdio', 'express', 'fastify', 'koa', 'hono', 'next', 'node'];

const esm = `${exercise}
import * as wharf from 'wharf-mcp';
const subpaths = [];
for (const name of ${JSON.stringify(SUBPATHS)}) subpaths.push([name, await import('wharf-mcp/' + name)]);
console.log(JSON.stringify(await exercise(wharf, subpaths)));
`;

const cjs = `${exercise}
const wharf = require('wharf-mcp');
const subpaths = ${JSON.stringify(SUBPATHS)}.map((name) => [name, require('wharf-mcp/' + name)]);
exercise(wharf, subpaths).then((out) => console.log(JSON.stringify(out)));
`;

/** Type-checked as users write it; `tsc` must accept both module flavours under nodenext. */
const typed = `import { McpServer, type HttpApp } from 'wharf-mcp';
import { StdioTransport } from 'wharf-mcp/stdio';
import { toNodeHandler } from 'wharf-mcp/node';
const server = new McpServer({ name: 'typed', version: '1.0.0' });
server.tool('add', { inputSchema: { type: 'object', properties: { a: { type: 'number' } } } }, (args) => String(args.a));
const app: HttpApp = server.httpApp();
export const handler = toNodeHandler(app, { basePath: '/mcp' });
export const transport = new StdioTransport();
`;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'wharf-package-'));
  // `npm pack` runs `prepare`, which builds dist/: the tarball is what `npm publish` would send.
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', scratch], { cwd: ROOT });
  packed = (JSON.parse(stdout.slice(stdout.indexOf('['))) as (typeof packed)[])[0]!;
  await writeFile(join(scratch, 'package.json'), JSON.stringify({ name: 'scratch', private: true }));
  // hono's adapter imports `hono/route` at run time, so a user of `wharf-mcp/hono` has hono installed.
  await run(
    'npm',
    ['install', '--prefer-offline', '--no-audit', '--no-fund', join(scratch, packed.filename), 'hono'],
    { cwd: scratch },
  );
  await writeFile(join(scratch, 'esm.mjs'), esm);
  await writeFile(join(scratch, 'cjs.cjs'), cjs);
  await writeFile(join(scratch, 'typed-esm.mts'), typed);
  await writeFile(join(scratch, 'typed-cjs.cts'), typed);
}, 180_000);

afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('the packed package', () => {
  it('contains the built files of every export, not only the README', async () => {
    const files = new Set(packed.files.map((f) => f.path));
    const manifest = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as {
      exports: Record<string, string | Record<string, string>>;
    };
    for (const target of Object.values(manifest.exports)) {
      for (const file of typeof target === 'string' ? [target] : Object.values(target)) {
        expect(files, file).toContain(file.replace(/^\.\//, ''));
      }
    }
  });

  for (const [flavour, file] of [
    ['ES modules', 'esm.mjs'],
    ['CommonJS (require)', 'cjs.cjs'],
  ] as const) {
    it(`works from ${flavour}: every subpath export loads and a tool call answers`, async () => {
      const { stdout } = await run(process.execPath, [file], { cwd: scratch });
      const out = JSON.parse(stdout) as { text: string; subpaths: Record<string, string[]> };
      expect(out.text).toBe('5');
      expect(out.subpaths).toEqual({
        stdio: ['StdioTransport'],
        express: ['toExpress', 'toExpressRoot'],
        fastify: ['toFastify', 'toFastifyRoot'],
        koa: ['toKoa', 'toKoaRoot'],
        hono: ['toHono', 'toHonoRoot'],
        next: ['toNextHandlers', 'toNextRootHandlers'],
        node: ['toNodeHandler'],
      });
    });
  }

  it('type-checks under TypeScript module: nodenext, as ESM and as CommonJS', async () => {
    const tsconfig = {
      compilerOptions: {
        module: 'nodenext',
        target: 'es2022',
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        types: ['node'],
        typeRoots: [join(ROOT, 'node_modules', '@types')],
      },
      files: ['typed-esm.mts', 'typed-cjs.cts'],
    };
    await writeFile(join(scratch, 'tsconfig.json'), JSON.stringify(tsconfig));
    const result = await run(process.execPath, [TSC, '-p', scratch], { cwd: scratch }).then(
      () => '',
      (error: { stdout?: string }) => error.stdout ?? String(error),
    );
    expect(result).toBe('');
  });
});
