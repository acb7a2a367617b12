import { toBase64 } from '../protocol/base64.js';
import { McpError, WharfError, WharfErrorCode } from '../protocol/errors.js';
import type {
  ReadResourceResult,
  ResourceContents,
  ResourceDefinition,
  ResourceTemplateDefinition,
} from '../protocol/types.js';
import { parseUriTemplate, type UriTemplate, UriTemplateError } from '../protocol/uri-template.js';
import type { Completers } from './completion.js';
import type { Context, ServerEnv } from './context.js';
import type { Registry, RegistryEntry } from './registry.js';
import { toProtocolError } from './results.js';

/** Everything a resource lists besides its URI and name; `_meta` passes through untouched (MCP Apps put their CSP there). */
export type ResourceConfig = Omit<ResourceDefinition, 'uri' | 'name'>;

export interface ResourceTemplateConfig<E extends ServerEnv = ServerEnv>
  extends Omit<ResourceConfig, 'size'> {
  /** Completers for the template's variables, for `completion/complete`. */
  complete?: Completers<E>;
}

/**
 * What a resource handler may return: a string (text), bytes (blob), one contents object, a list of
 * them, or a full `ReadResourceResult`. The URI and the registered mimeType are filled in.
 */
export type ResourceReturn =
  | string
  | Uint8Array
  | Partial<ResourceContents>
  | ResourceContents[]
  | ReadResourceResult;

export type ResourceHandler<E extends ServerEnv = ServerEnv> = (
  uri: string,
  ctx: Context<E>,
) => ResourceReturn | Promise<ResourceReturn>;
export type TemplateHandler<Variables extends string = string, E extends ServerEnv = ServerEnv> = (
  uri: string,
  variables: Record<Variables, string | string[]>,
  ctx: Context<E>,
) => ResourceReturn | Promise<ResourceReturn>;

/** What `resources/read` needs of the server: its resources and templates, and where unexpected errors go. */
export interface ResourceHost {
  readonly resources: Registry<ResourceEntry, ResourceDefinition>;
  readonly templates: Registry<TemplateEntry, ResourceTemplateDefinition>;
  reportError(error: unknown, where?: string): void;
}

export interface ResourceEntry extends RegistryEntry<ResourceDefinition> {
  readonly handler: ResourceHandler;
}

export interface TemplateEntry extends RegistryEntry<ResourceTemplateDefinition> {
  readonly template: UriTemplate;
  readonly complete: Completers | undefined;
  readonly handler: TemplateHandler;
}

export function createResourceEntry(
  name: string,
  uri: string,
  config: ResourceConfig,
  handler: ResourceHandler,
): ResourceEntry {
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:/.test(uri)) {
    throw new WharfError(
      WharfErrorCode.InvalidName,
      `Resource URI "${uri}" has no scheme. Use an absolute URI such as "file:///notes.txt" or "app://config".`,
    );
  }
  return { key: uri, enabled: true, definition: { uri, name, ...config }, handler };
}

export function createTemplateEntry(
  name: string,
  uriTemplate: string,
  config: ResourceTemplateConfig,
  handler: TemplateHandler,
): TemplateEntry {
  let template: UriTemplate;
  try {
    template = parseUriTemplate(uriTemplate);
  } catch (error) {
    if (!(error instanceof UriTemplateError)) throw error;
    throw new WharfError(WharfErrorCode.InvalidTemplate, `Resource template "${name}": ${error.message}`);
  }
  const { complete, ...rest } = config;
  for (const variable of Object.keys(complete ?? {})) {
    if (!template.variableNames.includes(variable)) {
      throw new WharfError(
        WharfErrorCode.InvalidTemplate,
        `Resource template "${name}" has a completer for "${variable}", which is not a variable of "${uriTemplate}". Use one of: ${template.variableNames.join(', ')}.`,
      );
    }
  }
  return {
    key: uriTemplate,
    enabled: true,
    definition: { uriTemplate, name, ...rest },
    template,
    complete,
    handler,
  };
}

/** `resources/read`: an exact resource first, then the templates in registration order. */
export async function readResource(core: ResourceHost, ctx: Context, params: Record<string, unknown>) {
  const uri = params.uri;
  if (typeof uri !== 'string') {
    throw McpError.invalidParams('resources/read needs a string "uri", as resources/list gives it.');
  }
  const resource = core.resources.get(uri);
  if (resource) return run(core, () => resource.handler(uri, ctx), uri, resource.definition.mimeType);
  for (const entry of core.templates.enabled()) {
    const variables = entry.template.match(uri);
    if (variables) return run(core, () => entry.handler(uri, variables, ctx), uri, entry.definition.mimeType);
  }
  throw McpError.resourceNotFound(uri);
}

async function run(
  core: ResourceHost,
  handler: () => ResourceReturn | Promise<ResourceReturn>,
  uri: string,
  mimeType: string | undefined,
): Promise<ReadResourceResult> {
  let value: ResourceReturn;
  try {
    value = await handler();
  } catch (error) {
    throw toProtocolError(error, `Reading resource "${uri}"`, (cause, where) =>
      core.reportError(cause, where),
    );
  }
  return toReadResult(value, uri, mimeType);
}

function toReadResult(value: ResourceReturn, uri: string, mimeType: string | undefined): ReadResourceResult {
  if (typeof value === 'string') return { contents: [withDefaults({ text: value }, uri, mimeType)] };
  if (value instanceof Uint8Array)
    return { contents: [withDefaults({ blob: toBase64(value) }, uri, mimeType)] };
  if (Array.isArray(value)) return { contents: value.map((item) => withDefaults(item, uri, mimeType)) };
  if ('contents' in value && Array.isArray(value.contents)) return value as ReadResourceResult;
  return { contents: [withDefaults(value as Partial<ResourceContents>, uri, mimeType)] };
}

function withDefaults(contents: Partial<ResourceContents>, uri: string, mimeType: string | undefined) {
  const filled = { uri, ...contents } as ResourceContents;
  if (filled.mimeType === undefined && mimeType !== undefined) filled.mimeType = mimeType;
  return filled;
}
