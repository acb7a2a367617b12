export { formatIssues } from './issues.js';
export { prepareSchema } from './prepare.js';
export { isStandardSchema } from './standard.js';
export type {
  InferInput,
  InferOutput,
  PreparedSchema,
  SchemaInput,
  SchemaIssue,
  StandardJsonSchema,
  ValidationResult,
} from './types.js';
