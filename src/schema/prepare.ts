import { WharfError, WharfErrorCode } from '../protocol/errors.js';
import type { JsonSchemaObject } from '../protocol/types.js';
import { prepareJsonSchema } from './json-schema.js';
import { isStandardSchema, isZod3, prepareStandard, ZOD_3_UNSUPPORTED } from './standard.js';
import type { PreparedSchema, SchemaInput } from './types.js';

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

/**
 * Checks, converts and compiles a schema once, at registration, so that each call only validates.
 * Standard Schemas validate with their own library and are sent as their converted JSON Schema;
 * plain JSON Schema objects are sent exactly as given and validated with Ajv.
 */
export function prepareSchema<T = unknown>(
  schema: SchemaInput,
  options: { io: 'input' | 'output'; label: string; requireObject?: boolean },
): PreparedSchema<T> {
  const { io, label } = options;
  const candidate: unknown = schema;
  let prepared: PreparedSchema<T>;
  if (isStandardSchema(candidate)) {
    prepared = prepareStandard<T>(candidate, io, label);
  } else if (typeof candidate === 'object' && candidate !== null && !Array.isArray(candidate)) {
    if (isZod3(candidate)) {
      throw new WharfError(WharfErrorCode.InvalidSchema, `${label}: ${ZOD_3_UNSUPPORTED}`);
    }
    if ('~standard' in candidate) {
      throw new WharfError(
        WharfErrorCode.InvalidSchema,
        `${label}: the schema has "~standard" but no validate function; pass a Standard Schema or a plain JSON Schema`,
      );
    }
    prepared = prepareJsonSchema<T>(candidate as JsonSchemaObject, label);
  } else {
    throw new WharfError(
      WharfErrorCode.InvalidSchema,
      `${label}: expected a Standard Schema (Zod, ArkType, Valibot via toStandardJsonSchema) ` +
        `or a JSON Schema object, got ${describe(candidate)}`,
    );
  }
  // MCP requires tool inputSchema/outputSchema to describe an object (the arguments/structuredContent).
  if (options.requireObject && prepared.jsonSchema.type !== 'object') {
    throw new WharfError(
      WharfErrorCode.InvalidSchema,
      `${label}: must be an object schema (JSON Schema type "object"), got type ${JSON.stringify(prepared.jsonSchema.type)}; ` +
        'wrap the fields in an object schema, e.g. z.object({ value: z.string() })',
    );
  }
  return prepared;
}
