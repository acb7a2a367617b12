import { describeValue, McpError } from '../protocol/errors.js';
import { ErrorCode } from '../protocol/jsonrpc.js';
import type { VersionFeatures } from '../protocol/versions.js';
import type { RequestContext } from './context.js';
import type { ServerCore } from './core.js';
import { answerDiscover } from './discover.js';
import { listen } from './subscriptions.js';
import { offersTasks } from './tasks/call.js';
import { TASKS_EXTENSION } from './tasks/extension.js';
import { cancelTask, getTask, updateTask } from './tasks/methods.js';

export type MethodHandler = (
  core: ServerCore,
  ctx: RequestContext,
  params: Record<string, unknown>,
) => object | Promise<object>;

/** Methods of the per-request era only (2026-07-28). */
const PER_REQUEST_ONLY = new Map<string, MethodHandler>([
  ['server/discover', (core, ctx) => answerDiscover(core, ctx)],
  ['subscriptions/listen', listen],
  // The tasks extension (SEP-2663); its v1 tasks/result and tasks/list stay -32601.
  ['tasks/get', getTask],
  ['tasks/update', updateTask],
  ['tasks/cancel', cancelTask],
]);

/** Session methods 2026-07-28 removed (spec "Key Changes"), each with what a client does instead. */
const REMOVED = new Map<string, string>([
  [
    'initialize',
    'it has no handshake; call server/discover to learn the server, or send initialize without the 2026-07-28 _meta (and MCP-Protocol-Version header) to open a 2025 session',
  ],
  ['ping', 'send any request (server/discover is a cheap one) to see that the server is there'],
  ['logging/setLevel', `name the level in each request's _meta["io.modelcontextprotocol/logLevel"]`],
  ['resources/subscribe', 'open subscriptions/listen with notifications.resourceSubscriptions'],
  ['resources/unsubscribe', 'end the subscriptions/listen stream (close it, or cancel it on stdio)'],
]);

/**
 * The capability each shared method belongs to, offered as `capabilities()` offers it (by what is
 * registered). In this era a method outside the advertised capabilities does not exist (-32601),
 * so `server/discover` and the methods a client can call agree.
 */
const OFFERED: Readonly<Record<string, (core: ServerCore) => boolean>> = {
  'tools/list': (core) => core.tools.size > 0,
  'tools/call': (core) => core.tools.size > 0,
  'prompts/list': (core) => core.prompts.size > 0,
  'prompts/get': (core) => core.prompts.size > 0,
  'resources/list': (core) => core.resources.size + core.templates.size > 0,
  'resources/templates/list': (core) => core.resources.size + core.templates.size > 0,
  'resources/read': (core) => core.resources.size + core.templates.size > 0,
  'completion/complete': (core) => core.prompts.size + core.templates.size > 0,
  'tasks/get': offersTasks,
  'tasks/update': offersTasks,
  'tasks/cancel': offersTasks,
};

/** The handler of `method` in the per-request era: its own methods, then those it kept of `shared`. */
export function perRequestMethod(
  core: ServerCore,
  method: string,
  shared: ReadonlyMap<string, MethodHandler>,
): MethodHandler | undefined {
  if (REMOVED.has(method) || OFFERED[method]?.(core) === false) return undefined;
  const own = PER_REQUEST_ONLY.get(method);
  if (own) return own;
  return shared.get(method);
}

/** -32601 in the per-request era: what to do instead of a removed method, or the methods there are. */
export function perRequestMethodNotFound(
  core: ServerCore,
  method: string,
  shared: ReadonlyMap<string, MethodHandler>,
): McpError {
  if (OFFERED[method]?.(core) === false) {
    const capability = method === 'completion/complete' ? 'completions' : method.split('/')[0];
    const what = capability === 'tasks' ? `"${TASKS_EXTENSION}" extension` : `"${capability}" capability`;
    return new McpError(
      ErrorCode.MethodNotFound,
      `Method not found: ${method} belongs to the ${what}, which this server does not offer (see server/discover).`,
    );
  }
  const instead = REMOVED.get(method);
  if (instead) {
    return new McpError(
      ErrorCode.MethodNotFound,
      `Method not found: protocol 2026-07-28 has no ${describeValue(method)}: ${instead}.`,
    );
  }
  const own = [...PER_REQUEST_ONLY.keys()].filter((name) => OFFERED[name]?.(core) !== false);
  const methods = [...own, ...[...shared.keys()].filter((name) => !REMOVED.has(name))];
  return new McpError(
    ErrorCode.MethodNotFound,
    `Method not found: ${describeValue(method)}. This server answers (protocol 2026-07-28): ${methods.join(', ')}.`,
  );
}

/** An error as the request's era words it: a missing resource is -32602 from 2026-07-28 on (-32002 before). */
export function inEra(error: McpError, features: VersionFeatures): McpError {
  if (error.code !== ErrorCode.ResourceNotFound || features.resourceNotFoundCode === error.code) return error;
  return new McpError(features.resourceNotFoundCode, error.message, error.data);
}
