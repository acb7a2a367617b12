import { toStandardJsonSchema } from '@valibot/to-json-schema';
import { type } from 'arktype';
import * as v from 'valibot';
import { expectTypeOf, test } from 'vitest';
import { z } from 'zod';
import type { InferInput, InferOutput, SchemaInput } from '../src/schema/index.js';

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
