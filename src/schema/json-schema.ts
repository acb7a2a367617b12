import { Ajv } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { toErrorMessage, WharfError, WharfErrorCode } from '../protocol/errors.js';
import type { JsonSchemaObject } from '../protocol/types.js';
import { ajvIssues } from './issues.js';
import type { PreparedSchema } from './types.js';

type Draft = '2020-12' | '07';
type AnyAjv = Ajv | Ajv2020;

// Format checks are off because Wharf does not ship ajv-formats; with them on, Ajv would reject
// every schema using `format`. `strict: false` accepts the vendor keywords real schemas carry.
const ajvOptions = { strict: false, validateFormats: false, allErrors: true } as const;

function newAjv(draft: Draft): AnyAjv {
  return draft === '07' ? new Ajv(ajvOptions) : new Ajv2020(ajvOptions);
}

// One instance per draft, created on first use so servers without raw schemas never build one.
const shared = new Map<Draft, AnyAjv>();
function sharedAjv(draft: Draft): AnyAjv {
  let ajv = shared.get(draft);
  if (!ajv) {
    ajv = newAjv(draft);
    shared.set(draft, ajv);
  }
  return ajv;
}

function draftOf(schema: JsonSchemaObject, label: string): Draft {
  const dialect = schema.$schema;
  if (dialect === undefined) return '2020-12';
  if (typeof dialect === 'string') {
    const id = dialect.replace(/^https?:\/\//, '').replace(/#$/, '');
    if (id === 'json-schema.org/draft/2020-12/schema') return '2020-12';
    if (id === 'json-schema.org/draft-07/schema') return '07';
  }
  throw new WharfError(
    WharfErrorCode.InvalidSchema,
    `${label}: unsupported $schema ${JSON.stringify(dialect)}; ` +
      'use "https://json-schema.org/draft/2020-12/schema", "http://json-schema.org/draft-07/schema#", or omit it',
  );
}

/**
 * The shared instance registers every `$id` it compiles, so a second, different schema reusing
 * an `$id` (top-level or nested) is rejected there. Such a schema gets a private instance instead:
 * stripping `$id` would break `$ref`s that name it. A schema that fails on both is truly invalid.
 */
function compile(schema: JsonSchemaObject, draft: Draft) {
  try {
    return sharedAjv(draft).compile(schema);
  } catch {
    return newAjv(draft).compile(schema);
  }
}

/** Compiles once; the schema object itself goes on the wire, untouched. */
export function prepareJsonSchema<T>(schema: JsonSchemaObject, label: string): PreparedSchema<T> {
  const draft = draftOf(schema, label);
  // Ajv's `$async` makes validation return a promise, which the sync check below would read as a pass.
  if (schema.$async === true) {
    throw new WharfError(
      WharfErrorCode.InvalidSchema,
      `${label}: remove "$async"; JSON Schemas are validated synchronously`,
    );
  }
  let check: ReturnType<typeof compile>;
  try {
    check = compile(schema, draft);
  } catch (error) {
    const reason = toErrorMessage(error);
    throw new WharfError(WharfErrorCode.InvalidSchema, `${label}: invalid JSON Schema: ${reason}`);
  }
  return {
    jsonSchema: schema,
    validate(value) {
      return check(value) ? { ok: true, value: value as T } : { ok: false, issues: ajvIssues(check.errors) };
    },
  };
}
