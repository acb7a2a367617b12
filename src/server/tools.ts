import { McpError, toErrorMessage, WharfError, WharfErrorCode } from '../protocol/errors.js';
import { ErrorCode } from '../protocol/jsonrpc.js';
import type { CallToolResult, Icon, Meta, ToolAnnotations, ToolDefinition } from '../protocol/types.js';
import {
  formatIssues,
  type InferInput,
  type InferOutput,
  type PreparedSchema,
  prepareSchema,
  type SchemaInput,
} from '../schema/index.js';
import type { Context, RequestContext, ServerEnv } from './context.js';
import { type HeaderParam, readHeaderParams } from './header-params.js';
import type { Registry, RegistryEntry } from './registry.js';
import { toolErrorResult, toToolResult } from './results.js';
import { shapeToolResult } from './shape.js';
import { continueAsTask, runsAsTask } from './tasks/call.js';
import { DeferredTask } from './tasks/escalate.js';
import type { TaskSupport } from './tasks/extension.js';
import type { TaskRunner } from './tasks/runner.js';

export interface ToolConfig<Input extends SchemaInput | undefined, Output extends SchemaInput | undefined> {
  title?: string;
  /** What the tool does, for the model. Clients and the conformance suite expect one. */
  description?: string;
  /** Arguments: a Standard Schema with JSON Schema support (Zod 4, ArkType, Valibot) or a JSON Schema object. */
  inputSchema?: Input;
  /** Structured result: a plain object returned by the handler becomes `structuredContent`. */
  outputSchema?: Output;
  annotations?: ToolAnnotations;
  icons?: Icon[];
  /** Passed through untouched, e.g. `{ ui: { resourceUri: 'ui://...' } }` for MCP Apps. */
  _meta?: Meta;
  /**
   * Runs the tool as a task (the `io.modelcontextprotocol/tasks` extension of 2026-07-28; the wire's
   * `execution.taskSupport`): `tools/call` answers at once with the task, the handler runs in the
   * background, and the client polls `tasks/get`. `'optional'` runs inline for clients that did
   * not declare the extension; `'required'` refuses them (-32021).
   */
  task?: TaskSupport;
}

export type ToolArguments<Input> = Input extends SchemaInput ? InferInput<Input> : Record<string, never>;
/**
 * With an output schema: the structured object (or a full `CallToolResult`). Without one: a string,
 * a full `CallToolResult`, or any JSON value (sent as its JSON text).
 */
export type ToolReturn<Output> = Output extends SchemaInput ? InferOutput<Output> | CallToolResult : unknown;

export type ToolHandler<Input, Output, E extends ServerEnv = ServerEnv> = (
  args: ToolArguments<Input>,
  ctx: Context<E>,
) => ToolReturn<Output> | Promise<ToolReturn<Output>>;

/** What `tools/call` needs of the server: its tools, and where unexpected errors go. */
export interface ToolHost {
  readonly tools: Registry<ToolEntry, ToolDefinition>;
  readonly tasks: TaskRunner;
  reportError(error: unknown, where?: string): void;
}

export interface ToolEntry extends RegistryEntry<ToolDefinition> {
  readonly input: PreparedSchema | undefined;
  readonly output: PreparedSchema | undefined;
  readonly handler: (args: unknown, ctx: Context) => unknown;
  /** Parameters mirrored into `Mcp-Param-*` headers (2026-07-28, x-mcp-header); checked over HTTP. */
  readonly headerParams: readonly HeaderParam[] | undefined;
  readonly taskSupport: TaskSupport | undefined;
}

/** Spec 2025-11-25, "Tool Names", and what clients enforce. */
const TOOL_NAME = /^[A-Za-z0-9_.-]{1,128}$/;
const NO_ARGUMENTS = Object.freeze({ type: 'object', properties: {} });

/** Builds a tool entry; everything here runs once, at registration. */
export function createToolEntry(
  name: string,
  config: ToolConfig<SchemaInput | undefined, SchemaInput | undefined>,
  handler: (args: never, ctx: Context) => unknown,
): ToolEntry {
  if (!TOOL_NAME.test(name)) {
    throw new WharfError(
      WharfErrorCode.InvalidName,
      `Tool name "${name}" is not allowed: use 1 to 128 letters, digits, "_", "-" or "." (for example "get_weather").`,
    );
  }
  const input = config.inputSchema
    ? prepareSchema(config.inputSchema, {
        io: 'input',
        label: `inputSchema of tool "${name}"`,
        requireObject: true,
      })
    : undefined;
  const output = config.outputSchema
    ? prepareSchema(config.outputSchema, {
        io: 'output',
        label: `outputSchema of tool "${name}"`,
        requireObject: true,
      })
    : undefined;
  const definition: ToolDefinition = { name, inputSchema: input?.jsonSchema ?? NO_ARGUMENTS };
  if (config.title !== undefined) definition.title = config.title;
  if (config.description !== undefined) definition.description = config.description;
  if (output) definition.outputSchema = output.jsonSchema;
  if (config.annotations !== undefined) definition.annotations = config.annotations;
  if (config.icons !== undefined) definition.icons = config.icons;
  if (config._meta !== undefined) definition._meta = config._meta;
  const headerParams = input ? readHeaderParams(name, input.jsonSchema) : undefined;
  const taskSupport = config.task;
  if (taskSupport !== undefined && taskSupport !== 'optional' && taskSupport !== 'required') {
    throw new WharfError(
      WharfErrorCode.InvalidOption,
      `Tool "${name}" has task: ${JSON.stringify(taskSupport)}. Use 'optional' or 'required', or leave it out.`,
    );
  }
  return {
    key: name,
    enabled: true,
    definition,
    input,
    output,
    handler: handler as ToolEntry['handler'],
    headerParams,
    taskSupport,
  };
}

/** `tools/call`. Protocol errors for unknown tools; everything the tool itself does wrong is `isError`. */
export async function callTool(
  core: ToolHost,
  ctx: RequestContext,
  params: Record<string, unknown>,
): Promise<CallToolResult | Record<string, unknown>> {
  const name = params.name;
  if (typeof name !== 'string') {
    throw McpError.invalidParams(
      'tools/call needs a string "name": the tool to call, as tools/list gives it.',
    );
  }
  const entry = core.tools.get(name);
  if (!entry) {
    throw McpError.invalidParams(
      `Unknown tool: "${name}". Call tools/list to see the tools this server offers.`,
    );
  }
  let args: unknown = params.arguments ?? {};
  if (typeof args !== 'object' || args === null || Array.isArray(args)) {
    throw McpError.invalidParams(`The "arguments" of tool "${name}" must be a JSON object.`);
  }
  if (entry.input) {
    const checked = await entry.input.validate(args);
    if (!checked.ok) {
      const message = `Invalid arguments for tool "${name}": ${formatIssues(checked.issues)}`;
      // 2025-11-25 moved input validation errors into tool results so the model can correct itself.
      if (ctx.scope.features.inputErrorsAsToolResults) return toolErrorResult(message);
      throw McpError.invalidParams(message, { issues: checked.issues });
    }
    args = checked.value;
  }
  if (runsAsTask(ctx, entry.taskSupport, name)) {
    // In a task a throw ends it `failed` (a protocol error); a returned isError result is `completed`.
    return core.tasks.start(ctx, `tool "${name}"`, async (taskCtx) =>
      toCallResult(entry, name, await entry.handler(args, taskCtx), taskCtx),
    );
  }
  let value: unknown;
  try {
    value = await entry.handler(args, ctx);
  } catch (error) {
    // The spec requires URL-elicitation-required (2025-11-25) and a missing client capability
    // (2026-07-28, -32021) to travel as JSON-RPC errors: the client, not the model, must act.
    if (error instanceof McpError && TRAVELS_AS_ERROR.has(error.code)) throw error;
    // The model reads the message to correct itself (spec "Tool Execution Errors"), so it is sent;
    // the operator hears about anything that was not a deliberate McpError.
    if (!(error instanceof McpError)) core.reportError(error, `tool "${name}"`);
    return toolErrorResult(toErrorMessage(error));
  }
  if (value instanceof DeferredTask) {
    return continueAsTask(core, ctx, value, `tool "${name}"`, (v, c) => toCallResult(entry, name, v, c));
  }
  return toCallResult(entry, name, value, ctx);
}

/** The handler's return value as a `CallToolResult`, checked against the tool's output schema. */
async function toCallResult(
  entry: ToolEntry,
  name: string,
  value: unknown,
  ctx: RequestContext,
): Promise<CallToolResult> {
  const output = entry.output;
  if (output && isStructured(value)) {
    // Validate first and send what the schema produced (defaults applied, unknown keys stripped),
    // since the advertised outputSchema describes the schema's output, not the handler's input.
    const checked = await output.validate(value);
    if (!checked.ok) return toolErrorResult(`Tool "${name}" returned ${mismatch(checked.issues)}`);
    value = checked.value;
  }
  let result = toToolResult(value, output !== undefined);
  if (output && !result.isError && !isStructured(value)) {
    // A full result (or a string) from a tool with an output schema must still carry valid structured content.
    if (result.structuredContent === undefined) {
      return toolErrorResult(
        `Tool "${name}" returned no structuredContent, but it declares an outputSchema. Return an object that matches the schema.`,
      );
    }
    const checked = await output.validate(result.structuredContent);
    if (!checked.ok) return toolErrorResult(`Tool "${name}" returned ${mismatch(checked.issues)}`);
    // Object.assign rather than a spread: the fast path on Node 20 (see toCompleteResult).
    result = Object.assign({}, result, { structuredContent: checked.value as Record<string, unknown> });
  }
  return shapeToolResult(result, ctx.protocolVersion);
}

const TRAVELS_AS_ERROR: ReadonlySet<number> = new Set([
  ErrorCode.UrlElicitationRequired,
  ErrorCode.MissingRequiredClientCapability,
]);

/** A plain object that is not a full `CallToolResult`: structured output to validate. */
function isStructured(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !Array.isArray((value as { content?: unknown }).content)
  );
}

function mismatch(issues: Parameters<typeof formatIssues>[0]): string {
  return `structured content that does not match its outputSchema: ${formatIssues(issues)}`;
}
