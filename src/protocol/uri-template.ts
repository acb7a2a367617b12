/**
 * RFC 6570 URI templates (levels 1-4) for MCP resource templates: parse once, expand values into a
 * URI, and match a concrete URI back into values. Matching compiles one anchored RegExp at parse
 * time because resources/read may try every registered template on every request.
 */

export class UriTemplateError extends Error {
  override readonly name = 'UriTemplateError';
}

export interface UriTemplate {
  readonly template: string;
  /** Variable names in order of appearance. */
  readonly variableNames: readonly string[];
  /** Match a concrete URI; returns percent-decoded variable values, or null when it does not fit. */
  match(uri: string): Record<string, string | string[]> | null;
  /** Expand with values; undefined values and empty lists are skipped, as RFC 6570 says. */
  expand(values: Record<string, string | string[] | undefined>): string;
}

type Op = '' | '+' | '#' | '.' | '/' | ';' | '?' | '&';
type VarSpec = { name: string; explode: boolean; prefix: number | undefined };
type Expression = { op: Op; vars: VarSpec[] };
type Part = string | Expression;
type Reader = (match: RegExpExecArray, out: Map<string, string | string[]>) => void;

/** RFC 6570 appendix A: what each operator writes first, between values, and for empty named values. */
const OPS: Record<Op, { first: string; sep: string; named: boolean; ifEmpty: string; reserved: boolean }> = {
  '': { first: '', sep: ',', named: false, ifEmpty: '', reserved: false },
  '+': { first: '', sep: ',', named: false, ifEmpty: '', reserved: true },
  '#': { first: '#', sep: ',', named: false, ifEmpty: '', reserved: true },
  '.': { first: '.', sep: '.', named: false, ifEmpty: '', reserved: false },
  '/': { first: '/', sep: '/', named: false, ifEmpty: '', reserved: false },
  ';': { first: ';', sep: ';', named: true, ifEmpty: '', reserved: false },
  '?': { first: '?', sep: '&', named: true, ifEmpty: '=', reserved: false },
  '&': { first: '&', sep: '&', named: true, ifEmpty: '=', reserved: false },
};
const OPERATORS = '+#./;?&';
/** Operators RFC 6570 keeps for future extensions; accepting them would silently mean something else later. */
const RESERVED_OPERATORS = '=,!@|';
/** varname = varchar *( ["."] varchar ), varchar = ALPHA / DIGIT / "_" / pct-encoded. Sticky: anchored at 0. */
const VARNAME = /(?:[A-Za-z0-9_]|%[0-9A-Fa-f]{2})(?:\.?(?:[A-Za-z0-9_]|%[0-9A-Fa-f]{2}))*/y;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function isUriTemplate(value: string): boolean {
  return /\{[^{}]+\}/.test(value);
}

export function parseUriTemplate(template: string): UriTemplate {
  const parts = parse(template);
  const { regex, readers } = compile(parts);
  const names = new Set<string>();
  for (const part of parts) if (typeof part !== 'string') for (const v of part.vars) names.add(v.name);
  return {
    template,
    variableNames: Object.freeze([...names]),
    expand: (values) =>
      parts
        .map((part) => (typeof part === 'string' ? encode(part, true) : expandExpression(part, values)))
        .join(''),
    match(uri) {
      const found = regex.exec(uri);
      if (!found) return null;
      // A Map then fromEntries, so names like "__proto__" become plain own properties.
      const out = new Map<string, string | string[]>();
      try {
        for (const read of readers) read(found, out);
      } catch {
        return null; // decodeURIComponent threw: a malformed %XX sequence is not a match
      }
      return Object.fromEntries(out);
    },
  };
}

function fail(template: string, index: number, what: string): never {
  throw new UriTemplateError(`Invalid URI template "${template}" at position ${index} (from 0): ${what}`);
}

function parse(template: string): Part[] {
  const parts: Part[] = [];
  let literalStart = 0;
  for (let i = 0; i < template.length; i++) {
    if (template[i] === '}') fail(template, i, '"}" closes no expression; remove it or write it as %7D.');
    if (template[i] !== '{') continue;
    const close = template.indexOf('}', i + 1);
    const nested = template.indexOf('{', i + 1);
    if (close < 0 || (nested >= 0 && nested < close)) {
      fail(template, i, '"{" is never closed; add "}" after the variable name (expressions cannot nest).');
    }
    if (i > literalStart) parts.push(template.slice(literalStart, i));
    parts.push(parseExpression(template, i, close));
    i = close;
    literalStart = close + 1;
  }
  if (literalStart < template.length) parts.push(template.slice(literalStart));
  return parts;
}

function parseExpression(template: string, open: number, close: number): Expression {
  let pos = open + 1;
  const first = template[pos] ?? '';
  if (RESERVED_OPERATORS.includes(first)) {
    fail(template, pos, `operator "${first}" is reserved by RFC 6570; use one of + # . / ; ? & or none.`);
  }
  const op = (first !== '' && OPERATORS.includes(first) ? first : '') as Op;
  if (op) pos++;
  if (pos === close) {
    fail(template, open, `"${template.slice(open, close + 1)}" has no variable; name one inside, e.g. {id}.`);
  }
  const vars: VarSpec[] = [];
  for (const spec of template.slice(pos, close).split(',')) {
    VARNAME.lastIndex = 0;
    const nameLength = VARNAME.exec(spec)?.[0].length ?? 0;
    const modifier = spec.slice(nameLength);
    const at = pos + nameLength;
    if (spec === '') fail(template, pos, 'empty variable name; remove the extra "," or add a name.');
    // RFC 6570 allows either a prefix (":N", 1-9999) or explode ("*"), never both.
    let prefix: number | undefined;
    if (nameLength > 0 && modifier.startsWith(':')) {
      if (!/^:[1-9][0-9]{0,3}$/.test(modifier)) {
        fail(template, at + 1, `prefix length "${modifier.slice(1)}" must be a whole number from 1 to 9999.`);
      }
      prefix = Number(modifier.slice(1));
    } else if (nameLength === 0 || (modifier !== '' && modifier !== '*')) {
      fail(
        template,
        at,
        `unexpected "${spec[nameLength]}" in variable "${spec}"; names use letters, digits, "_", %XX ` +
          'and "." between characters, optionally followed by "*" or ":N".',
      );
    }
    vars.push({ name: spec.slice(0, nameLength), explode: modifier === '*', prefix });
    pos += spec.length + 1;
  }
  return { op, vars };
}

/** Percent-encode for the U set (unreserved only) or, for +, #, and literals, U+R (reserved and %XX kept). */
function encode(value: string, allowReserved: boolean): string {
  const wellFormed = value.replace(LONE_SURROGATE, '\uFFFD'); // encodeURI* throw on lone surrogates
  if (!allowReserved) {
    // encodeURIComponent leaves !'()* alone, but they are reserved, not unreserved, in RFC 3986.
    return encodeURIComponent(wellFormed).replace(
      /[!'()*]/g,
      (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
    );
  }
  // Odd split indexes are existing %XX triplets, which pass through; encodeURI keeps the rest of R except [ ].
  return wellFormed
    .split(/(%[0-9A-Fa-f]{2})/)
    .map((chunk, i) => (i % 2 ? chunk : encodeURI(chunk).replace(/%5B/g, '[').replace(/%5D/g, ']')))
    .join('');
}

function expandExpression(expr: Expression, values: Record<string, string | string[] | undefined>): string {
  const op = OPS[expr.op];
  const named = (name: string, encoded: string) =>
    encoded === '' ? name + op.ifEmpty : `${name}=${encoded}`;
  const out: string[] = [];
  for (const { name, explode, prefix } of expr.vars) {
    // hasOwn: a variable called "constructor" must not pick up Object.prototype.constructor.
    const value = Object.hasOwn(values, name) ? values[name] : undefined;
    if (value === undefined || (Array.isArray(value) && value.length === 0)) continue;
    if (typeof value === 'string') {
      // Prefixes count code points, not UTF-16 units, so they never split a surrogate pair.
      const encoded = encode(prefix ? Array.from(value).slice(0, prefix).join('') : value, op.reserved);
      out.push(op.named ? named(name, encoded) : encoded);
    } else if (explode) {
      for (const item of value)
        out.push(op.named ? named(name, encode(item, op.reserved)) : encode(item, op.reserved));
    } else {
      const joined = value.map((item) => encode(item, op.reserved)).join(',');
      out.push(op.named ? named(name, joined) : joined);
    }
  }
  return out.length === 0 ? '' : op.first + out.join(op.sep);
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Characters one value may span. A sep is excluded only when values must be split on it; `stops` adds
 * ";" and "&" when the template has path-style or query parts that a plain value must not swallow.
 */
function valueClass(op: Op, excludeSep: boolean, stops: string): string {
  // {+x} stops at ? and # so a following {?q} or {#f} can still match; {#x} runs to the end.
  if (op === '+') return excludeSep ? '[^?#,]' : '[^?#]';
  if (op === '#') return excludeSep ? '[^,]' : '[\\s\\S]';
  // A lone {.ext} may hold "tar.gz"; simple values never hold a raw "," (expand() encodes it).
  const sep = op === '' ? ',' : op === '.' && excludeSep ? '.' : '';
  return `[^/?#${sep}${stops}]`;
}

function compile(parts: Part[]): { regex: RegExp; readers: Reader[] } {
  let source = '^';
  let group = 0;
  let inQuery = false;
  const hasOp = (op: Op) => parts.some((part) => typeof part !== 'string' && part.op === op);
  const matrixStop = hasOp(';') ? ';' : '';
  const continuation = hasOp('&'); // {a}{&b} must leave "&b=2" to the continuation
  const readers: Reader[] = [];
  // The name=value run of the previous expression, so {?a}{&b} share one capture parsed in any order.
  let run: { op: Op; names: Set<string> } | undefined;
  for (const part of parts) {
    if (typeof part === 'string') {
      const encoded = encode(part, true);
      // Accept the literal as written and as expand() would percent-encode it.
      source += encoded === part ? escapeRegex(part) : `(?:${escapeRegex(part)}|${escapeRegex(encoded)})`;
      inQuery ||= part.includes('?');
      run = undefined;
      continue;
    }
    const { op, vars } = part;
    if (op === ';' || op === '?' || op === '&') {
      if (run && (run.op === op || (run.op === '?' && op === '&'))) {
        for (const v of vars) run.names.add(v.name);
        continue;
      }
      run = { op, names: new Set(vars.map((v) => v.name)) };
      // Named values are all optional, in any order, with unknown names ignored: capture the run whole.
      source += op === ';' ? '((?:;[^;/?#]*)*)' : `(?:${op === '?' ? '\\?' : '&'}([^#]*))?`;
      readers.push(pairReader(++group, run.names, OPS[op].sep));
      inQuery ||= op !== ';';
      continue;
    }
    run = undefined;
    const { first, sep } = OPS[op];
    const stops = matrixStop + (inQuery || continuation ? '&' : '');
    vars.forEach((v, i) => {
      const one = `${valueClass(op, vars.length > 1 || v.explode, stops)}+`;
      const body = v.explode ? `(${one}(?:${escapeRegex(sep)}${one})*)` : `(${one})`;
      // The first variable is required; later ones may be undefined and so absent.
      source += i === 0 ? escapeRegex(first) + body : `(?:${escapeRegex(sep)}${body})?`;
      readers.push(positionalReader(++group, v, v.explode ? sep : undefined));
    });
  }
  return { regex: new RegExp(`${source}$`), readers };
}

function positionalReader(group: number, v: VarSpec, splitOn: string | undefined): Reader {
  return (match, out) => {
    const raw = match[group];
    // A prefix ({x:3}) is a truncated copy: it never overrides the full value from elsewhere.
    if (raw === undefined || (v.prefix !== undefined && out.has(v.name))) return;
    const items = splitOn
      ? raw.split(splitOn).map((item) => decodeURIComponent(item))
      : [decodeURIComponent(raw)];
    out.set(v.name, items.length === 1 ? items[0]! : items);
  };
}

function pairReader(group: number, names: Set<string>, sep: string): Reader {
  return (match, out) => {
    const found = new Map<string, string[]>();
    for (const pair of (match[group] ?? '').split(sep)) {
      const eq = pair.indexOf('=');
      const name = eq < 0 ? pair : pair.slice(0, eq);
      if (!names.has(name)) continue; // extra parameters are tolerated, not returned
      const value = decodeURIComponent(eq < 0 ? '' : pair.slice(eq + 1));
      found.set(name, [...(found.get(name) ?? []), value]);
    }
    for (const [name, list] of found) out.set(name, list.length === 1 ? list[0]! : list);
  };
}
