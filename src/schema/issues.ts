import type { StandardSchemaV1 } from '@standard-schema/spec';
import type { ErrorObject } from 'ajv';
import type { SchemaIssue } from './types.js';

/** Appends one key to a display path: numbers index (`items[2]`), strings dot (`address.city`). */
function appendKey(path: string, key: PropertyKey): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  if (typeof key === 'symbol') return `${path}[${key.toString()}]`;
  return path === '' ? key : `${path}.${key}`;
}

/** Standard Schema paths mix plain keys and `{ key }` segments (Valibot uses the latter). */
export function standardIssues(issues: ReadonlyArray<StandardSchemaV1.Issue>): SchemaIssue[] {
  return issues.map((issue) => {
    let path = '';
    for (const segment of issue.path ?? []) {
      path = appendKey(path, typeof segment === 'object' ? segment.key : segment);
    }
    return { path, message: issue.message };
  });
}

/**
 * JSON Pointer (`/a/b/0`) to display path (`a.b[0]`). Ajv does not say whether a digit-only
 * segment was an array index or an object key, so digits are shown as an index.
 */
function pointerToPath(pointer: string): string {
  if (pointer === '') return '';
  let path = '';
  for (const raw of pointer.slice(1).split('/')) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    path = appendKey(path, /^(0|[1-9]\d*)$/.test(segment) ? Number(segment) : segment);
  }
  return path;
}

/** Ajv reports `required`/`additionalProperties` on the parent object; name the property instead. */
export function ajvIssues(errors: ReadonlyArray<ErrorObject> | null | undefined): SchemaIssue[] {
  return (errors ?? []).map((error) => {
    const path = pointerToPath(error.instancePath);
    const params = error.params as Record<string, unknown>;
    if (error.keyword === 'required' && typeof params.missingProperty === 'string') {
      return { path: appendKey(path, params.missingProperty), message: 'required' };
    }
    if (error.keyword === 'additionalProperties' && typeof params.additionalProperty === 'string') {
      return { path: appendKey(path, params.additionalProperty), message: 'unexpected property' };
    }
    return { path, message: error.message ?? `failed "${error.keyword}"` };
  });
}

/** `a: expected number, received string; address.city: required` (root issues show the message alone). */
export function formatIssues(issues: SchemaIssue[]): string {
  return issues
    .map((issue) => (issue.path === '' ? issue.message : `${issue.path}: ${issue.message}`))
    .join('; ');
}
