import { type } from 'arktype';
import { expectTypeOf, test } from 'vitest';
import { z } from 'zod';
import { type Context, McpServer } from '../src/index.js';

const server = new McpServer({ name: 'types', version: '1.0.0' });

test('tool handler arguments are typed from a Zod schema', () => {
  server.tool(
    'zod',
    { inputSchema: z.object({ a: z.number(), tags: z.array(z.string()).optional() }) },
    (args, ctx) => {
      expectTypeOf(args).toEqualTypeOf<{ a: number; tags?: string[] | undefined }>();
      expectTypeOf(ctx).toEqualTypeOf<Context>();
      return 'ok';
    },
  );
});

test('tool handler arguments are typed from an ArkType type', () => {
  server.tool('ark', { inputSchema: type({ city: 'string', 'days?': 'number' }) }, (args) => {
    expectTypeOf(args).toEqualTypeOf<{ city: string; days?: number }>();
    return args.city;
  });
});

test('a raw JSON Schema gives a record; no schema gives no arguments', () => {
  server.tool('raw', { inputSchema: { type: 'object', properties: { q: { type: 'string' } } } }, (args) => {
    expectTypeOf(args).toEqualTypeOf<Record<string, unknown>>();
    return '';
  });
  server.tool('none', { description: 'no args' }, (args) => {
    expectTypeOf(args).toEqualTypeOf<Record<string, never>>();
    return '';
  });
});

test('with an output schema the handler must return the structured shape', () => {
  server.tool('out', { outputSchema: z.object({ sum: z.number() }) }, () => ({ sum: 1 }));
  // @ts-expect-error the output schema wants { sum: number }
  server.tool('bad-out', { outputSchema: z.object({ sum: z.number() }) }, () => ({ total: 1 }));
});

test('prompt arguments are typed from a schema or a plain list', () => {
  server.prompt('p1', { arguments: z.object({ code: z.string() }) }, (args) => {
    expectTypeOf(args).toEqualTypeOf<{ code: string }>();
    return args.code;
  });
  server.prompt('p2', { arguments: [{ name: 'topic', required: true }] }, (args) => {
    expectTypeOf(args).toEqualTypeOf<Record<string, string | undefined>>();
    return String(args.topic);
  });
});
