import { WharfError, WharfErrorCode } from '../protocol/errors.js';
import type { JsonSchemaObject } from '../protocol/types.js';

/**
 * A tool parameter mirrored into an HTTP header (2026-07-28, "Tools", x-mcp-header): the client
 * sends `Mcp-Param-{name}` with the argument's value, and the server checks that the two agree.
 */
export interface HeaderParam {
  /** The header as HTTP layers hand it over, lower-cased: `mcp-param-region`. */
  readonly header: string;
  /** The header as the spec writes it, for messages: `Mcp-Param-Region`. */
  readonly name: string;
  /** The `properties` keys from the schema root to the parameter. */
  readonly path: readonly string[];
}

/** RFC 9110 section 5.1: a field name is a token (`1*tchar`). */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const PRIMITIVE = new Set(['string', 'integer', 'boolean']);

/** A primitive `type`: one of PRIMITIVE, or a list of them with "null" (a null value sends no header). */
function isPrimitive(type: unknown): boolean {
  if (typeof type === 'string') return PRIMITIVE.has(type);
  return (
    Array.isArray(type) &&
    type.some((item) => PRIMITIVE.has(item)) &&
    type.every((item) => PRIMITIVE.has(item) || item === 'null')
  );
}
/** Keywords whose values are data, not schemas: an `x-mcp-header` key there is not an annotation. */
const DATA_KEYWORDS = new Set(['const', 'default', 'enum', 'examples']);

/**
 * The header parameters of a tool's input schema, read once at registration, or undefined when it
 * has none. The spec's constraints (a token, unique ignoring case, on a string, integer or boolean
 * property reached from the root through `properties` alone) are checked here: clients drop a tool
 * that breaks them, so breaking one is a registration error (`WHARF_INVALID_SCHEMA`), not a tool
 * that silently disappears.
 */
export function readHeaderParams(tool: string, schema: JsonSchemaObject): readonly HeaderParam[] | undefined {
  const found: HeaderParam[] = [];
  const fail = (why: string): never => {
    throw new WharfError(WharfErrorCode.InvalidSchema, `inputSchema of tool "${tool}": ${why}`);
  };
  const visit = (node: unknown, path: string[] | undefined): void => {
    if (Array.isArray(node)) {
      for (const item of node) visit(item, undefined);
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    const record = node as Record<string, unknown>;
    const name = record['x-mcp-header'];
    if (name !== undefined) {
      const where = path?.join('.') ?? '';
      if (!path || path.length === 0) {
        fail(
          'an "x-mcp-header" must sit on a property reached from the root through "properties" alone (not in items, anyOf/oneOf/allOf/not, if/then/else or $ref, nor on the root).',
        );
      }
      if (typeof name !== 'string' || !TOKEN.test(name)) {
        fail(
          `"x-mcp-header" of "${where}" must be a non-empty HTTP token (letters, digits, !#$%&'*+.^_\`|~-), got ${JSON.stringify(name)}.`,
        );
      }
      if (!isPrimitive(record.type)) {
        fail(
          `"x-mcp-header" of "${where}" needs "type" string, integer or boolean (or one of them with "null"; never number), got ${JSON.stringify(record.type)}.`,
        );
      }
      const header = `mcp-param-${(name as string).toLowerCase()}`;
      if (found.some((param) => param.header === header)) {
        fail(`"x-mcp-header" ${JSON.stringify(name)} is used twice (names are compared ignoring case).`);
      }
      found.push({ header, name: `Mcp-Param-${name as string}`, path: path as string[] });
    }
    for (const [key, value] of Object.entries(record)) {
      if (DATA_KEYWORDS.has(key)) continue;
      if (key === 'properties' && typeof value === 'object' && value !== null && !Array.isArray(value)) {
        for (const [property, child] of Object.entries(value)) visit(child, path && [...path, property]);
      } else {
        visit(value, undefined);
      }
    }
  };
  visit(schema, []);
  return found.length > 0 ? found : undefined;
}
