import type { JsonRpcNotification } from '../protocol/jsonrpc.js';
import {
  type CacheHint,
  type Implementation,
  type LoggingLevel,
  MetaKey,
  type PromptDefinition,
  type ResourceDefinition,
  type ResourceTemplateDefinition,
  type ServerCapabilities,
  type ToolDefinition,
} from '../protocol/types.js';
import { featuresOf, type ProtocolVersion } from '../protocol/versions.js';
import { type CacheOptions, type CacheTarget, resolveCacheHints } from './cache-hints.js';
import type { PromptEntry } from './prompts.js';
import { Registry } from './registry.js';
import {
  createRequestStateSigner,
  type RequestStateOptions,
  type RequestStateSigner,
} from './request-state.js';
import type { ResourceEntry, TemplateEntry } from './resources.js';
import { shapePrompt, shapeResource, shapeTemplate, shapeTool } from './shape.js';
import { offersTasks } from './tasks/call.js';
import { TASKS_EXTENSION, type TaskOptions } from './tasks/extension.js';
import { TaskRunner } from './tasks/runner.js';
import type { ToolEntry } from './tools.js';

export interface ServerOptions extends Implementation {
  /** Tells the client (and its model) how to use this server; sent in the initialize result. */
  instructions?: string;
  /** Extra capabilities to declare: `experimental`, and extension capabilities such as `io.modelcontextprotocol/ui`. */
  capabilities?: Pick<ServerCapabilities, 'experimental' | 'extensions'>;
  /** Entries per page in `tools/list`, `resources/list`, `resources/templates/list`, `prompts/list`. Default 100. */
  pageSize?: number;
  /** Default time a server-to-client request (sampling, elicitation, roots) may take. Default 60 000 ms. */
  requestTimeoutMs?: number;
  /**
   * Hears errors the client is not told the details of: a handler that threw something other than
   * an `McpError` (with `where`, e.g. `tool "add"`), a transport failing to send, a stray response.
   */
  onError?: (error: unknown, where?: string) => void;
  /**
   * Runs once, before the first message is handled (standalone or mounted, whichever comes first):
   * open a database, warm a cache. A failure is reported to every request until it succeeds.
   */
  onStartup?: () => void | Promise<void>;
  /** Runs once, when the server (or the app serving it) closes, after its sessions ended. */
  onShutdown?: () => void | Promise<void>;
  /**
   * Caching hints for protocol 2026-07-28 (`ttlMs`, `cacheScope` on `server/discover`, the lists and
   * `resources/read`), per target; a resource's own `cache` config wins for its reads. Defaults:
   * discover and lists `{ ttlMs: 60_000, cacheScope: 'public' }`, reads `{ ttlMs: 0, cacheScope: 'private' }`.
   *
   * @example
   * ```ts
   * new McpServer({ name: 'docs', version: '1.0.0', cache: { tools: { ttlMs: 300_000 }, read: { cacheScope: 'public' } } });
   * ```
   */
  cache?: CacheOptions;
  /**
   * `subscriptions/listen` streams (2026-07-28) open at once, over every transport; past it, a new
   * one is refused with an error (-32603) that says so. Default 1,000.
   */
  maxSubscriptions?: number;
  /**
   * Tools declared with `task` (the `io.modelcontextprotocol/tasks` extension, 2026-07-28): where
   * their state lives (`store`, default a `MemoryTaskStore`), the poll interval clients are told,
   * and how long a task waits for input. Running tasks end `failed` when the server closes.
   */
  tasks?: TaskOptions;
  /**
   * Protocol 2026-07-28 multi round-trip: a handler's `ctx.elicit()`, `ctx.sample()` or
   * `ctx.listRoots()` ends the attempt with an `input_required` result whose `requestState` the
   * client echoes on its retry. The state is signed (HMAC-SHA-256) and bound to the request (method,
   * tool/prompt/resource, arguments) and the principal. `secret` defaults to 32 random bytes per
   * process: fine for one instance, but several instances behind a load balancer must share one
   * (else a retry reaching another instance is refused). An array rotates secrets: the first signs,
   * all verify. Each must be at least 32 bytes. `ttlMs` (default 10 minutes) bounds how late a
   * retry may come; `maxBytes` (default 64 KiB) bounds the state, answers and `ctx.once` values included.
   *
   * @example
   * ```ts
   * new McpServer({
   *   name: 'shop', version: '1.0.0',
   *   requestState: { secret: [process.env.MCP_STATE_SECRET!, process.env.MCP_STATE_SECRET_OLD!], ttlMs: 300_000 },
   * });
   * ```
   */
  requestState?: RequestStateOptions;
}

export type ListKind = 'tools' | 'resources' | 'prompts';

/** What the core needs of an open `subscriptions/listen` stream (2026-07-28): what to pass on, and how to end it. */
export interface ListenSubscription {
  listChanged(kind: ListKind): void;
  resourceUpdated(uri: string): void;
  /** Ends it from the server's side (shutting down): the stream gets its final response. */
  end(): void;
}

/** What the core needs of a connected session: list changes, resource updates, server-wide logs. */
export interface ConnectedSession {
  readonly initialized: boolean;
  /** Was the client offered this capability at initialize? (Capabilities do not change later.) */
  offered(kind: 'tools' | 'resources' | 'prompts'): boolean;
  subscribed(uri: string): boolean;
  notify(notification: JsonRpcNotification): void;
  log(level: LoggingLevel, data: unknown, logger?: string): void;
  close(): void;
}

/**
 * The state shared by every session of one server: what is registered and who is connected.
 * `McpServer` is its public face; sessions and dispatch read it directly.
 */
export class ServerCore {
  readonly tools: Registry<ToolEntry, ToolDefinition>;
  readonly resources: Registry<ResourceEntry, ResourceDefinition>;
  readonly templates: Registry<TemplateEntry, ResourceTemplateDefinition>;
  readonly prompts: Registry<PromptEntry, PromptDefinition>;
  readonly sessions = new Set<ConnectedSession>();
  /** The open `subscriptions/listen` streams (2026-07-28), of every transport. */
  readonly subscriptions = new Set<ListenSubscription>();
  readonly info: Implementation;
  readonly pageSize: number;
  readonly requestTimeoutMs: number;
  readonly maxSubscriptions: number;
  /** Tasks started by `tools/call` (2026-07-28 tasks extension), and their store. */
  readonly tasks: TaskRunner;
  /** The `ttlMs`/`cacheScope` each cacheable 2026-07-28 result carries, checked once here. */
  readonly cacheHints: Readonly<Record<CacheTarget, CacheHint>>;
  /**
   * `_meta` of every 2026-07-28 result: the server's identity, built once (spec "General fields":
   * servers SHOULD name themselves in each result's `_meta`). Frozen, because results share it.
   */
  readonly serverInfoMeta: Readonly<Record<string, unknown>>;
  /** Signs and verifies 2026-07-28 `requestState` (multi round-trip); its options checked at construction. */
  readonly requestStates: RequestStateSigner;
  private readonly pendingListChanges = new Set<ListKind>();

  constructor(readonly options: ServerOptions) {
    const {
      instructions: _i,
      capabilities: _c,
      pageSize,
      requestTimeoutMs,
      onError: _e,
      onStartup: _s,
      onShutdown: _d,
      cache,
      maxSubscriptions,
      tasks,
      requestState,
      ...info
    } = options;
    this.requestStates = createRequestStateSigner(requestState);
    this.info = info;
    this.pageSize = pageSize ?? 100;
    this.requestTimeoutMs = requestTimeoutMs ?? 60_000;
    this.maxSubscriptions = maxSubscriptions ?? 1000;
    this.cacheHints = resolveCacheHints(cache);
    this.tasks = new TaskRunner(tasks, (error, where) => this.reportError(error, where));
    // Every field of `Implementation` exists in 2026-07-28, so the info goes as it was given.
    this.serverInfoMeta = Object.freeze({ [MetaKey.serverInfo]: info });
    this.tools = new Registry('tool', shapeTool, () => this.listChanged('tools'));
    this.prompts = new Registry('prompt', shapePrompt, () => this.listChanged('prompts'));
    const resourcesChanged = () => this.listChanged('resources');
    this.resources = new Registry('resource', shapeResource, resourcesChanged);
    this.templates = new Registry('resource template', shapeTemplate, resourcesChanged);
  }

  /** Capabilities follow what is registered, so a client is never offered a feature with nothing behind it. */
  capabilities(version: ProtocolVersion): ServerCapabilities {
    const capabilities: ServerCapabilities = { logging: {} };
    if (this.tools.size > 0) capabilities.tools = { listChanged: true };
    if (this.resources.size > 0 || this.templates.size > 0) {
      capabilities.resources = { subscribe: true, listChanged: true };
    }
    if (this.prompts.size > 0) capabilities.prompts = { listChanged: true };
    if ((this.prompts.size > 0 || this.templates.size > 0) && featuresOf(version).completionsCapability) {
      capabilities.completions = {};
    }
    const extra = this.options.capabilities;
    if (extra?.experimental) capabilities.experimental = extra.experimental;
    if (extra?.extensions) capabilities.extensions = extra.extensions;
    // SEP-2663: under extensions, never a v1-style `capabilities.tasks`; only in eras that have it.
    if (featuresOf(version).perRequest && offersTasks(this)) {
      capabilities.extensions = { ...capabilities.extensions, [TASKS_EXTENSION]: {} };
    }
    return capabilities;
  }

  /** Tells sessions subscribed to `uri` (2025) and listen streams watching it (2026-07-28) that it changed. */
  resourceUpdated(uri: string): void {
    this.broadcast(
      { jsonrpc: '2.0', method: 'notifications/resources/updated', params: { uri } },
      (session) => session.subscribed(uri),
    );
    for (const subscription of this.subscriptions) subscription.resourceUpdated(uri);
  }

  /** Ends every listen stream from the server's side (shutting down); each gets its final response. */
  endSubscriptions(): void {
    for (const subscription of [...this.subscriptions]) subscription.end();
    // Every caller is a server or app closing: no task may keep running past it.
    void this.tasks.close();
  }

  /** Sends a notification to every initialized session, on its own (not request-related) channel. */
  broadcast(notification: JsonRpcNotification, filter?: (session: ConnectedSession) => boolean): void {
    for (const session of this.sessions) {
      if (session.initialized && (!filter || filter(session))) session.notify(notification);
    }
  }

  reportError(error: unknown, where?: string): void {
    if (this.options.onError) this.options.onError(error, where);
  }

  /**
   * Coalesces list changes made in one tick (registering ten tools sends one notification per
   * kind), and sends nothing while no one is connected.
   */
  listChanged(kind: ListKind): void {
    if (this.sessions.size === 0 && this.subscriptions.size === 0) return;
    if (this.pendingListChanges.size === 0) {
      queueMicrotask(() => {
        for (const pending of this.pendingListChanges) {
          // Only to clients that were offered the capability at initialize: capabilities do not change later.
          this.broadcast({ jsonrpc: '2.0', method: `notifications/${pending}/list_changed` }, (session) =>
            session.offered(pending),
          );
          for (const subscription of this.subscriptions) subscription.listChanged(pending);
        }
        this.pendingListChanges.clear();
      });
    }
    this.pendingListChanges.add(kind);
  }
}
