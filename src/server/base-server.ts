import type { Outgoing, Transport } from '../protocol/transport.js';
import type { LoggingLevel, PromptArgument } from '../protocol/types.js';
import type { ProtocolVersion } from '../protocol/versions.js';
import type { SchemaInput } from '../schema/index.js';
import type { ServerEnv } from './context.js';
import { type ConnectedSession, ServerCore, type ServerOptions } from './core.js';
import type { HeaderParam } from './header-params.js';
import { answerPerRequest, type PerRequestAnswer, PerRequestConnection } from './per-request.js';
import { createPromptEntry, type PromptConfig, type PromptHandler } from './prompts.js';
import type { RegisteredHandle } from './registry.js';
import {
  createResourceEntry,
  createTemplateEntry,
  type ResourceConfig,
  type ResourceHandler,
  type ResourceTemplateConfig,
  type TemplateHandler,
} from './resources.js';
import type { Delivery } from './scope.js';
import { ServerSession, type SessionOptions } from './session.js';
import { answerStateless } from './stateless.js';
import { createToolEntry, type ToolConfig, type ToolHandler } from './tools.js';

/** What transports outside this layer see of a per-request answer and a tool's header parameters. */
export type { HeaderParam, PerRequestAnswer };

/**
 * An MCP server without HTTP: register tools, resources and prompts, then serve it over a message
 * transport. The exported `McpServer` adds `httpApp()` on top of this. `E` (a `ServerEnv`, default
 * `{ auth?: unknown }`) types what handlers see as `ctx.auth`.
 *
 * @example
 * ```ts
 * import { McpServer } from 'wharf-mcp';
 * import { z } from 'zod';
 *
 * const server = new McpServer({ name: 'demo', version: '1.0.0' });
 * server.tool('add', { description: 'Add two numbers', inputSchema: z.object({ a: z.number(), b: z.number() }) },
 *   ({ a, b }) => String(a + b));
 * ```
 */
export class BaseMcpServer<E extends ServerEnv = ServerEnv> {
  protected readonly core: ServerCore;
  private starting: Promise<void> | undefined;
  private closing: Promise<void> | undefined;

  constructor(options: ServerOptions) {
    this.core = new ServerCore(options);
  }

  /** The name, version and other implementation info sent to clients. */
  get info() {
    return this.core.info;
  }

  /** The sessions currently connected. */
  get sessions(): ReadonlySet<ConnectedSession> {
    return this.core.sessions;
  }

  /**
   * Registers a tool. Its schemas are converted and its validators prepared now, once.
   * Throws a `WharfError` for a duplicate or malformed name or an unusable schema.
   */
  tool<Input extends SchemaInput | undefined = undefined, Output extends SchemaInput | undefined = undefined>(
    name: string,
    config: ToolConfig<Input, Output>,
    handler: ToolHandler<Input, Output, E>,
  ): RegisteredHandle {
    return this.core.tools.add(createToolEntry(name, config, handler as never));
  }

  /** Registers a resource at a fixed URI. */
  resource(name: string, uri: string, config: ResourceConfig, handler: ResourceHandler<E>): RegisteredHandle {
    // Entries hold handlers with the env erased: `E` is a promise about `ctx.auth` the app keeps.
    return this.core.resources.add(createResourceEntry(name, uri, config, handler as ResourceHandler));
  }

  /**
   * Registers a resource template (RFC 6570, e.g. `users://{id}/profile`). The handler gets the
   * matched variables.
   */
  resourceTemplate(
    name: string,
    uriTemplate: string,
    config: ResourceTemplateConfig<E>,
    handler: TemplateHandler<string, E>,
  ): RegisteredHandle {
    return this.core.templates.add(
      createTemplateEntry(name, uriTemplate, config as ResourceTemplateConfig, handler as TemplateHandler),
    );
  }

  /** Registers a prompt. Arguments may be an object schema or a plain list. */
  prompt<Args extends SchemaInput | readonly PromptArgument[] | undefined = undefined>(
    name: string,
    config: PromptConfig<Args, E>,
    handler: PromptHandler<Args, E>,
  ): RegisteredHandle {
    return this.core.prompts.add(createPromptEntry(name, config as PromptConfig<Args>, handler as never));
  }

  /** Hands an error that has no one to report to to the `onError` option. */
  reportError(error: unknown): void {
    this.core.reportError(error);
  }

  /**
   * Tells subscribed clients that a resource changed (`notifications/resources/updated`): 2025
   * sessions that subscribed to it, and 2026-07-28 `subscriptions/listen` streams that watch it.
   */
  notifyResourceUpdated(uri: string): void {
    this.core.resourceUpdated(uri);
  }

  /**
   * Tells clients that a list changed (`notifications/<kind>/list_changed`) when it changed for a
   * reason Wharf cannot see: registering, removing, enabling and disabling say so already. Goes to
   * 2025 sessions offered the capability and to 2026-07-28 `subscriptions/listen` streams that asked
   * for it; changes made in one tick go out as one notification.
   *
   * @example
   * ```ts
   * featureFlags.on('change', () => server.notifyListChanged('tools'));
   * ```
   */
  notifyListChanged(kind: 'tools' | 'resources' | 'prompts'): void {
    this.core.listChanged(kind);
  }

  /** Logs to every connected client whose log level lets it through. */
  log(level: LoggingLevel, data: unknown, logger?: string): void {
    for (const session of this.core.sessions) {
      if (session.initialized) session.log(level, data, logger);
    }
  }

  /**
   * Starts a session driven by the caller: it hands messages to `session.handle()` and sends what
   * comes back. HTTP transports use this; `connect()` wraps it for connection-shaped transports.
   */
  createSession(options: SessionOptions): ServerSession {
    return new ServerSession(this.core, options);
  }

  /**
   * Answers one message (or batch) that arrived with no session, in the protocol version the
   * client named (stateless HTTP). Handlers cannot ask the client anything; see `answerStateless`.
   */
  handleStateless(
    value: unknown,
    protocolVersion: ProtocolVersion,
    delivery: Delivery = {},
  ): Promise<Outgoing | undefined> {
    return answerStateless(this.core, value, protocolVersion, delivery);
  }

  /**
   * Answers one message of the per-request era (protocol 2026-07-28: no session, version, client and
   * capabilities in each request's `_meta`), through the same dispatcher as every other era.
   * `refused` tells a transport that the request never reached a handler (HTTP answers those 400).
   */
  handlePerRequest(value: unknown, delivery: Delivery = {}): Promise<PerRequestAnswer> {
    return answerPerRequest(this.core, value, delivery);
  }

  /** The parameters a tool mirrors into `Mcp-Param-*` headers (2026-07-28, x-mcp-header), if any. */
  headerParamsOf(tool: string): readonly HeaderParam[] | undefined {
    return this.core.tools.get(tool)?.headerParams;
  }

  /** Ends every `subscriptions/listen` stream from the server's side: each gets its final response. */
  endSubscriptions(): void {
    this.core.endSubscriptions();
  }

  /**
   * Serves one client over a message transport (stdio, in-memory). Resolves once the transport
   * has started. Both eras share the connection (2026-07-28, stdio "Backward Compatibility"): a
   * message whose `_meta` names a per-request revision is answered on its own, touching no session;
   * everything else belongs to the 2025 session that `initialize` opens.
   *
   * @example
   * ```ts
   * import { StdioTransport } from 'wharf-mcp/stdio';
   * await server.connect(new StdioTransport());
   * ```
   */
  async connect(transport: Transport): Promise<ServerSession> {
    await this.start();
    // Closing the session (server.close(), an idle timeout) closes the transport too, so the
    // client sees the connection end instead of requests failing one by one.
    const session = this.createSession({
      send: (message) => transport.send(message),
      onClose: () => void transport.close(),
    });
    const core = this.core;
    const send = async (message: Parameters<Transport['send']>[0]) => {
      try {
        await transport.send(message);
      } catch (error) {
        core.reportError(error);
      }
    };
    const perRequest = new PerRequestConnection(core, send);
    await transport.start({
      message(value, extra) {
        if (perRequest.takes(value, extra)) return;
        session.handle(value, extra).then(
          (answer) => (answer ? send(answer) : undefined),
          (error) => core.reportError(error),
        );
      },
      malformed(detail) {
        void send(session.malformed(detail));
      },
      close() {
        session.close();
        perRequest.close();
      },
    });
    return session;
  }

  /**
   * Runs the `onStartup` hook once; later calls return the same promise. Transports and the HTTP
   * app call it before the first message, so users never wire a lifespan. A failed startup is
   * retried by the next call.
   */
  start(): Promise<void> {
    if (!this.starting) {
      const hook = this.core.options.onStartup;
      this.starting = Promise.resolve(hook?.()).catch((error: unknown) => {
        this.starting = undefined;
        throw error;
      });
    }
    return this.starting;
  }

  /**
   * Ends every listen stream (each with its final response) and closes every session, then runs
   * the `onShutdown` hook once (only if startup ran).
   */
  close(): Promise<void> {
    if (!this.closing) {
      this.core.endSubscriptions();
      for (const session of [...this.core.sessions]) session.close();
      const started = this.starting;
      const hook = this.core.options.onShutdown;
      this.closing = started
        ? started.then(
            () => hook?.(),
            () => undefined,
          )
        : Promise.resolve();
    }
    return this.closing;
  }
}
