import { McpError, WharfError, WharfErrorCode } from '../protocol/errors.js';
import type {
  GetPromptResult,
  Icon,
  Meta,
  PromptArgument,
  PromptDefinition,
  PromptMessage,
} from '../protocol/types.js';
import {
  formatIssues,
  type InferInput,
  type PreparedSchema,
  prepareSchema,
  type SchemaInput,
} from '../schema/index.js';
import type { Completers } from './completion.js';
import type { Context, ServerEnv } from './context.js';
import type { Registry, RegistryEntry } from './registry.js';
import { toProtocolError } from './results.js';
import { shapePromptResult } from './shape.js';

export interface PromptConfig<
  Args extends SchemaInput | readonly PromptArgument[] | undefined,
  E extends ServerEnv = ServerEnv,
> {
  title?: string;
  /** What the prompt is for. Clients and the conformance suite expect one. */
  description?: string;
  /**
   * The prompt's arguments (always strings on the wire): an object schema whose properties are the
   * arguments, or a plain list of `{ name, description, required }`.
   */
  arguments?: Args;
  /** Completers for argument values, for `completion/complete`. */
  complete?: Completers<E>;
  icons?: Icon[];
  _meta?: Meta;
}

export type PromptArguments<Args> = Args extends SchemaInput
  ? InferInput<Args>
  : Args extends readonly PromptArgument[]
    ? Record<string, string | undefined>
    : Record<string, never>;

/** A string (one user message), a list of messages, or a full `GetPromptResult`. */
export type PromptReturn = string | PromptMessage[] | GetPromptResult;

export type PromptHandler<Args, E extends ServerEnv = ServerEnv> = (
  args: PromptArguments<Args>,
  ctx: Context<E>,
) => PromptReturn | Promise<PromptReturn>;

/** What `prompts/get` needs of the server: its prompts, and where unexpected errors go. */
export interface PromptHost {
  readonly prompts: Registry<PromptEntry, PromptDefinition>;
  reportError(error: unknown, where?: string): void;
}

export interface PromptEntry extends RegistryEntry<PromptDefinition> {
  readonly schema: PreparedSchema | undefined;
  readonly complete: Completers | undefined;
  readonly handler: (args: unknown, ctx: Context) => PromptReturn | Promise<PromptReturn>;
}

export function createPromptEntry(
  name: string,
  config: PromptConfig<SchemaInput | readonly PromptArgument[] | undefined>,
  handler: (args: never, ctx: Context) => PromptReturn | Promise<PromptReturn>,
): PromptEntry {
  if (name.length === 0) {
    throw new WharfError(WharfErrorCode.InvalidName, 'A prompt needs a non-empty name.');
  }
  const { arguments: args, complete, ...rest } = config;
  let schema: PreparedSchema | undefined;
  let list: PromptArgument[] | undefined;
  if (Array.isArray(args)) {
    list = [...args];
  } else if (args) {
    schema = prepareSchema(args as SchemaInput, {
      io: 'input',
      label: `arguments of prompt "${name}"`,
      requireObject: true,
    });
    list = argumentsFromJsonSchema(name, schema.jsonSchema);
  }
  for (const argument of Object.keys(complete ?? {})) {
    if (!list?.some((item) => item.name === argument)) {
      throw new WharfError(
        WharfErrorCode.InvalidName,
        `Prompt "${name}" has a completer for "${argument}", which is not one of its arguments. Declare it in "arguments" first.`,
      );
    }
  }
  const definition: PromptDefinition = { name, ...rest };
  if (list && list.length > 0) definition.arguments = list;
  return {
    key: name,
    enabled: true,
    definition,
    schema,
    complete,
    handler: handler as PromptEntry['handler'],
  };
}

/** Prompt arguments are the top-level properties of the object schema. */
function argumentsFromJsonSchema(prompt: string, jsonSchema: Record<string, unknown>): PromptArgument[] {
  const properties = (jsonSchema.properties ?? {}) as Record<
    string,
    { description?: unknown; title?: unknown; type?: unknown }
  >;
  const required = new Set(Array.isArray(jsonSchema.required) ? (jsonSchema.required as string[]) : []);
  return Object.entries(properties).map(([name, property]) => {
    // Prompt arguments travel as strings; a number field could never validate.
    if (property.type !== undefined && property.type !== 'string') {
      throw new WharfError(
        WharfErrorCode.InvalidSchema,
        `Argument "${name}" of prompt "${prompt}" has type ${JSON.stringify(property.type)}, but prompt arguments are always strings. Declare it as a string (e.g. z.string()) and convert it in the handler.`,
      );
    }
    const argument: PromptArgument = { name, required: required.has(name) };
    if (typeof property.description === 'string') argument.description = property.description;
    if (typeof property.title === 'string') argument.title = property.title;
    return argument;
  });
}

/** `prompts/get`: unknown prompts and bad arguments are protocol errors (-32602). */
export async function getPrompt(
  core: PromptHost,
  ctx: Context,
  params: Record<string, unknown>,
): Promise<GetPromptResult> {
  const name = params.name;
  if (typeof name !== 'string') {
    throw McpError.invalidParams(
      'prompts/get needs a string "name": the prompt to get, as prompts/list gives it.',
    );
  }
  const entry = core.prompts.get(name);
  if (!entry) {
    throw McpError.invalidParams(
      `Unknown prompt: "${name}". Call prompts/list to see the prompts this server offers.`,
    );
  }
  const args = checkArguments(entry, params.arguments ?? {});
  let value: unknown = args;
  if (entry.schema) {
    const checked = await entry.schema.validate(args);
    if (!checked.ok) {
      throw McpError.invalidParams(
        `Invalid arguments for prompt "${name}": ${formatIssues(checked.issues)}`,
        {
          issues: checked.issues,
        },
      );
    }
    value = checked.value;
  }
  let result: PromptReturn;
  try {
    result = await entry.handler(value, ctx);
  } catch (error) {
    throw toProtocolError(error, `Getting prompt "${name}"`, (cause, where) =>
      core.reportError(cause, where),
    );
  }
  if (typeof result === 'string') {
    return { messages: [{ role: 'user', content: { type: 'text', text: result } }] };
  }
  return shapePromptResult(Array.isArray(result) ? { messages: result } : result, ctx.protocolVersion);
}

function checkArguments(entry: PromptEntry, args: unknown): Record<string, string> {
  const name = entry.key;
  if (typeof args !== 'object' || args === null || Array.isArray(args)) {
    throw McpError.invalidParams(`The "arguments" of prompt "${name}" must be an object of strings.`);
  }
  for (const [key, value] of Object.entries(args)) {
    if (typeof value !== 'string') {
      throw McpError.invalidParams(
        `Argument "${key}" of prompt "${name}" must be a string (prompt arguments are strings).`,
      );
    }
  }
  const missing = (entry.definition.arguments ?? [])
    .filter((argument) => argument.required && !(argument.name in args))
    .map((argument) => argument.name);
  if (missing.length > 0) {
    throw McpError.invalidParams(`Prompt "${name}" is missing required argument(s): ${missing.join(', ')}.`, {
      missing,
    });
  }
  return args as Record<string, string>;
}
