import { toStandardJsonSchema } from '@valibot/to-json-schema';
import { type } from 'arktype';
import * as v from 'valibot';
import { expectTypeOf, test } from 'vitest';
import { McpServer } from 'wharf-mcp';
import { z } from 'zod';
import * as zm from 'zod/mini';
import { z as z3 } from 'zod/v3';
import type { InferInput, InferOutput, SchemaInput, StandardJsonSchema } from '../src/schema/index.js';

test('InferInput of a zod object is its parsed output', () => {
  const schema = z.object({
    a: z.number(),
    s: z.string().transform((s) => s.length),
    o: z.string().optional(),
  });
  expectTypeOf<InferInput<typeof schema>>().toEqualTypeOf<{ a: number; s: number; o?: string | undefined }>();
  expectTypeOf<InferOutput<typeof schema>>().toEqualTypeOf<{
    a: number;
    s: string;
    o?: string | undefined;
  }>();
  expectTypeOf(schema).toExtend<SchemaInput>();
});

test('InferInput of an arktype type', () => {
  const schema = type({ a: 'number', address: { city: 'string' } });
  expectTypeOf<InferInput<typeof schema>>().toEqualTypeOf<{ a: number; address: { city: string } }>();
  expectTypeOf(schema).toExtend<SchemaInput>();
});

test('InferInput of a valibot schema wrapped with toStandardJsonSchema', () => {
  const schema = toStandardJsonSchema(v.object({ a: v.number(), tags: v.array(v.string()) }));
  expectTypeOf<InferInput<typeof schema>>().toEqualTypeOf<{ a: number; tags: string[] }>();
  expectTypeOf(schema).toExtend<SchemaInput>();
});

test('InferInput of a plain JSON Schema object', () => {
  const schema = { type: 'object', properties: { a: { type: 'number' } } };
  expectTypeOf<InferInput<typeof schema>>().toEqualTypeOf<Record<string, unknown>>();
  expectTypeOf<InferOutput<typeof schema>>().toEqualTypeOf<Record<string, unknown>>();
  expectTypeOf(schema).toExtend<SchemaInput>();
});

test('InferInput of a Zod Mini schema wrapped with z.toJSONSchema', () => {
  const schema = zm.toJSONSchema(zm.object({ a: zm.number(), tags: zm.array(zm.string()) }));
  expectTypeOf<InferInput<typeof schema>>().toEqualTypeOf<{ a: number; tags: string[] }>();
  expectTypeOf(schema).toExtend<SchemaInput>();
});

test('a Standard Schema without JSON Schema support is refused, with what to do in the error', () => {
  expectTypeOf(z3.object({ a: z3.number() })).not.toExtend<SchemaInput>();
  expectTypeOf(v.object({ a: v.number() })).not.toExtend<SchemaInput>();
  expectTypeOf(zm.object({ a: zm.number() })).not.toExtend<SchemaInput>();
  // TypeScript reports such a schema against the JSON Schema member, whose `~standard` is the advice:
  // Type 'Props<...>' is not assignable to type '"Cannot be sent as JSON Schema. Zod 3: use Zod 4. ..."'.
  type Advice = NonNullable<Exclude<SchemaInput, StandardJsonSchema>['~standard']>;
  expectTypeOf<Advice>().not.toBeNever();
  expectTypeOf<Advice>().toExtend<`${string}Zod 3: use Zod 4.${string}toStandardJsonSchema()${string}`>();
  const server = new McpServer({ name: 'types', version: '1.0.0' });
  // @ts-expect-error Zod 3: use Zod 4
  server.tool('zod3', { inputSchema: z3.object({ a: z3.number() }) }, () => 'x');
  // @ts-expect-error Valibot: wrap it with toStandardJsonSchema()
  server.tool('valibot', { inputSchema: v.object({ a: v.number() }) }, () => 'x');
  // @ts-expect-error Zod Mini: wrap it with z.toJSONSchema()
  server.prompt('mini', { arguments: zm.object({ a: zm.string() }) }, () => 'x');
});
