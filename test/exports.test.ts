import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { expect, it } from 'vitest';
import * as wharf from 'wharf-mcp';
import * as stdio from 'wharf-mcp/stdio';

// The public surface, pinned so that adding, renaming or removing an export is a deliberate change:
// the runtime names, and every name (types included) as the type-checker sees the entry points.

it('exports exactly the documented runtime names', () => {
  expect(Object.keys(wharf).sort()).toEqual([
    'ErrorCode',
    'LATEST_VERSION',
    'LOGGING_LEVELS',
    'McpError',
    'McpServer',
    'MemoryEventStore',
    'MemoryTaskStore',
    'SUPPORTED_VERSIONS',
    'WharfError',
    'WharfErrorCode',
    'createInMemoryTransports',
    'runAsTask',
  ]);
  expect(Object.keys(stdio).sort()).toEqual(['StdioTransport']);
});

/** Every name an entry file exports, values and types, as a user's type-checker sees it. */
function exportedNames(entry: string): string[] {
  const file = fileURLToPath(new URL(`../src/${entry}`, import.meta.url));
  const program = ts.createProgram([file], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    skipLibCheck: true,
    noEmit: true,
  });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(file);
  const symbol = source && checker.getSymbolAtLocation(source);
  if (!symbol) throw new Error(`no module symbol for ${entry}`);
  return checker
    .getExportsOfModule(symbol)
    .map((s) => s.name)
    .sort();
}

it('exports exactly the documented names, types included, from the root entry', () => {
  const names = exportedNames('index.ts');
  // Internals stay internal: the base class, the session and its state, the transport plumbing.
  for (const internal of ['BaseMcpServer', 'ServerSession', 'SessionState', 'HandleOptions', 'Exchange']) {
    expect(names).not.toContain(internal);
  }
  // The protocol types (`export type * from './protocol/types.js'`) are many; pin the rest by name.
  const protocolTypes = new Set(exportedNames('protocol/types.ts'));
  expect(names.filter((name) => !protocolTypes.has(name))).toEqual([
    'AuthOf',
    'BodyRead',
    'ClientRequestOptions',
    'Completer',
    'Completers',
    'Context',
    'CorsOptions',
    'DeferredTask',
    'Delivery',
    'ErrorCode',
    'EventStore',
    'GuardOptions',
    'HttpApp',
    'HttpAppOptions',
    'InMemoryClientTransport',
    'InferInput',
    'InferOutput',
    'JsonRpcError',
    'JsonRpcMessage',
    'JsonRpcNotification',
    'JsonRpcRequest',
    'JsonRpcResponse',
    'LATEST_VERSION',
    'ListenOptions',
    'McpError',
    'McpServer',
    'MemoryEventStore',
    'MemoryEventStoreOptions',
    'MemoryTaskStore',
    'MemoryTaskStoreOptions',
    'Middleware',
    'MiddlewareRequest',
    'NewTask',
    'Outgoing',
    'PromptArguments',
    'PromptConfig',
    'PromptHandler',
    'PromptReturn',
    'ProtocolVersion',
    'RegisteredHandle',
    'RequestBody',
    'RequestId',
    'ResourceConfig',
    'ResourceHandler',
    'ResourceReturn',
    'ResourceTemplateConfig',
    'RouteHandler',
    'SUPPORTED_VERSIONS',
    'SchemaInput',
    'SendToClient',
    'ServerEnv',
    'ServerOptions',
    'StandardJsonSchema',
    'TaskInputRequest',
    'TaskOptions',
    'TaskPatch',
    'TaskRecord',
    'TaskStatus',
    'TaskStore',
    'TaskSupport',
    'TemplateHandler',
    'ToolArguments',
    'ToolConfig',
    'ToolHandler',
    'ToolReturn',
    'Transport',
    'TransportHandlers',
    'WharfError',
    'WharfErrorCode',
    'createInMemoryTransports',
    'runAsTask',
  ]);
});
