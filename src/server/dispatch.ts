import { describeValue, McpError } from '../protocol/errors.js';
import {
  ErrorCode,
  type JsonRpcRequest,
  type JsonRpcResponse,
  toErrorResponse,
} from '../protocol/jsonrpc.js';
import { LOGGING_LEVELS, type LoggingLevel } from '../protocol/types.js';
import type { CacheTarget } from './cache-hints.js';
import { runCompleter } from './completion.js';
import type { RequestContext } from './context.js';
import type { ServerCore } from './core.js';
import { isObject } from './initialize.js';
import { paginate } from './pagination.js';
import {
  inEra,
  type MethodHandler,
  perRequestMethod,
  perRequestMethodNotFound,
} from './per-request-methods.js';
import { getPrompt } from './prompts.js';
import { readResource } from './resources.js';
import { toCompleteResult } from './results.js';
import { callTool } from './tools.js';

type Params = Record<string, unknown>;

/**
 * Answers one request from its scope (`ctx.scope`): the result, the JSON-RPC error, or nothing when
 * the client cancelled it (spec: no response then). Session lifecycle (`initialize`, "initialized
 * yet?") is the caller's; this runs every other method, with or without a session, in every era:
 * the scope's features pick the era's methods and how its results and errors look.
 */
export async function answerRequest(
  core: ServerCore,
  ctx: RequestContext,
  request: JsonRpcRequest,
): Promise<JsonRpcResponse | undefined> {
  const features = ctx.scope.features;
  try {
    const method = request.method;
    const handler = features.perRequest ? perRequestMethod(core, method, METHODS) : METHODS.get(method);
    if (!handler) throw methodNotFound(core, method, features.perRequest);
    let result = await handler(core, ctx, request.params ?? {});
    if (ctx.cancelled) return undefined;
    if (features.resultType) result = toCompleteResult(result, core.serverInfoMeta);
    return { jsonrpc: '2.0', id: request.id, result: result as Record<string, unknown> };
  } catch (error) {
    if (ctx.cancelled) return undefined;
    if (error instanceof McpError) return toErrorResponse(request.id, inEra(error, features).toJson());
    return internalError(core, request, error);
  }
}

/** Not meant for the client: the operator hears the cause, the client learns what failed. */
export function internalError(core: ServerCore, request: JsonRpcRequest, error: unknown): JsonRpcResponse {
  core.reportError(error, request.method);
  return toErrorResponse(request.id, {
    code: ErrorCode.InternalError,
    message: `Internal error while handling ${request.method}.`,
  });
}

function requireString(params: Params, key: string, method: string): string {
  const value = params[key];
  if (typeof value !== 'string') throw McpError.invalidParams(`${method} needs a string "${key}".`);
  return value;
}

/**
 * One page of a list, in registration order (deterministic, as 2026-07-28 asks of `tools/list`, so
 * clients can cache it), with the list's caching hint where the era has them.
 */
function listResult<T>(
  core: ServerCore,
  ctx: RequestContext,
  key: CacheTarget,
  items: T[],
  cursor: unknown,
): object {
  const { page, nextCursor } = paginate(items, cursor, core.pageSize);
  const result = nextCursor === undefined ? { [key]: page } : { [key]: page, nextCursor };
  return ctx.scope.features.cacheHints ? Object.assign(result, core.cacheHints[key]) : result;
}

const METHODS = new Map<string, MethodHandler>([
  ['ping', () => ({})],
  [
    'tools/list',
    (core, ctx, p) => listResult(core, ctx, 'tools', core.tools.list(ctx.protocolVersion), p.cursor),
  ],
  ['tools/call', (core, ctx, p) => callTool(core, ctx, p)],
  [
    'resources/list',
    (core, ctx, p) => listResult(core, ctx, 'resources', core.resources.list(ctx.protocolVersion), p.cursor),
  ],
  [
    'resources/templates/list',
    (core, ctx, p) =>
      listResult(core, ctx, 'resourceTemplates', core.templates.list(ctx.protocolVersion), p.cursor),
  ],
  ['resources/read', (core, ctx, p) => readResource(core, ctx, p, ctx.scope.features.cacheHints)],
  // Session-scoped: without a session (stateless HTTP) they are accepted and change nothing.
  [
    'resources/subscribe',
    (_core, ctx, p) => {
      ctx.scope.session?.subscribe(requireString(p, 'uri', 'resources/subscribe'));
      return {};
    },
  ],
  [
    'resources/unsubscribe',
    (_core, ctx, p) => {
      ctx.scope.session?.unsubscribe(requireString(p, 'uri', 'resources/unsubscribe'));
      return {};
    },
  ],
  [
    'prompts/list',
    (core, ctx, p) => listResult(core, ctx, 'prompts', core.prompts.list(ctx.protocolVersion), p.cursor),
  ],
  ['prompts/get', (core, ctx, p) => getPrompt(core, ctx, p)],
  ['completion/complete', complete],
  [
    'logging/setLevel',
    (_core, ctx, p) => {
      const level = p.level;
      if (!LOGGING_LEVELS.includes(level as LoggingLevel)) {
        throw McpError.invalidParams(
          `Unknown log level ${describeValue(level)}. Use one of: ${LOGGING_LEVELS.join(', ')}.`,
        );
      }
      ctx.scope.session?.setLogLevel(level as LoggingLevel);
      return {};
    },
  ],
]);

function methodNotFound(core: ServerCore, method: string, perRequest: boolean): McpError {
  if (perRequest) return perRequestMethodNotFound(core, method, METHODS);
  return new McpError(
    ErrorCode.MethodNotFound,
    `Method not found: "${method}". This server answers: initialize, ${[...METHODS.keys()].join(', ')}.`,
  );
}

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
        `Unknown prompt: ${describeValue(ref.name)}. Call prompts/list to see the prompts.`,
      );
    return runCompleter(prompt.complete?.[argument.name], argument.value, args, ctx);
  }
  if (ref.type === 'ref/resource') {
    const uri = typeof ref.uri === 'string' ? ref.uri : '';
    const template = core.templates.get(uri);
    if (template) return runCompleter(template.complete?.[argument.name], argument.value, args, ctx);
    if (core.resources.get(uri)) return runCompleter(undefined, argument.value, args, ctx);
    throw McpError.invalidParams(
      `Unknown resource template: ${describeValue(ref.uri)}. Pass a uriTemplate exactly as resources/templates/list gives it.`,
    );
  }
  throw McpError.invalidParams(
    `Unknown completion ref type ${describeValue(ref.type)}. Use "ref/prompt" or "ref/resource".`,
  );
}
