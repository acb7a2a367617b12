/**
 * Wharf: an MCP server framework whose server is a web app.
 * The curated public surface; `test/exports.test.ts` pins it so changes are deliberate.
 */

export type { HttpApp, ListenOptions } from './http/app.js';
export type { BodyRead, RequestBody } from './http/body.js';
export type { CorsOptions } from './http/cors.js';
export type { GuardOptions } from './http/guard.js';
export { McpServer } from './http/mcp-server.js';
export type { Middleware, MiddlewareRequest } from './http/middleware.js';
export type { HttpAppOptions } from './http/options.js';
export type { RouteHandler } from './http/routes.js';
export { McpError, WharfError, WharfErrorCode } from './protocol/errors.js';
export type {
  JsonRpcError,
  JsonRpcMessage,
  JsonRpcNotification,
  JsonRpcRequest,
  JsonRpcResponse,
  RequestId,
} from './protocol/jsonrpc.js';
export { ErrorCode } from './protocol/jsonrpc.js';
export type { Delivery, Outgoing, SendToClient, Transport, TransportHandlers } from './protocol/transport.js';
export type * from './protocol/types.js';
export { LOGGING_LEVELS } from './protocol/types.js';
export { LATEST_VERSION, type ProtocolVersion, SUPPORTED_VERSIONS } from './protocol/versions.js';
export type { InferInput, InferOutput, SchemaInput, StandardJsonSchema } from './schema/index.js';
export type { Completer, Completers } from './server/completion.js';
export type { AuthOf, ClientRequestOptions, Context, ServerEnv } from './server/context.js';
export type { ServerOptions } from './server/core.js';
export type { PromptArguments, PromptConfig, PromptHandler, PromptReturn } from './server/prompts.js';
export type { RegisteredHandle } from './server/registry.js';
export type {
  ResourceConfig,
  ResourceHandler,
  ResourceReturn,
  ResourceTemplateConfig,
  TemplateHandler,
} from './server/resources.js';
export { type DeferredTask, runAsTask } from './server/tasks/escalate.js';
export type { TaskOptions, TaskSupport } from './server/tasks/extension.js';
export type { ToolArguments, ToolConfig, ToolHandler, ToolReturn } from './server/tools.js';
export { type EventStore, MemoryEventStore, type MemoryEventStoreOptions } from './stores/event-store.js';
export {
  MemoryTaskStore,
  type MemoryTaskStoreOptions,
  type NewTask,
  type TaskInputRequest,
  type TaskPatch,
  type TaskRecord,
  type TaskStatus,
  type TaskStore,
} from './stores/task-store.js';
export { createInMemoryTransports, type InMemoryClientTransport } from './transports/in-memory.js';
