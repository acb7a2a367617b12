import { toBase64 } from '../protocol/base64.js';
import { McpError, WharfError, WharfErrorCode } from '../protocol/errors.js';
import type {
  CacheHint,
  ReadResourceResult,
  ResourceContents,
  ResourceDefinition,
  ResourceTemplateDefinition,
} from '../protocol/types.js';
import { parseUriTemplate, type UriTemplate, UriTemplateError } from '../protocol/uri-template.js';
import { checkCacheHint } from './cache-hints.js';
import type { Completers } from './completion.js';
import type { Context, ServerEnv } from './context.js';
import type { Registry, RegistryEntry } from './registry.js';
import { toProtocolError } from './results.js';

/** Everything a resource lists besides its URI and name; `_meta` passes through untouched (MCP Apps put their CSP there). */
export type ResourceConfig = Omit<ResourceDefinition, 'uri' | 'name'> & {
  /**
   * The caching hint its reads carry under protocol 2026-07-28, over the server's `cache.read`
   * (default `{ ttlMs: 0, cacheScope: 'private' }`), e.g. `{ ttlMs: 3_600_000, cacheScope: 'public' }`
   * for contents that are the same for everyone and change rarely. Not listed.
   */
  cache?: Partial<CacheHint>;
};

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
  /** The server's hint for reads (2026-07-28), under each entry's own. */
  readonly cacheHints: { readonly read: CacheHint };
  reportError(error: unknown, where?: string): void;
}

export interface ResourceEntry extends RegistryEntry<ResourceDefinition> {
  readonly handler: ResourceHandler;
  /** Its own caching hint (checked at registration), laid over the server's. */
  readonly cache: Partial<CacheHint> | undefined;
}

export interface TemplateEntry extends RegistryEntry<ResourceTemplateDefinition> {
  readonly template: UriTemplate;
  readonly complete: Completers | undefined;
  readonly handler: TemplateHandler;
  readonly cache: Partial<CacheHint> | undefined;
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
  const { cache, ...listed } = config;
  return {
    key: uri,
    enabled: true,
    definition: { uri, name, ...listed },
    handler,
    cache: cache && checkCacheHint(`The cache of resource "${name}"`, cache),
  };
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
  const { complete, cache, ...rest } = config;
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
    cache: cache && checkCacheHint(`The cache of resource template "${name}"`, cache),
  };
}

/**
 * `resources/read`: an exact resource first, then the templates in registration order. With
 * `cacheHints` (2026-07-28) the result carries the server's read hint, under the entry's own.
 */
export async function readResource(
  core: ResourceHost,
  ctx: Context,
  params: Record<string, unknown>,
  cacheHints = false,
): Promise<ReadResourceResult> {
  const uri = params.uri;
  if (typeof uri !== 'string') {
    throw McpError.invalidParams('resources/read needs a string "uri", as resources/list gives it.');
  }
  let entry: ResourceEntry | TemplateEntry | undefined = core.resources.get(uri);
  let result: ReadResourceResult | undefined;
  if (entry) {
    const resource = entry;
    result = await run(core, () => resource.handler(uri, ctx), uri, resource.definition.mimeType);
  } else {
    for (const template of core.templates.enabled()) {
      const variables = template.template.match(uri);
      if (!variables) continue;
      entry = template;
      result = await run(
        core,
        () => template.handler(uri, variables, ctx),
        uri,
        template.definition.mimeType,
      );
      break;
    }
  }
  if (!entry || !result) throw McpError.resourceNotFound(uri);
  // Object.assign rather than spreads: the fast path on Node 20 (see toCompleteResult).
  return cacheHints ? Object.assign({}, result, core.cacheHints.read, entry.cache) : result;
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
