/**
 * Validates what a server puts on the wire against the official MCP JSON schema of the negotiated
 * protocol version: `<WHARF_SPEC_DIR>/<version>/schema.json`. The schemas are not part of this
 * repository; CI points `WHARF_SPEC_DIR` at a copy of the spec. Without it the checks are skipped
 * (`test/support/spec-setup.ts` says so once per run) and every other assertion still runs.
 *
 * Validation is by meaning, not only by envelope: a server request is checked against the
 * `ServerRequest` member for its method, a notification against the `ServerNotification` member
 * for its method, and a response against the result type of the client request it answers.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';

/** The revisions with sessions: what `initialize` negotiates. */
export type SpecVersion = '2024-11-05' | '2025-03-26' | '2025-06-18' | '2025-11-25';

export const SPEC_VERSIONS: readonly SpecVersion[] = ['2024-11-05', '2025-03-26', '2025-06-18', '2025-11-25'];

/** The revisions served per request (no `initialize`): a checker for them is given the version. */
export type PerRequestSpecVersion = '2026-07-28';
export const PER_REQUEST_SPEC_VERSIONS: readonly PerRequestSpecVersion[] = ['2026-07-28'];

/** Every revision with a schema here. */
export type WireVersion = SpecVersion | PerRequestSpecVersion;
export const WIRE_VERSIONS: readonly WireVersion[] = [...SPEC_VERSIONS, ...PER_REQUEST_SPEC_VERSIONS];

export interface WireViolation {
  version: string;
  direction: 'server->client';
  message: unknown;
  errors: string;
}

/** The folder holding `<version>/schema.json`, or undefined when wire checks are off. */
export const SPEC_DIR: string | undefined = process.env.WHARF_SPEC_DIR
  ? resolve(process.env.WHARF_SPEC_DIR)
  : undefined;

/** Whether wire messages are validated in this run (`WHARF_SPEC_DIR` is set). */
export const wireChecksEnabled = SPEC_DIR !== undefined;

/** The schema file of one version; throws at once, naming the file, when it is missing. */
export function specFile(version: WireVersion): string {
  if (SPEC_DIR === undefined) throw new Error('WHARF_SPEC_DIR is not set: wire checks are off');
  const file = resolve(SPEC_DIR, version, 'schema.json');
  if (!existsSync(file)) {
    throw new Error(
      `MCP schema for ${version} not found at ${file} (WHARF_SPEC_DIR=${process.env.WHARF_SPEC_DIR})`,
    );
  }
  return file;
}

/** Result type of each client request, by method. Names are the same in every version that has the method. */
const RESULT_BY_METHOD: Readonly<Record<string, string>> = {
  initialize: 'InitializeResult',
  ping: 'EmptyResult',
  'tools/list': 'ListToolsResult',
  'tools/call': 'CallToolResult',
  'resources/list': 'ListResourcesResult',
  'resources/read': 'ReadResourceResult',
  'resources/templates/list': 'ListResourceTemplatesResult',
  'resources/subscribe': 'EmptyResult',
  'resources/unsubscribe': 'EmptyResult',
  'prompts/list': 'ListPromptsResult',
  'prompts/get': 'GetPromptResult',
  'completion/complete': 'CompleteResult',
  'logging/setLevel': 'EmptyResult',
  // 2026-07-28 only.
  'server/discover': 'DiscoverResult',
  'subscriptions/listen': 'SubscriptionsListenResult',
  // 2025-11-25 only (tasks).
  'tasks/get': 'GetTaskResult',
  'tasks/result': 'GetTaskPayloadResult',
  'tasks/cancel': 'CancelTaskResult',
  'tasks/list': 'ListTasksResult',
};

function isSpecVersion(value: unknown): value is SpecVersion {
  return typeof value === 'string' && (SPEC_VERSIONS as readonly string[]).includes(value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// ---------------------------------------------------------------------------------------------
// Schema loading and compiled validators (one schema load per version, one compile per definition)
// ---------------------------------------------------------------------------------------------

interface LoadedSpec {
  ajv: Ajv | Ajv2020;
  /** `definitions` (draft-07) or `$defs` (2020-12). */
  defsKey: 'definitions' | '$defs';
  defs: Record<string, unknown>;
  validators: Map<string, ValidateFunction>;
  /** Member definition name by method, for `ServerRequest` and `ServerNotification`. */
  serverRequests: Map<string, string>;
  serverNotifications: Map<string, string>;
}

const specs = new Map<WireVersion, LoadedSpec>();

/**
 * The method of each member of a union (`ServerRequest`, `ServerNotification`). A revision may lack
 * the union altogether when `optional` (2026-07-28 has no `ServerRequest`: servers send none).
 */
function methodsOf(defs: Record<string, unknown>, union: string, optional = false): Map<string, string> {
  const out = new Map<string, string>();
  const unionDef = defs[union];
  if (unionDef === undefined && optional) return out;
  const members = isRecord(unionDef) && Array.isArray(unionDef.anyOf) ? unionDef.anyOf : [];
  for (const member of members) {
    const ref = isRecord(member) && typeof member.$ref === 'string' ? member.$ref : undefined;
    const name = ref?.split('/').pop();
    if (name === undefined) continue;
    const def = defs[name];
    const props = isRecord(def) && isRecord(def.properties) ? def.properties : undefined;
    const method = props && isRecord(props.method) ? props.method.const : undefined;
    if (typeof method === 'string') out.set(method, name);
  }
  if (out.size === 0) throw new Error(`MCP schema: could not read the methods of ${union}`);
  return out;
}

function loadSpec(version: WireVersion): LoadedSpec {
  const cached = specs.get(version);
  if (cached) return cached;
  const schema = JSON.parse(readFileSync(specFile(version), 'utf8')) as Record<string, unknown>;
  const defsKey = isRecord(schema.$defs) ? '$defs' : 'definitions';
  const defs = schema[defsKey];
  if (!isRecord(defs)) throw new Error(`MCP schema for ${version} has neither $defs nor definitions`);
  const draft2020 = typeof schema.$schema === 'string' && schema.$schema.includes('2020-12');
  const options = { strict: false, validateFormats: false, allErrors: true } as const;
  const ajv = draft2020 ? new Ajv2020(options) : new Ajv(options);
  // The schema files carry no $id; register under a private key so fragments can be referenced.
  ajv.addSchema(schema, schemaKey(version));
  const spec: LoadedSpec = {
    ajv,
    defsKey,
    defs,
    validators: new Map(),
    serverRequests: methodsOf(defs, 'ServerRequest', true),
    serverNotifications: methodsOf(defs, 'ServerNotification'),
  };
  specs.set(version, spec);
  return spec;
}

function schemaKey(version: WireVersion): string {
  return `mcp-schema-${version}.json`;
}

function validatorFor(version: WireVersion, name: string): ValidateFunction {
  const spec = loadSpec(version);
  let validate = spec.validators.get(name);
  if (!validate) {
    if (!(name in spec.defs)) throw new Error(`MCP schema ${version} has no definition ${name}`);
    validate = spec.ajv.compile({ $ref: `${schemaKey(version)}#/${spec.defsKey}/${name}` });
    spec.validators.set(name, validate);
  }
  return validate;
}

function hasDefinition(version: WireVersion, name: string): boolean {
  return name in loadSpec(version).defs;
}

function formatErrors(errors: readonly ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((e) => {
    const params = Object.keys(e.params).length > 0 ? ` ${JSON.stringify(e.params)}` : '';
    return `${e.instancePath || '(root)'} ${e.message ?? e.keyword}${params}`;
  });
}

/** Validates `value` against one definition; errors are prefixed with `label (Definition)`. */
function check(version: WireVersion, name: string, value: unknown, label: string): string[] {
  const validate = validatorFor(version, name);
  if (validate(value)) return [];
  return formatErrors(validate.errors).map((line) => `${label} (${name}): ${line}`);
}

// ---------------------------------------------------------------------------------------------
// Stateless validation of one server message
// ---------------------------------------------------------------------------------------------

/** What the checker knows about the client request a response answers. */
interface RequestInfo {
  method: string;
  /** 2025-11-25: the request carried `params.task`, so the result is a CreateTaskResult. */
  taskAugmented: boolean;
}

function describeRequest(message: Record<string, unknown>): RequestInfo | undefined {
  if (typeof message.method !== 'string') return undefined;
  const params = message.params;
  return { method: message.method, taskAugmented: isRecord(params) && isRecord(params.task) };
}

function validateSingle(version: WireVersion, message: unknown, request: RequestInfo | undefined): string[] {
  if (!isRecord(message)) {
    return check(version, 'JSONRPCMessage', message, 'message');
  }
  const isResponse = !('method' in message) && ('result' in message || 'error' in message);
  if ('method' in message && 'id' in message) return validateRequest(version, message);
  if ('method' in message) return validateNotification(version, message);
  if (isResponse) return validateResponse(version, message, request);
  // Neither a request, a notification nor a response: let the envelope schema say why.
  const errors = check(version, 'JSONRPCMessage', message, 'message');
  return errors.length > 0 ? errors : ['message: not a JSON-RPC request, notification or response'];
}

function validateRequest(version: WireVersion, message: Record<string, unknown>): string[] {
  const errors = check(version, 'JSONRPCRequest', message, 'envelope');
  const method = String(message.method);
  const name = loadSpec(version).serverRequests.get(method);
  if (name === undefined) {
    errors.push(`request: "${method}" is not a ServerRequest method in ${version}`);
    return errors;
  }
  // The whole message, not only {method, params}: 2025-11-25 request definitions require jsonrpc and id.
  errors.push(...check(version, name, message, 'request'));
  return errors;
}

function validateNotification(version: WireVersion, message: Record<string, unknown>): string[] {
  const errors = check(version, 'JSONRPCNotification', message, 'envelope');
  const method = String(message.method);
  const name = loadSpec(version).serverNotifications.get(method);
  if (name === undefined) {
    errors.push(`notification: "${method}" is not a ServerNotification method in ${version}`);
    return errors;
  }
  errors.push(...check(version, name, message, 'notification'));
  return errors;
}

function validateResponse(
  version: WireVersion,
  message: Record<string, unknown>,
  request: RequestInfo | undefined,
): string[] {
  const newStyle = hasDefinition(version, 'JSONRPCResultResponse');
  if ('result' in message && 'error' in message) {
    return ['response: has both "result" and "error"'];
  }
  if ('error' in message) {
    return check(version, newStyle ? 'JSONRPCErrorResponse' : 'JSONRPCError', message, 'envelope');
  }
  const errors = check(version, newStyle ? 'JSONRPCResultResponse' : 'JSONRPCResponse', message, 'envelope');
  if (request === undefined) return errors;
  let resultType = RESULT_BY_METHOD[request.method];
  if (request.taskAugmented && hasDefinition(version, 'CreateTaskResult')) resultType = 'CreateTaskResult';
  // 2026-07-28: any request may be answered "input_required" (multi round-trip) instead of its result.
  const interim = isRecord(message.result) && message.result.resultType === 'input_required';
  if (interim && hasDefinition(version, 'InputRequiredResult')) resultType = 'InputRequiredResult';
  if (resultType === undefined) return errors; // not a method the spec defines a result for
  if (!hasDefinition(version, resultType)) {
    errors.push(`response: ${version} defines no ${resultType} (the client asked for "${request.method}")`);
    return errors;
  }
  errors.push(...check(version, resultType, message.result, 'result'));
  return errors;
}

function validateWithRequests(
  version: WireVersion,
  message: unknown,
  requests: readonly (RequestInfo | undefined)[],
): string[] {
  if (!Array.isArray(message)) return validateSingle(version, message, requests[0]);
  if (!hasDefinition(version, 'JSONRPCBatchResponse')) {
    return [`batch: ${version} has no JSON-RPC batching; the server sent an array of ${message.length}`];
  }
  if (message.length === 0) return ['batch: empty array'];
  // The envelope schema also rejects batches that mix requests/notifications with responses.
  const errors = check(version, 'JSONRPCMessage', message, 'batch envelope');
  message.forEach((element, i) => {
    for (const line of validateSingle(version, element, requests[i])) errors.push(`[${i}] ${line}`);
  });
  return errors;
}

/**
 * Validates one message a server sent (a batch is an array) against the schema of `version`.
 * For a response, `requestMethod` names the client request it answers so its result type can be
 * checked; without it only the envelope is. Returns error strings, empty when the message is valid
 * (or when wire checks are off).
 */
export function validateServerMessage(
  version: WireVersion,
  message: unknown,
  requestMethod?: string,
): string[] {
  if (!wireChecksEnabled) return [];
  const request = requestMethod === undefined ? undefined : { method: requestMethod, taskAugmented: false };
  const requests = Array.isArray(message) ? message.map(() => request) : [request];
  return validateWithRequests(version, message, requests);
}

/**
 * Validates a value against one named definition of a revision's schema, e.g. a 2026-07-28 error
 * response against `UnsupportedProtocolVersionError`. Empty when valid (or when wire checks are off).
 */
export function validateDefinition(version: WireVersion, name: string, value: unknown): string[] {
  if (!wireChecksEnabled) return [];
  return check(version, name, value, 'value');
}

// ---------------------------------------------------------------------------------------------
// Stateful checker
// ---------------------------------------------------------------------------------------------

function idKey(id: unknown): string | undefined {
  return typeof id === 'string' || typeof id === 'number' ? `${typeof id}:${id}` : undefined;
}

interface Pending {
  message: unknown;
  requests: (RequestInfo | undefined)[];
  /** Problems found while matching (e.g. an unknown response id), reported with the schema errors. */
  notes: string[];
}

export class WireChecker {
  readonly violations: WireViolation[] = [];
  #version: WireVersion | undefined;
  readonly #fixedVersion: boolean;
  #checked = 0;
  /** Client requests awaiting a response, by id key. */
  readonly #outstanding = new Map<string, RequestInfo>();
  /** Server messages received before the protocol version was known. */
  readonly #queue: Pending[] = [];

  /** `version` fixes the revision; required for one served per request (no `initialize` to read it from). */
  constructor(options: { version?: WireVersion } = {}) {
    this.#version = options.version;
    this.#fixedVersion = options.version !== undefined;
    if (this.#version !== undefined && wireChecksEnabled) loadSpec(this.#version);
  }

  /** The protocol version messages are validated against, once known. */
  get version(): WireVersion | undefined {
    return this.#version;
  }

  /** How many server messages went through the checker (validated when wire checks are on). */
  get checked(): number {
    return this.#checked;
  }

  /** How many server messages are waiting for the protocol version to become known. */
  get pending(): number {
    return this.#queue.length;
  }

  /** Records a message the client sent, so responses can be matched to the request method. */
  clientSent(message: unknown): void {
    for (const item of Array.isArray(message) ? message : [message]) {
      if (!isRecord(item)) continue;
      const key = idKey(item.id);
      const info = describeRequest(item);
      // Responses the client sends to server-initiated requests are the client's business.
      if (key !== undefined && info !== undefined) this.#outstanding.set(key, info);
    }
  }

  /**
   * Validates a message the server sent; records violations instead of throwing, so a problem
   * with the checker itself (an unreadable schema) fails the test at `assertClean()` rather than
   * leaving the client waiting for a message its transport never delivered.
   */
  serverSent(message: unknown): void {
    try {
      this.#serverSent(message);
    } catch (error) {
      const version = this.#version ?? 'unknown';
      this.violations.push({ version, direction: 'server->client', message, errors: String(error) });
    }
  }

  #serverSent(message: unknown): void {
    const items = Array.isArray(message) ? message : [message];
    const notes: string[] = [];
    const requests = items.map((item, i) => {
      const { request, note } = this.#matchResponse(item);
      if (note !== undefined) notes.push(Array.isArray(message) ? `[${i}] ${note}` : note);
      return request;
    });
    const pending: Pending = { message, requests, notes };

    if (this.#version === undefined) {
      const negotiated = this.#negotiatedVersion(items, requests);
      if (negotiated === undefined) {
        this.#queue.push(pending);
        return;
      }
      if (!isSpecVersion(negotiated)) {
        this.#queue.push(pending);
        this.violations.push({
          version: String(negotiated),
          direction: 'server->client',
          message,
          errors: `initialize: the server chose protocolVersion ${JSON.stringify(negotiated)}, which has no schema here (known: ${SPEC_VERSIONS.join(', ')})`,
        });
        return;
      }
      this.#version = negotiated;
      const queued = this.#queue.splice(0);
      for (const q of queued) this.#validate(q);
      this.#validate(pending);
      return;
    }

    if (this.#fixedVersion) {
      const negotiated = this.#negotiatedVersion(items, requests);
      if (negotiated !== undefined && negotiated !== this.#version) {
        pending.notes.push(
          `initialize: the server chose protocolVersion ${JSON.stringify(negotiated)} but the checker validates against ${this.#version}`,
        );
      }
    }
    this.#validate(pending);
  }

  /** Throws an Error listing every violation (and any message never validated) when there are any. */
  assertClean(): void {
    const parts = this.violations.map(
      (v, i) =>
        `#${i + 1} [${v.version}] ${v.direction}\n  message: ${safeJson(v.message)}\n  ${v.errors.split('\n').join('\n  ')}`,
    );
    if (this.#queue.length > 0) {
      parts.push(
        `${this.#queue.length} server message(s) were never validated: the protocol version never became known ` +
          '(no successful initialize response; pass { version } to the WireChecker)\n' +
          this.#queue.map((q) => `  message: ${safeJson(q.message)}`).join('\n'),
      );
    }
    if (parts.length === 0) return;
    throw new Error(
      `MCP wire check failed: ${this.violations.length} violation(s) in ${this.#checked} checked server message(s)\n\n${parts.join('\n\n')}`,
    );
  }

  #matchResponse(item: unknown): { request: RequestInfo | undefined; note?: string } {
    if (!isRecord(item) || 'method' in item || !('result' in item || 'error' in item)) {
      return { request: undefined };
    }
    const key = idKey(item.id);
    if (key === undefined) {
      // Only an error response may lack a usable id (parse error); the schema judges that.
      return { request: undefined };
    }
    const request = this.#outstanding.get(key);
    if (request === undefined) {
      return {
        request: undefined,
        note: `response: id ${JSON.stringify(item.id)} answers no outstanding client request`,
      };
    }
    this.#outstanding.delete(key);
    return { request };
  }

  #negotiatedVersion(items: readonly unknown[], requests: readonly (RequestInfo | undefined)[]): unknown {
    for (const [i, item] of items.entries()) {
      if (requests[i]?.method !== 'initialize' || !isRecord(item) || !isRecord(item.result)) continue;
      return item.result.protocolVersion;
    }
    return undefined;
  }

  #validate(pending: Pending): void {
    const version = this.#version;
    if (version === undefined) throw new Error('unreachable: validating without a version');
    this.#checked++;
    if (!wireChecksEnabled) return;
    const errors = [...pending.notes, ...validateWithRequests(version, pending.message, pending.requests)];
    if (errors.length > 0) {
      this.violations.push({
        version,
        direction: 'server->client',
        message: pending.message,
        errors: errors.join('\n'),
      });
    }
  }
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

// ---------------------------------------------------------------------------------------------
// Transport wrapper
// ---------------------------------------------------------------------------------------------

type MessageHandler = NonNullable<Transport['onmessage']>;

/**
 * Wraps a client-side transport so every message the client sends goes through
 * `checker.clientSent` and every message it receives through `checker.serverSent` (before the
 * client's own handler sees it). Everything else (sessionId, setProtocolVersion, onclose, ...)
 * passes straight through to the wrapped transport.
 */
export function checkedTransport<T extends Transport>(transport: T, checker: WireChecker): T {
  let userHandler: Transport['onmessage'] = transport.onmessage;
  const intercept: MessageHandler = (message, extra) => {
    checker.serverSent(message);
    userHandler?.(message, extra);
  };
  transport.onmessage = intercept;

  const send: Transport['send'] = (message, options) => {
    checker.clientSent(message);
    return transport.send(message, options);
  };

  return new Proxy(transport, {
    get(target, prop) {
      if (prop === 'send') return send;
      if (prop === 'onmessage') return userHandler;
      const value: unknown = Reflect.get(target, prop, target);
      // Methods from the prototype run against the real transport (private fields and all).
      if (typeof value === 'function' && !Object.hasOwn(target, prop)) {
        return (value as (...args: unknown[]) => unknown).bind(target);
      }
      return value;
    },
    set(target, prop, value) {
      if (prop === 'onmessage') {
        userHandler = value as Transport['onmessage'];
        target.onmessage = intercept;
        return true;
      }
      return Reflect.set(target, prop, value, target);
    },
  });
}
