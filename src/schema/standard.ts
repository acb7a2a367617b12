import type { StandardJSONSchemaV1, StandardSchemaV1 } from '@standard-schema/spec';
import { WharfError, WharfErrorCode } from '../protocol/errors.js';
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
      `${label}: the ${props.vendor} schema must also implement Standard JSON Schema (~standard.jsonSchema) ` +
        "so it can be sent as JSON Schema; for Valibot, wrap it with toStandardJsonSchema() from '@valibot/to-json-schema'",
    );
  }
  let converted: JsonSchemaObject;
  try {
    converted = converter[io]({ target: 'draft-2020-12' });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
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
