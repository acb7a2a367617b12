import { toStandardJsonSchema } from '@valibot/to-json-schema';
import { type } from 'arktype';
import * as v from 'valibot';
import { describe, expect, test } from 'vitest';
import { z } from 'zod';
import * as zm from 'zod/mini';
import { z as z3 } from 'zod/v3';
import { WharfError } from '../src/protocol/errors.js';
import {
  formatIssues,
  isStandardSchema,
  type PreparedSchema,
  prepareSchema,
  type SchemaInput,
  type ValidationResult,
} from '../src/schema/index.js';

const input = { io: 'input', label: 'tool "t" inputSchema', requireObject: true } as const;

async function check(prepared: PreparedSchema, value: unknown): Promise<ValidationResult<unknown>> {
  return await prepared.validate(value);
}

function failureText(result: ValidationResult<unknown>): string {
  if (result.ok) throw new Error('expected validation to fail');
  return formatIssues(result.issues);
}

function expectInvalid(schema: unknown, options: Parameters<typeof prepareSchema>[1] = input): WharfError {
  try {
    prepareSchema(schema as SchemaInput, options);
  } catch (error) {
    expect(error).toBeInstanceOf(WharfError);
    expect((error as WharfError).code).toBe('WHARF_INVALID_SCHEMA');
    return error as WharfError;
  }
  throw new Error('expected prepareSchema to throw');
}

const libraries: Array<[string, SchemaInput]> = [
  ['zod', z.object({ a: z.number(), address: z.object({ city: z.string() }) })],
  ['valibot', toStandardJsonSchema(v.object({ a: v.number(), address: v.object({ city: v.string() }) }))],
  ['arktype', type({ a: 'number', address: { city: 'string' } })],
];

describe.each(libraries)('%s', (_name, schema) => {
  const prepared = prepareSchema(schema, input);

  test('converts to an object JSON Schema without $schema', () => {
    expect(prepared.jsonSchema).toMatchObject({
      type: 'object',
      properties: {
        a: { type: 'number' },
        address: { type: 'object', properties: { city: { type: 'string' } } },
      },
      required: expect.arrayContaining(['a', 'address']),
    });
    expect(prepared.jsonSchema).not.toHaveProperty('$schema');
    expect(isStandardSchema(schema)).toBe(true);
  });

  test('validates good input', async () => {
    const value = { a: 1, address: { city: 'Oslo' } };
    expect(await check(prepared, value)).toEqual({ ok: true, value });
  });

  test('names the failing fields', async () => {
    const result = await check(prepared, { a: 'x', address: {} });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.map((i) => i.path)).toEqual(['a', 'address.city']);
    expect(failureText(result)).toMatch(/^a: .+; address\.city: .+$/);
  });
});

describe('Standard Schema', () => {
  test('zod validation is synchronous and returns the parsed output', () => {
    const prepared = prepareSchema<{ n: number }>(z.object({ n: z.coerce.number() }), input);
    expect(prepared.validate({ n: '4' })).toEqual({ ok: true, value: { n: 4 } });
  });

  test('async validation returns a promise', async () => {
    const schema = z.object({ n: z.number().refine(async (n) => n > 0, 'must be positive') });
    const result = prepareSchema(schema, input).validate({ n: -1 });
    expect(result).toBeInstanceOf(Promise);
    expect(await result).toEqual({ ok: false, issues: [{ path: 'n', message: 'must be positive' }] });
  });

  test('output io converts the output side', () => {
    const schema = z.object({ n: z.string().transform((s) => s.length) });
    expect(prepareSchema(schema, { ...input, io: 'input' }).jsonSchema).toMatchObject({
      properties: { n: { type: 'string' } },
    });
    expect(() => prepareSchema(schema, { ...input, io: 'output' })).toThrow(
      /zod.*Transforms cannot be represented/i,
    );
  });

  test('array paths use brackets', () => {
    const prepared = prepareSchema(z.object({ items: z.array(z.number()) }), input);
    const result = prepared.validate({ items: [1, 2, 'x'] }) as ValidationResult<unknown>;
    expect(failureText(result)).toMatch(/^items\[2\]: /);
  });
});

const fixture = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  $defs: {
    address: { type: 'object', properties: { street: { type: 'string' }, city: { type: 'string' } } },
  },
  properties: { name: { type: 'string' }, address: { $ref: '#/$defs/address' } },
  additionalProperties: false,
};

describe('raw JSON Schema', () => {
  test('goes to the wire untouched', () => {
    const original = structuredClone(fixture);
    const prepared = prepareSchema(fixture, input);
    expect(prepared.jsonSchema).toBe(fixture);
    expect(prepared.jsonSchema).toEqual(original);
    expect(isStandardSchema(fixture)).toBe(false);
  });

  test('validates through $ref, synchronously', () => {
    const prepared = prepareSchema(fixture, input);
    const good = { name: 'n', address: { city: 'Oslo' } };
    expect(prepared.validate(good)).toEqual({ ok: true, value: good });
    const bad = prepared.validate({ address: { city: 5 } }) as ValidationResult<unknown>;
    expect(failureText(bad)).toBe('address.city: must be string');
    const extra = prepared.validate({ name: 'n', extra: 1 }) as ValidationResult<unknown>;
    expect(failureText(extra)).toBe('extra: unexpected property');
  });

  test('names missing required properties and array indexes', () => {
    const schema = {
      type: 'object',
      properties: { items: { type: 'array', items: { type: 'object', required: ['id'] } } },
      required: ['name'],
    };
    const result = prepareSchema(schema, input).validate({
      items: [{ id: 1 }, {}],
    }) as ValidationResult<unknown>;
    expect(result).toEqual({
      ok: false,
      issues: [
        { path: 'name', message: 'required' },
        { path: 'items[1].id', message: 'required' },
      ],
    });
  });

  test('supports draft-07', () => {
    const schema = {
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      definitions: { n: { type: 'number' } },
      properties: { n: { $ref: '#/definitions/n' }, t: { type: 'array', items: [{ type: 'string' }] } },
    };
    const prepared = prepareSchema(schema, input);
    expect(prepared.jsonSchema).toBe(schema);
    expect(prepared.validate({ n: 1, t: ['x'] })).toMatchObject({ ok: true });
    expect(failureText(prepared.validate({ n: 'x', t: [1] }) as ValidationResult<unknown>)).toBe(
      'n: must be number; t[0]: must be string',
    );
  });

  test('two schemas sharing an $id both work', () => {
    const id = 'https://example.com/args.json';
    const a = prepareSchema({ $id: id, type: 'object', properties: { a: { type: 'number' } } }, input);
    const b = prepareSchema(
      {
        $id: id,
        type: 'object',
        $defs: { s: { type: 'string' } },
        properties: { b: { $ref: `${id}#/$defs/s` } },
      },
      input,
    );
    expect(a.validate({ a: 1 })).toMatchObject({ ok: true });
    expect(a.validate({ a: 'x' })).toMatchObject({ ok: false });
    expect(b.validate({ b: 'x' })).toMatchObject({ ok: true });
    expect(b.validate({ b: 1 })).toMatchObject({ ok: false });
    expect(b.jsonSchema.$id).toBe(id);
  });

  test('ignores format (no ajv-formats) and unknown keywords', () => {
    const schema = { type: 'object', properties: { e: { type: 'string', format: 'email', 'x-ui': 1 } } };
    expect(prepareSchema(schema, input).validate({ e: 'not an email' })).toMatchObject({ ok: true });
  });
});

describe('errors at preparation', () => {
  test('a Standard Schema without Standard JSON Schema', () => {
    const error = expectInvalid(v.object({ a: v.number() }));
    expect(error.message).toMatch(/Standard JSON Schema/);
    expect(error.message).toMatch(/toStandardJsonSchema\(\).*@valibot\/to-json-schema/);
  });

  test('a Zod 3 schema (zod/v3) is refused with the advice to use Zod 4', () => {
    const error = expectInvalid(z3.object({ a: z3.number() }));
    expect(error.message).toContain(
      'tool "t" inputSchema: Zod 3 is not supported: use Zod 4 (`zod` ≥ 4, or import from `zod/v4`)',
    );
    expect(error.message).not.toMatch(/Valibot|toStandardJsonSchema/);
    // Zod before 3.24 has no `~standard` at all; it must not pass for a JSON Schema object.
    const zod323 = { _def: { typeName: 'ZodObject' }, safeParse: () => ({ success: true }) };
    expect(expectInvalid(zod323).message).toContain('Zod 3 is not supported');
  });

  test('a Zod Mini schema is refused with the advice to wrap it, and accepted wrapped', () => {
    const schema = zm.object({ a: zm.number() });
    expect(expectInvalid(schema).message).toMatch(/wrap it with z\.toJSONSchema\(\)/);
    const prepared = prepareSchema(zm.toJSONSchema(schema), input);
    expect(prepared.jsonSchema).toMatchObject({ type: 'object', properties: { a: { type: 'number' } } });
    expect(prepared.validate({ a: 'x' })).toMatchObject({ ok: false });
  });

  test('a conversion that throws names the vendor and the reason', () => {
    const error = expectInvalid(z.object({ n: z.bigint() }));
    expect(error.message).toMatch(/zod/);
    expect(error.message).toMatch(/BigInt cannot be represented in JSON Schema/);
  });

  test('requireObject rejects non-object schemas', () => {
    expect(expectInvalid(z.string()).message).toMatch(/wrap the fields in an object schema/);
    expect(expectInvalid({ type: 'string' }).message).toMatch(/type "object"/);
    expect(prepareSchema(z.string(), { io: 'input', label: 'prompt' }).jsonSchema).toEqual({
      type: 'string',
    });
  });

  test('a raw schema Ajv cannot compile includes Ajv message', () => {
    expect(expectInvalid({ type: 'object', properties: { a: { type: 'nonsense' } } }).message).toMatch(
      /invalid JSON Schema: schema is invalid/,
    );
    expect(expectInvalid({ type: 'object', properties: { a: { $ref: '#/$defs/missing' } } }).message).toMatch(
      /can't resolve reference/,
    );
  });

  test('unsupported dialects and $async', () => {
    expect(
      expectInvalid({ $schema: 'http://json-schema.org/draft-04/schema#', type: 'object' }).message,
    ).toMatch(/unsupported \$schema/);
    expect(expectInvalid({ $async: true, type: 'object' }).message).toMatch(/\$async/);
  });

  test('non-object inputs', () => {
    for (const bad of [null, undefined, 'string', 42, [], () => {}, { '~standard': {} }]) expectInvalid(bad);
  });
});

test('formatIssues shows root issues without a path', () => {
  expect(
    formatIssues([
      { path: '', message: 'expected object' },
      { path: 'a', message: 'expected number, received string' },
    ]),
  ).toBe('expected object; a: expected number, received string');
});
