import type { StandardJSONSchemaV1, StandardSchemaV1 } from '@standard-schema/spec';
import type { JsonSchemaObject } from '../protocol/types.js';

/** A Standard Schema that can also describe itself as JSON Schema (both live on `~standard`). */
export type StandardJsonSchema<I = unknown, O = I> = StandardSchemaV1<I, O> & StandardJSONSchemaV1<I, O>;

/**
 * A plain JSON Schema object. Its `~standard` type is advice, not data: TypeScript reports a schema
 * that fits neither member of `SchemaInput` against this one (it shares the most keys), so a Standard
 * Schema without JSON Schema support fails with "Type 'Props<...>' is not assignable to type
 * '"Cannot be sent as JSON Schema. Zod 3: ..."'" instead of a missing index signature.
 */
export interface JsonSchemaInput extends JsonSchemaObject {
  '~standard'?: 'Cannot be sent as JSON Schema. Zod 3: use Zod 4. Valibot: wrap it with toStandardJsonSchema(). Zod Mini: wrap it with z.toJSONSchema().';
}

/**
 * What tools and prompts accept as a schema. `unknown` is enough here because both Standard
 * interfaces are covariant in their type parameters, so any concrete schema is assignable.
 */
export type SchemaInput = StandardJsonSchema<unknown, unknown> | JsonSchemaInput;

/** What a handler receives: the schema's parsed output (after transforms/defaults). */
export type InferInput<S> = S extends StandardSchemaV1
  ? StandardSchemaV1.InferOutput<S>
  : Record<string, unknown>;

/** What a handler may return as structured output: the schema's accepted input. */
export type InferOutput<S> = S extends StandardSchemaV1
  ? StandardSchemaV1.InferInput<S>
  : Record<string, unknown>;

/** One validation failure. `path` reads like `address.city` or `items[2]`; `""` is the root. */
export interface SchemaIssue {
  path: string;
  message: string;
}

export type ValidationResult<T> = { ok: true; value: T } | { ok: false; issues: SchemaIssue[] };

/** A schema checked and converted once at registration, ready to validate many times. */
export interface PreparedSchema<T = unknown> {
  /** What goes on the wire. */
  readonly jsonSchema: JsonSchemaObject;
  /** Sync when the underlying validator is sync (Ajv always; Standard Schema when it returns a non-promise). */
  validate(value: unknown): ValidationResult<T> | Promise<ValidationResult<T>>;
}
