import { McpError } from '../protocol/errors.js';
import { ErrorCode } from '../protocol/jsonrpc.js';
import {
  type ClientCapabilities,
  type Implementation,
  LOGGING_LEVELS,
  type LoggingLevel,
} from '../protocol/types.js';
import { negotiateVersion } from '../protocol/versions.js';
import { runCompleter } from './completion.js';
import type { RequestContext } from './context.js';
import type { ServerCore } from './core.js';
import { paginate } from './pagination.js';
import { getPrompt } from './prompts.js';
import { readResource } from './resources.js';
import type { ServerSession } from './session.js';
import { shapeImplementation } from './shape.js';
import { callTool } from './tools.js';

type Params = Record<string, unknown>;
type MethodHandler = (core: ServerCore, ctx: RequestContext, params: Params) => object | Promise<object>;

/**
 * Runs one request. `initialize` and `ping` are answered at any time; everything else needs an
 * initialized session. A Map, not an object literal, so "constructor" or "__proto__" never resolve.
 */
export function dispatchRequest(
  session: ServerSession,
  method: string,
  params: Params,
  ctx: RequestContext,
  inBatch: boolean,
): object | Promise<object> {
  if (method === 'initialize') return initialize(session, params, inBatch);
  const handler = METHODS.get(method);
  if (!handler) {
    throw new McpError(
      ErrorCode.MethodNotFound,
      `Method not found: "${method}". This server answers: initialize, ${[...METHODS.keys()].join(', ')}.`,
    );
  }
  if (!session.state.initialized && method !== 'ping') {
    throw new McpError(
      ErrorCode.InvalidRequest,
      `Received "${method}" before initialization. Send "initialize" first and wait for its result (MCP lifecycle).`,
    );
  }
  return handler(session.core, ctx, params);
}

function initialize(session: ServerSession, params: Params, inBatch: boolean): object {
  if (inBatch) {
    throw new McpError(
      ErrorCode.InvalidRequest,
      'initialize must not be part of a JSON-RPC batch. Send it on its own.',
    );
  }
  if (session.state.initialized) {
    throw new McpError(
      ErrorCode.InvalidRequest,
      'This session is already initialized; initialize may be sent only once. Open a new connection or session to start over.',
    );
  }
  const version = negotiateVersion(params.protocolVersion);
  const capabilities = params.capabilities;
  const state = session.state;
  state.protocolVersion = version;
  state.clientCapabilities = isObject(capabilities) ? (capabilities as ClientCapabilities) : {};
  state.clientInfo = isObject(params.clientInfo)
    ? (params.clientInfo as unknown as Implementation)
    : undefined;
  state.initialized = true;
  const core = session.core;
  state.serverCapabilities = core.capabilities(version);
  const result: Params = {
    protocolVersion: version,
    capabilities: state.serverCapabilities,
    serverInfo: shapeImplementation(core.info, version),
  };
  if (core.options.instructions !== undefined) result.instructions = core.options.instructions;
  return result;
}

function isObject(value: unknown): value is Params {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function requireString(params: Params, key: string, method: string): string {
  const value = params[key];
  if (typeof value !== 'string') throw McpError.invalidParams(`${method} needs a string "${key}".`);
  return value;
}

function listResult<T>(key: string, items: T[], cursor: unknown, pageSize: number): object {
  const { page, nextCursor } = paginate(items, cursor, pageSize);
  return nextCursor === undefined ? { [key]: page } : { [key]: page, nextCursor };
}

const METHODS = new Map<string, MethodHandler>([
  ['ping', () => ({})],
  [
    'tools/list',
    (core, ctx, p) => listResult('tools', core.tools.list(ctx.protocolVersion), p.cursor, core.pageSize),
  ],
  ['tools/call', (core, ctx, p) => callTool(core, ctx, p)],
  [
    'resources/list',
    (core, ctx, p) =>
      listResult('resources', core.resources.list(ctx.protocolVersion), p.cursor, core.pageSize),
  ],
  [
    'resources/templates/list',
    (core, ctx, p) =>
      listResult('resourceTemplates', core.templates.list(ctx.protocolVersion), p.cursor, core.pageSize),
  ],
  ['resources/read', (core, ctx, p) => readResource(core, ctx, p)],
  [
    'resources/subscribe',
    (_core, ctx, p) => {
      const state = ctx.session.state;
      state.subscriptions ??= new Set();
      state.subscriptions.add(requireString(p, 'uri', 'resources/subscribe'));
      return {};
    },
  ],
  [
    'resources/unsubscribe',
    (_core, ctx, p) => {
      ctx.session.state.subscriptions?.delete(requireString(p, 'uri', 'resources/unsubscribe'));
      return {};
    },
  ],
  [
    'prompts/list',
    (core, ctx, p) => listResult('prompts', core.prompts.list(ctx.protocolVersion), p.cursor, core.pageSize),
  ],
  ['prompts/get', (core, ctx, p) => getPrompt(core, ctx, p)],
  ['completion/complete', complete],
  [
    'logging/setLevel',
    (_core, ctx, p) => {
      const level = p.level;
      if (!LOGGING_LEVELS.includes(level as LoggingLevel)) {
        throw McpError.invalidParams(
          `Unknown log level ${JSON.stringify(level)}. Use one of: ${LOGGING_LEVELS.join(', ')}.`,
        );
      }
      ctx.session.state.logLevel = level as LoggingLevel;
      return {};
    },
  ],
]);

/** `completion/complete` for prompt arguments (`ref/prompt`) and template variables (`ref/resource`). */
async function complete(core: ServerCore, ctx: RequestContext, params: Params): Promise<object> {
  const ref = params.ref;
  const argument = params.argument;
  if (
    !isObject(ref) ||
    !isObject(argument) ||
    typeof argument.name !== 'string' ||
    typeof argument.value !== 'string'
  ) {
    throw McpError.invalidParams(
      'completion/complete needs "ref" ({ type: "ref/prompt", name } or { type: "ref/resource", uri }) and "argument" ({ name, value }).',
    );
  }
  const context =
    isObject(params.context) && isObject(params.context.arguments) ? params.context.arguments : {};
  const args = context as Record<string, string>;
  if (ref.type === 'ref/prompt') {
    const prompt = typeof ref.name === 'string' ? core.prompts.get(ref.name) : undefined;
    if (!prompt)
      throw McpError.invalidParams(
        `Unknown prompt: ${JSON.stringify(ref.name)}. Call prompts/list to see the prompts.`,
      );
    return runCompleter(prompt.complete?.[argument.name], argument.value, args, ctx);
  }
  if (ref.type === 'ref/resource') {
    const uri = typeof ref.uri === 'string' ? ref.uri : '';
    const template = core.templates.get(uri);
    if (template) return runCompleter(template.complete?.[argument.name], argument.value, args, ctx);
    if (core.resources.get(uri)) return runCompleter(undefined, argument.value, args, ctx);
    throw McpError.invalidParams(
      `Unknown resource template: ${JSON.stringify(ref.uri)}. Pass a uriTemplate exactly as resources/templates/list gives it.`,
    );
  }
  throw McpError.invalidParams(
    `Unknown completion ref type ${JSON.stringify(ref.type)}. Use "ref/prompt" or "ref/resource".`,
  );
}
