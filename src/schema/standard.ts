import type { StandardJSONSchemaV1, StandardSchemaV1 } from '@standard-schema/spec';
import { toErrorMessage, WharfError, WharfErrorCode } from '../protocol/errors.js';
import type { JsonSchemaObject } from '../protocol/types.js';
import { standardIssues } from './issues.js';
import type { PreparedSchema, ValidationResult } from './types.js';

/** True for anything carrying a Standard Schema `~standard.validate` (ArkType types are functions). */
export function isStandardSchema(value: unknown): value is StandardSchemaV1 {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return false;
  const props: unknown = (value as { '~standard'?: unknown })['~standard'];
  return (
    typeof props === 'object' &&
    props !== null &&
    typeof (props as { validate?: unknown }).validate === 'function'
  );
}

export const ZOD_3_UNSUPPORTED = 'Zod 3 is not supported: use Zod 4 (`zod` ≥ 4, or import from `zod/v4`)';

/**
 * A Zod 3 schema, including what `zod/v3` exports and versions before 3.24 that have no `~standard`:
 * Zod 3 keeps its internals on `_def`, Zod 4 (classic and Mini) on `_zod`.
 */
export function isZod3(value: object): boolean {
  return (
    '_def' in value &&
    !('_zod' in value) &&
    typeof (value as { safeParse?: unknown }).safeParse === 'function'
  );
}

/**
 * What to do about a Standard Schema that cannot describe itself as JSON Schema, by library. The
 * type of `SchemaInput` carries the same advice for the editor.
 */
function withoutJsonSchema(schema: StandardSchemaV1, vendor: string): string {
  if (vendor === 'zod') {
    if (isZod3(schema)) return ZOD_3_UNSUPPORTED;
    return (
      'this Zod 4 schema does not implement Standard JSON Schema (~standard.jsonSchema), as Zod Mini schemas do not; ' +
      "wrap it with z.toJSONSchema(), or use the classic API (`import { z } from 'zod'`)"
    );
  }
  const fix =
    vendor === 'valibot'
      ? "wrap it with toStandardJsonSchema() from '@valibot/to-json-schema'"
      : 'use a version of the library that does, or pass a plain JSON Schema object';
  return `the ${vendor} schema must also implement Standard JSON Schema (~standard.jsonSchema) so it can be sent as JSON Schema; ${fix}`;
}

function toResult<T>(result: StandardSchemaV1.Result<unknown>): ValidationResult<T> {
  return result.issues
    ? { ok: false, issues: standardIssues(result.issues) }
    : { ok: true, value: result.value as T };
}

/** Converts to JSON Schema once; validation stays with the schema's own library. */
export function prepareStandard<T>(
  schema: StandardSchemaV1,
  io: 'input' | 'output',
  label: string,
): PreparedSchema<T> {
  const props = schema['~standard'] as StandardSchemaV1.Props & Partial<StandardJSONSchemaV1.Props>;
  const converter = props.jsonSchema;
  if (typeof converter?.[io] !== 'function') {
    throw new WharfError(
      WharfErrorCode.InvalidSchema,
      `${label}: ${withoutJsonSchema(schema, props.vendor)}`,
    );
  }
  let converted: JsonSchemaObject;
  try {
    converted = converter[io]({ target: 'draft-2020-12' });
  } catch (error) {
    const reason = toErrorMessage(error);
    throw new WharfError(
      WharfErrorCode.InvalidSchema,
      `${label}: the ${props.vendor} schema could not be converted to JSON Schema (${io}): ${reason}. ` +
        'Use only types JSON Schema can describe',
    );
  }
  if (typeof converted !== 'object' || converted === null || Array.isArray(converted)) {
    throw new WharfError(
      WharfErrorCode.InvalidSchema,
      `${label}: the ${props.vendor} schema converted to ${typeof converted}, not a JSON Schema object`,
    );
  }
  // The converted schema is ours to shape: drop the dialect marker, since MCP assumes 2020-12 anyway.
  const { $schema: _dialect, ...jsonSchema } = converted;
  return {
    jsonSchema,
    validate(value) {
      const result = props.validate(value);
      // Stay synchronous when the library is: callers skip an await per call.
      return 'then' in result ? result.then((r) => toResult<T>(r)) : toResult<T>(result);
    },
  };
}
