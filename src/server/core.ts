import type { JsonRpcNotification } from '../protocol/jsonrpc.js';
import type {
  Implementation,
  LoggingLevel,
  PromptDefinition,
  ResourceDefinition,
  ResourceTemplateDefinition,
  ServerCapabilities,
  ToolDefinition,
} from '../protocol/types.js';
import { featuresOf, type ProtocolVersion } from '../protocol/versions.js';
import type { PromptEntry } from './prompts.js';
import { Registry } from './registry.js';
import type { ResourceEntry, TemplateEntry } from './resources.js';
import { shapePrompt, shapeResource, shapeTemplate, shapeTool } from './shape.js';
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
  readonly info: Implementation;
  readonly pageSize: number;
  readonly requestTimeoutMs: number;
  private readonly pendingListChanges = new Set<'tools' | 'resources' | 'prompts'>();

  constructor(readonly options: ServerOptions) {
    const {
      instructions: _i,
      capabilities: _c,
      pageSize,
      requestTimeoutMs,
      onError: _e,
      onStartup: _s,
      onShutdown: _d,
      ...info
    } = options;
    this.info = info;
    this.pageSize = pageSize ?? 100;
    this.requestTimeoutMs = requestTimeoutMs ?? 60_000;
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
    return capabilities;
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
  private listChanged(kind: 'tools' | 'resources' | 'prompts'): void {
    if (this.sessions.size === 0) return;
    if (this.pendingListChanges.size === 0) {
      queueMicrotask(() => {
        for (const pending of this.pendingListChanges) {
          // Only to clients that were offered the capability at initialize: capabilities do not change later.
          this.broadcast({ jsonrpc: '2.0', method: `notifications/${pending}/list_changed` }, (session) =>
            session.offered(pending),
          );
        }
        this.pendingListChanges.clear();
      });
    }
    this.pendingListChanges.add(kind);
  }
}
