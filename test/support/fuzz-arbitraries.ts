/**
 * fast-check arbitraries for fuzzing the HTTP app (`test/fuzz.test.ts`): valid MCP messages first,
 * then mutations of their JSON tree (fields dropped, duplicated or retyped, ids of every JSON type,
 * numbers JSON.parse turns into Infinity, deep nesting, long strings, lone surrogates), of their
 * text (truncated, corrupted) and of their bytes (invalid UTF-8); around them, the HTTP envelope
 * (method, path, Content-Type, Accept, Mcp-Session-Id, MCP-Protocol-Version, Last-Event-ID).
 *
 * A generated `FuzzRequest` is plain, symbolic data: "the live session" rather than its id, a
 * `LongString` rather than 100,000 characters. So a counterexample prints short, shrinks well and
 * replays from its seed against a server whose session ids differ; `materialize()` makes it real.
 */
import fc from 'fast-check';

// --- JSON that JSON.stringify cannot write ------------------------------------------------------

/** JSON text spliced in as written: numbers beyond a double, escapes of lone surrogates, bad JSON. */
class RawJson {
  constructor(readonly text: string) {}
  [fc.toStringMethod](): string {
    return `raw(${JSON.stringify(this.text)})`;
  }
}

/** `unit` repeated `times` times: a long string that prints short in a counterexample. */
class LongString {
  constructor(
    readonly unit: string,
    readonly times: number,
  ) {}
  [fc.toStringMethod](): string {
    return `long(${JSON.stringify(this.unit)} x ${this.times})`;
  }
}

/** Arrays or objects nested `depth` deep, as text (building them as values would overflow the stack). */
class DeepNest {
  constructor(
    readonly depth: number,
    readonly kind: 'array' | 'object',
  ) {}
  [fc.toStringMethod](): string {
    return `deep(${this.kind} x ${this.depth})`;
  }
}

/** An object written with one key twice (JSON.parse keeps the last), which no JS object can hold. */
class DuplicateKey {
  constructor(
    readonly object: Record<string, unknown>,
    readonly key: string,
    readonly first: unknown,
  ) {}
  [fc.toStringMethod](): string {
    return `dup(${this.key}: ${fc.stringify(this.first)}, then ${fc.stringify(this.object)})`;
  }
}

/** JSON text of a tree that may hold the markers above. */
function toJsonText(value: unknown): string {
  if (value instanceof RawJson) return value.text;
  if (value instanceof LongString) return JSON.stringify(value.unit.repeat(value.times));
  if (value instanceof DeepNest) {
    const [open, close] = value.kind === 'array' ? ['[', ']'] : ['{"a":', '}'];
    return `${open.repeat(value.depth)}0${close.repeat(value.depth)}`;
  }
  if (value instanceof DuplicateKey) {
    const rest = toJsonText(value.object);
    const first = `${JSON.stringify(value.key)}:${toJsonText(value.first)}`;
    return rest === '{}' ? `{${first}}` : `{${first},${rest.slice(1)}`;
  }
  if (Array.isArray(value)) return `[${value.map(toJsonText).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const members = Object.entries(value).map(
      ([key, member]) => `${JSON.stringify(key)}:${toJsonText(member)}`,
    );
    return `{${members.join(',')}}`;
  }
  // undefined cannot be written; `null` stands for it, as JSON.stringify does in arrays.
  return JSON.stringify(value) ?? 'null';
}

// --- Leaf values --------------------------------------------------------------------------------

/** Any code point, lone surrogates included (fast-check's own units never produce those). */
const anyChar = fc.oneof(
  { weight: 8, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('\uD800', '\uDBFF', '\uDC00', '\uDFFF', '\u0000', '\u2028', '\uFEFF'),
  },
);
const unicodeString = fc.string({ unit: anyChar, maxLength: 24 });

const longString = fc
  .record({
    unit: fc.constantFrom('x', 'é', '😀', '\uD800', '"', '\\', '\n', '</script>'),
    times: fc.constantFrom(1_000, 1_000, 20_000, 70_000),
  })
  .map(({ unit, times }) => new LongString(unit, times));

const deepNest = fc
  .record({ depth: fc.constantFrom(64, 1_000, 10_000, 60_000), kind: fc.constantFrom('array', 'object') })
  .map(({ depth, kind }) => new DeepNest(depth, kind as 'array' | 'object'));

/** Numbers at and past the edges of a double, some only writable as text. */
const edgeNumber = fc.oneof(
  fc.constantFrom(0, -0, -1, 0.5, 2 ** 53, -(2 ** 53), Number.MAX_VALUE, Number.MIN_VALUE, 1e21),
  fc
    .constantFrom('1e400', '-1e400', '1e-400', '123456789012345678901234567890', '-0.0', '1E+2')
    .map((text) => new RawJson(text)),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
);

/** Text that is not JSON at all, spliced where a value belongs. */
const notJson = fc
  .constantFrom(
    'NaN',
    'Infinity',
    '-Infinity',
    "'single'",
    '0x10',
    '01',
    '.5',
    '+1',
    '"\\x41"',
    '"\\u12"',
    '"a\nb"',
  )
  .map((text) => new RawJson(text));

/** Escaped lone surrogates and control characters: valid JSON text, odd strings once parsed. */
const escapedString = fc
  .constantFrom('"\\ud800"', '"\\udfff x"', '"\\u0000"', '"\\ud83d\\ude00"', '"\\/src\\/"')
  .map((text) => new RawJson(text));

/** A value of any JSON type, including every awkward one above: what a field is retyped to. */
const nastyValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(null, true, false, '', '2.0', [], {}, [null], { '': null }) },
  { weight: 3, arbitrary: edgeNumber },
  { weight: 3, arbitrary: unicodeString },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: longString },
  { weight: 1, arbitrary: deepNest },
  { weight: 1, arbitrary: notJson },
  { weight: 1, arbitrary: escapedString },
);

/** Request ids: mostly valid (numbers, strings), then every other JSON type and edge. */
const requestId: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: fc.nat({ max: 1_000_000 }) },
  { weight: 3, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 2, arbitrary: nastyValue },
);

// --- Valid messages -----------------------------------------------------------------------------

const VERSIONS = ['2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05'] as const;
const version = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...VERSIONS) },
  { weight: 1, arbitrary: fc.constantFrom('1999-01-01', '2025-13-45', '', 'latest') },
);
const request = (method: string, params?: fc.Arbitrary<Record<string, unknown>>) =>
  fc.record({
    jsonrpc: fc.constant('2.0'),
    id: requestId,
    method: fc.constant(method),
    ...(params ? { params } : {}),
  });
const notification = (method: string, params?: fc.Arbitrary<Record<string, unknown>>) =>
  fc.record({ jsonrpc: fc.constant('2.0'), method: fc.constant(method), ...(params ? { params } : {}) });

/** Arguments of the fuzz server's tools, well-typed most of the time (mutations do the rest). */
const toolCall = fc.oneof(
  fc.record({ name: fc.constant('echo'), arguments: fc.record({ text: unicodeString }) }),
  fc.record({
    name: fc.constant('profile'),
    arguments: fc.record(
      {
        name: unicodeString,
        age: fc.oneof(fc.integer({ min: -5, max: 200 }), edgeNumber),
        tags: fc.array(unicodeString, { maxLength: 12 }),
        address: fc.record({ city: unicodeString, zip: fc.stringMatching(/^\d{4,6}$/) }),
        role: fc.constantFrom('admin', 'user', 'root'),
      },
      { requiredKeys: ['name', 'age'] },
    ),
  }),
  fc.record({
    name: fc.constant('report'),
    arguments: fc.record({ steps: fc.integer({ min: -1, max: 6 }) }, { requiredKeys: [] }),
    _meta: fc.record({ progressToken: requestId }),
  }),
  fc.record({ name: fc.constantFrom('explode', 'no-such-tool', ''), arguments: fc.constant({}) }),
);

const resourceUri = fc.oneof(
  fc.constantFrom(
    'fuzz://readme',
    'fuzz://items/42',
    'fuzz://items/',
    'fuzz://items/a/b',
    'file:///etc/passwd',
  ),
  unicodeString,
);

/** One valid (or nearly valid) message of any kind a client sends, for any endpoint. */
const validMessage: fc.Arbitrary<unknown> = fc.oneof(
  request(
    'initialize',
    fc.record({
      protocolVersion: version,
      capabilities: fc.constantFrom({}, { roots: { listChanged: true } }, { sampling: {}, elicitation: {} }),
      clientInfo: fc.record({ name: unicodeString, version: fc.constantFrom('1.0.0', '') }),
    }),
  ),
  notification('notifications/initialized'),
  request('ping'),
  request('tools/list', fc.record({ cursor: unicodeString }, { requiredKeys: [] })),
  { weight: 4, arbitrary: request('tools/call', toolCall) },
  request('resources/list'),
  request('resources/templates/list'),
  { weight: 2, arbitrary: request('resources/read', fc.record({ uri: resourceUri })) },
  request('resources/subscribe', fc.record({ uri: resourceUri })),
  request(
    'prompts/get',
    fc.record({ name: fc.constantFrom('greet', 'nope'), arguments: fc.record({ name: unicodeString }) }),
  ),
  request('prompts/list'),
  request(
    'completion/complete',
    fc.record({
      ref: fc.constantFrom(
        { type: 'ref/prompt', name: 'greet' },
        { type: 'ref/resource', uri: 'fuzz://items/{id}' },
        { type: 'ref/other' },
      ),
      argument: fc.record({ name: fc.constantFrom('name', 'id'), value: unicodeString }),
    }),
  ),
  request('logging/setLevel', fc.record({ level: fc.constantFrom('debug', 'info', 'emergency', 'loud') })),
  notification('notifications/cancelled', fc.record({ requestId, reason: unicodeString })),
  notification('notifications/progress', fc.record({ progressToken: requestId, progress: edgeNumber })),
  // Answers to requests the server never sent (sampling, elicitation, roots): strays to ignore.
  fc.record({
    jsonrpc: fc.constant('2.0'),
    id: requestId,
    result: fc.constantFrom({}, { roots: [] }, { action: 'accept', content: {} }),
  }),
  fc.record({
    jsonrpc: fc.constant('2.0'),
    id: requestId,
    error: fc.record({ code: fc.integer({ min: -32800, max: -32000 }), message: unicodeString }),
  }),
  fc.record({ jsonrpc: fc.constant('2.0'), id: requestId, method: unicodeString }),
);

// --- Mutations of the JSON tree ----------------------------------------------------------------

/**
 * Where a mutation lands: from the message's `params` (so that it reaches a handler) or from the
 * root, each step picks a child (modulo their count) on the way down.
 */
interface Path {
  fromParams: boolean;
  steps: number[];
}
export type TreeMutation =
  | { op: 'drop'; at: Path }
  | { op: 'retype'; at: Path; value: unknown }
  | { op: 'duplicate'; at: Path; first: unknown }
  | { op: 'nest'; at: Path; depth: number }
  | { op: 'jsonrpc'; value: unknown };

const treePath: fc.Arbitrary<Path> = fc.record({
  fromParams: fc.constantFrom(true, true, false),
  steps: fc.array(fc.nat(), { maxLength: 4 }),
});
const treeMutation: fc.Arbitrary<TreeMutation> = fc.oneof(
  fc.record({ op: fc.constant('drop' as const), at: treePath }),
  {
    weight: 3,
    arbitrary: fc.record({ op: fc.constant('retype' as const), at: treePath, value: nastyValue }),
  },
  fc.record({ op: fc.constant('duplicate' as const), at: treePath, first: nastyValue }),
  fc.record({ op: fc.constant('nest' as const), at: treePath, depth: fc.integer({ min: 1, max: 8 }) }),
  fc.record({
    op: fc.constant('jsonrpc' as const),
    value: fc.constantFrom('1.0', '2', 2, null, '2.0 ', ' 2.0', 'Infinity', undefined),
  }),
);

type Container = Record<string, unknown> | unknown[];

/** Arrays and plain objects (fast-check makes some without a prototype); markers are leaves. */
function isContainer(value: unknown): value is Container {
  if (Array.isArray(value)) return true;
  if (typeof value !== 'object' || value === null) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** Copies the containers, shares the (immutable) markers; own `__proto__` keys stay data. */
function cloneTree(value: unknown): unknown {
  if (!isContainer(value)) return value;
  if (Array.isArray(value)) return value.map(cloneTree);
  return Object.fromEntries(Object.entries(value).map(([key, member]) => [key, cloneTree(member)]));
}

function setSlot(container: Container, key: string | number, value: unknown): void {
  Object.defineProperty(container, key, { value, writable: true, enumerable: true, configurable: true });
}

/** Applies mutations, in order, to a copy of `message`. */
function mutateTree(message: unknown, mutations: readonly TreeMutation[]): unknown {
  const holder: Container = [cloneTree(message)];
  for (const mutation of mutations) {
    const root = holder[0];
    if (mutation.op === 'jsonrpc') {
      if (isContainer(root) && !Array.isArray(root)) {
        if (mutation.value === undefined) delete root.jsonrpc;
        else root.jsonrpc = cloneTree(mutation.value);
      }
      continue;
    }
    // The chain of (container, key) from the holder down to the chosen node.
    const chain: [Container, string | number][] = [[holder, 0]];
    if (mutation.at.fromParams && isContainer(root) && !Array.isArray(root) && isContainer(root.params)) {
      chain.push([root, 'params']);
    }
    for (const pick of mutation.at.steps) {
      const [container, key] = chain.at(-1)!;
      const node = (container as Record<string | number, unknown>)[key];
      if (!isContainer(node)) break;
      const keys: (string | number)[] = Array.isArray(node)
        ? node.map((_, index) => index)
        : Object.keys(node);
      if (keys.length === 0) break;
      chain.push([node, keys[pick % keys.length]!]);
    }
    applyAt(chain, mutation);
  }
  return holder[0];
}

function applyAt(chain: [Container, string | number][], mutation: Exclude<TreeMutation, { op: 'jsonrpc' }>) {
  const [parent, key] = chain.at(-1)!;
  const atRoot = chain.length === 1;
  const slots = parent as Record<string | number, unknown>;
  switch (mutation.op) {
    case 'drop':
      if (atRoot) slots[key] = {};
      else if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete slots[key];
      return;
    // Inserted values are copied: fast-check hands out shared instances (constants), never to be mutated.
    case 'retype':
      setSlot(parent, key, cloneTree(mutation.value));
      return;
    case 'nest': {
      let value = slots[key];
      for (let level = 0; level < mutation.depth; level++) value = level % 2 ? { v: value } : [value];
      setSlot(parent, key, value);
      return;
    }
    case 'duplicate': {
      if (Array.isArray(parent)) {
        if (!atRoot) parent.splice(key as number, 0, cloneTree(mutation.first));
        return;
      }
      // Written with the key twice: the object becomes a DuplicateKey in its own parent's slot.
      const [grandparent, parentKey] = chain.at(-2)!;
      setSlot(
        grandparent,
        parentKey,
        new DuplicateKey({ ...parent }, String(key), cloneTree(mutation.first)),
      );
    }
  }
}

// --- Mutations of the text and of the bytes --------------------------------------------------

export type TextMutation =
  | { op: 'truncate'; at: number }
  | { op: 'replace'; at: number; text: string }
  | { op: 'insert'; at: number; text: string }
  | { op: 'wrap'; before: string; after: string };

const textMutation: fc.Arbitrary<TextMutation> = fc.oneof(
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({
    op: fc.constant('replace' as const),
    at: fc.nat(),
    text: fc.string({ unit: anyChar, maxLength: 1 }),
  }),
  fc.record({
    op: fc.constant('insert' as const),
    at: fc.nat(),
    text: fc.constantFrom('"', '{', ']', ',', '\\', ':', 'null'),
  }),
  fc.record({
    op: fc.constant('wrap' as const),
    before: fc.constantFrom('', '\uFEFF', ' \r\n\t', '[', 'null'),
    after: fc.constantFrom('', '\n', '}', ',', ' {"jsonrpc":"2.0","method":"ping","id":9}', '\u0000'),
  }),
);

function applyText(text: string, mutation: TextMutation): string {
  if (mutation.op === 'wrap') return mutation.before + text + mutation.after;
  const at = mutation.at % (text.length + 1);
  if (mutation.op === 'truncate') return text.slice(0, at);
  if (mutation.op === 'insert') return text.slice(0, at) + mutation.text + text.slice(at);
  return text.slice(0, at) + mutation.text + text.slice(at + 1);
}

/** Byte sequences that are not UTF-8: stray continuation, overlong, surrogate, cut-off, past U+10FFFF. */
const INVALID_UTF8 = [
  [0xff],
  [0x80],
  [0xc0, 0x80],
  [0xed, 0xa0, 0x80],
  [0xe2, 0x82],
  [0xf4, 0x90, 0x80, 0x80],
  [0xfe, 0xfe],
];
export interface ByteMutation {
  at: number;
  bytes: number[];
  /** Replace as many bytes as inserted, rather than insert. */
  overwrite: boolean;
}
const byteMutation: fc.Arbitrary<ByteMutation> = fc.record({
  at: fc.nat(),
  bytes: fc.constantFrom(...INVALID_UTF8),
  overwrite: fc.boolean(),
});

function applyBytes(bytes: Uint8Array, mutation: ByteMutation): Uint8Array {
  const at = mutation.at % (bytes.length + 1);
  const end = mutation.overwrite ? Math.min(bytes.length, at + mutation.bytes.length) : at;
  const out = new Uint8Array(bytes.length - (end - at) + mutation.bytes.length);
  out.set(bytes.subarray(0, at));
  out.set(mutation.bytes, at);
  out.set(bytes.subarray(end), at + mutation.bytes.length);
  return out;
}

// --- Bodies ---------------------------------------------------------------------------------

/** A request body: a valid message (or batch) and what was done to it, or something else entirely. */
export type FuzzBody =
  | { kind: 'none' }
  | { kind: 'message'; message: unknown; tree: TreeMutation[]; text: TextMutation[]; bytes: ByteMutation[] }
  | { kind: 'json'; value: unknown }
  | { kind: 'text'; text: string }
  | { kind: 'bytes'; bytes: Uint8Array };

/** No mutation `none` times in `none + some`. */
const sometimes = <T>(arbitrary: fc.Arbitrary<T[]>, none: number, some = 1) =>
  fc.oneof({ weight: none, arbitrary: fc.constant([] as T[]) }, { weight: some, arbitrary });

const messageBody: fc.Arbitrary<FuzzBody> = fc.record({
  kind: fc.constant('message' as const),
  message: fc.oneof(
    { weight: 6, arbitrary: validMessage },
    { weight: 1, arbitrary: fc.array(validMessage, { maxLength: 5 }) },
  ),
  tree: sometimes(fc.array(treeMutation, { minLength: 1, maxLength: 3 }), 1, 3),
  text: sometimes(fc.array(textMutation, { minLength: 1, maxLength: 2 }), 7),
  bytes: sometimes(fc.array(byteMutation, { minLength: 1, maxLength: 2 }), 11),
});

const anyBody: fc.Arbitrary<FuzzBody> = fc.oneof(
  { weight: 4, arbitrary: messageBody },
  fc.constant({ kind: 'none' as const }),
  fc.record({ kind: fc.constant('json' as const), value: fc.jsonValue({ maxDepth: 4 }) }),
  fc.record({ kind: fc.constant('text' as const), text: unicodeString }),
  fc.record({ kind: fc.constant('bytes' as const), bytes: fc.uint8Array({ maxLength: 64 }) }),
);

/** The bytes of a body, or undefined for none. */
function bodyBytes(body: FuzzBody): Uint8Array | undefined {
  switch (body.kind) {
    case 'none':
      return undefined;
    case 'bytes':
      return body.bytes;
    case 'text':
      return new TextEncoder().encode(body.text);
    case 'json':
      return new TextEncoder().encode(toJsonText(body.value));
    case 'message': {
      const text = body.text.reduce(applyText, toJsonText(mutateTree(body.message, body.tree)));
      return body.bytes.reduce(applyBytes, new TextEncoder().encode(text));
    }
  }
}

// --- The HTTP envelope ----------------------------------------------------------------------

/**
 * Which session a request names, resolved when it is sent: the scenario's main session, its other
 * one, one that ended, none, a well-formed id no session has, or garbage.
 */
export type SessionChoice = 'main' | 'other' | 'ended' | 'none' | 'foreign' | { garbage: string };

/** Header text that fetch and node:http both send as written (visible ASCII and spaces). */
const headerText = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)),
  maxLength: 40,
});

export interface FuzzRequest {
  method: string;
  /** `endpoint` is the scenario's MCP endpoint (`/mcp`, or `/messages` for legacy SSE). */
  path: string;
  session: SessionChoice;
  contentType: string | undefined;
  accept: string | undefined;
  /** `session` sends the version the named session negotiated. */
  protocolVersion: string | undefined;
  /** `main` names an event of the main session's first stream; `foreign` one of no session. */
  lastEventId: string | undefined;
  /** `self` is the app's own origin. */
  origin: string | undefined;
  body: FuzzBody;
}

const mostly = <T>(usual: T, others: fc.Arbitrary<T>, oneIn = 5) =>
  fc.oneof({ weight: oneIn - 1, arbitrary: fc.constant(usual) }, { weight: 1, arbitrary: others });

const contentType = fc.oneof(
  fc.constantFrom(
    'application/json; charset=utf-8',
    'APPLICATION/JSON',
    'application/json;charset=latin1',
    'text/plain',
    'application/x-www-form-urlencoded',
    'application/jsonx',
    'multipart/form-data; boundary=x',
    '',
    undefined,
  ),
  headerText,
);
const accept = fc.oneof(
  fc.constantFrom(
    'application/json',
    'text/event-stream',
    '*/*',
    'application/*, text/*',
    'text/event-stream;q=0, application/json',
    'application/json;q=0',
    'text/html',
    '',
    undefined,
  ),
  headerText,
);
const sessionChoice: fc.Arbitrary<SessionChoice> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom<SessionChoice>('main', 'main', 'other') },
  { weight: 2, arbitrary: fc.constantFrom<SessionChoice>('ended', 'none', 'foreign') },
  { weight: 1, arbitrary: headerText.map((garbage) => ({ garbage })) },
);
const protocolVersion = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(undefined, 'session') },
  { weight: 2, arbitrary: fc.constantFrom(...VERSIONS) },
  { weight: 1, arbitrary: fc.oneof(fc.constantFrom('1999-01-01', ''), headerText) },
);
const lastEventId = fc.oneof(
  { weight: 6, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: fc.oneof(fc.constantFrom('main', 'foreign', '', '0'), headerText) },
);
const origin = fc.oneof(
  { weight: 12, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: fc.oneof(fc.constantFrom('self', 'http://evil.example', 'null'), headerText) },
);
const method = fc.constantFrom(
  'GET',
  'POST',
  'DELETE',
  'PUT',
  'PATCH',
  'OPTIONS',
  'HEAD',
  'post',
  'PROPFIND',
  'FOO',
);
const path = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('endpoint', '/mcp', '/sse', '/messages', '/health') },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '/',
      '/mcp/',
      '/MCP',
      '//mcp',
      '/mcp?x=1',
      '/mcp%00',
      '/mcp/../health',
      '/%2e%2e/sse',
    ),
  },
  { weight: 1, arbitrary: fc.webPath().map((raw) => (raw.startsWith('/') ? raw : `/${raw}`)) },
);

/**
 * A request to fuzz the app with: four in five keep a well-formed envelope (POST to the endpoint,
 * on a session, JSON) so the mutated message reaches the session and its handlers; the rest vary
 * everything.
 */
export const fuzzRequest: fc.Arbitrary<FuzzRequest> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      method: fc.constant('POST'),
      path: fc.constant('endpoint'),
      session: mostly<SessionChoice>('main', sessionChoice, 2),
      contentType: mostly<string | undefined>('application/json', contentType, 10),
      accept: mostly<string | undefined>('application/json, text/event-stream', accept, 6),
      protocolVersion: mostly<string | undefined>(undefined, protocolVersion, 6),
      lastEventId: fc.constant(undefined),
      origin: fc.constant(undefined),
      body: messageBody,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      method,
      path,
      session: sessionChoice,
      contentType: mostly<string | undefined>('application/json', contentType, 2),
      accept: mostly<string | undefined>('application/json, text/event-stream', accept, 2),
      protocolVersion,
      lastEventId,
      origin,
      body: anyBody,
    }),
  },
);

// --- Made real ---------------------------------------------------------------------------------

/** A well-formed session id that no session has. */
const FOREIGN_ID = '00000000-0000-4000-8000-000000000000';

/** The sessions a scenario keeps, which a request names symbolically. */
export interface Live {
  main: { id: string; version: string } | undefined;
  other: { id: string; version: string } | undefined;
  /** The id of a session that ended, once one has. */
  ended: string | undefined;
  /** The path `endpoint` stands for. */
  readonly endpoint: string;
}

/** A generated request made real: what goes on the wire, and what the checks need to know of it. */
export interface Sent {
  /** Upper-cased, as the app sees it. */
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Uint8Array | undefined;
  /** The session id the request names, and where. */
  session: string | undefined;
  sessionIn: 'header' | 'query' | undefined;
  /** The body, decoded. */
  text: string;
  /** Everything the request says, as text: what an answer may repeat without leaking anything. */
  echoes: string[];
  /** The ids of the requests in the body; undefined when the body is not JSON. */
  ids: Set<string> | undefined;
  summary: string;
}

function sessionIdOf(request: FuzzRequest, live: Live): string | undefined {
  const choice = request.session;
  if (typeof choice === 'object') return choice.garbage;
  if (choice === 'main' || choice === 'other') return live[choice]?.id;
  if (choice === 'ended') return live.ended ?? FOREIGN_ID;
  return choice === 'foreign' ? FOREIGN_ID : undefined;
}

export function materialize(request: FuzzRequest, live: Live, origin: string): Sent {
  const session = sessionIdOf(request, live);
  let path = request.path === 'endpoint' ? live.endpoint : request.path;
  const headers: Record<string, string> = {};
  let sessionIn: Sent['sessionIn'];
  if (session !== undefined && path === '/messages') {
    path += `?sessionId=${encodeURIComponent(session)}`;
    sessionIn = 'query';
  } else if (session !== undefined) {
    headers['mcp-session-id'] = session;
    sessionIn = 'header';
  }
  const named = request.session === 'main' || request.session === 'other' ? live[request.session] : undefined;
  const version = request.protocolVersion === 'session' ? named?.version : request.protocolVersion;
  const lastEventId =
    request.lastEventId === 'main' || request.lastEventId === 'foreign'
      ? `${request.lastEventId === 'main' ? (live.main?.id ?? FOREIGN_ID) : FOREIGN_ID}.1.0`
      : request.lastEventId;
  const optional: [string, string | undefined][] = [
    ['content-type', request.contentType],
    ['accept', request.accept],
    ['mcp-protocol-version', version],
    ['last-event-id', lastEventId],
    ['origin', request.origin === 'self' ? origin : request.origin],
  ];
  for (const [name, value] of optional) if (value !== undefined) headers[name] = value;
  const method = request.method.toUpperCase();
  // Fetch cannot send a body with GET or HEAD.
  const body = method === 'GET' || method === 'HEAD' ? undefined : bodyBytes(request.body);
  const text = body ? new TextDecoder().decode(body) : '';
  // Big bodies are long strings or deep nesting: not worth parsing here for their ids.
  const parsed = text.length <= 64 * 1024 ? parseJson(text) : ({ ok: false } as const);
  // What the server reads may differ from the text: escapes resolved (a body parsed here), `\/`
  // written as `/` (a body too big to parse here), a path decoded.
  const echoes = [text, text.replaceAll('\\/', '/'), path, safeDecode(path), ...Object.values(headers)];
  if (parsed.ok) echoes.push(stringsOf(parsed.value));
  const summary = `${request.method} ${path} ${JSON.stringify(headers)} body(${body?.length ?? 0} bytes): ${preview(text)}`;
  return {
    method,
    path,
    headers,
    body,
    session,
    sessionIn,
    text,
    echoes,
    ids: parsed.ok ? idsOf(parsed.value) : undefined,
    summary,
  };
}

/** A short, quoted form of a long text, for failure reports. */
export function preview(text: string): string {
  return JSON.stringify(text.length > 300 ? `${text.slice(0, 300)}… (${text.length} chars)` : text);
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

export function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/** Every string in a parsed body (keys too), escapes resolved: as the server reads them. */
function stringsOf(value: unknown): string {
  const strings: string[] = [];
  // A loop, not recursion: bodies nest deeper than the stack.
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const next = pending.pop();
    if (typeof next === 'string') strings.push(next);
    else if (Array.isArray(next)) for (const item of next) pending.push(item);
    else if (typeof next === 'object' && next !== null) {
      for (const [key, member] of Object.entries(next)) pending.push(key, member);
    }
  }
  return strings.join('\u0000');
}

/** The JSON of a message, for a failure report. */
export function restringify(value: unknown): string {
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return '(a value nested too deep to write)';
  }
}

/** A valid JSON-RPC id for MCP: a string or a finite number. */
export const isId = (value: unknown) =>
  typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value));

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The ids of the requests in a parsed body (one message or a batch), as JSON. */
function idsOf(value: unknown): Set<string> {
  const members = Array.isArray(value) ? value : [value];
  return new Set(
    members.filter((m) => isRecord(m) && isId(m.id)).map((m) => JSON.stringify((m as { id: unknown }).id)),
  );
}
