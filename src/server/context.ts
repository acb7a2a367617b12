import { McpError } from '../protocol/errors.js';
import { ErrorCode, type JsonRpcNotification, type RequestId } from '../protocol/jsonrpc.js';
import {
  type ClientCapabilities,
  type CreateMessageParams,
  type CreateMessageResult,
  type ElicitParams,
  type ElicitResult,
  type Implementation,
  LOGGING_LEVELS,
  type LoggingLevel,
  type Root,
} from '../protocol/types.js';
import type { ProtocolVersion } from '../protocol/versions.js';
import type { ClientRequestOptions, RequestScope } from './scope.js';

export type { ClientRequestOptions } from './scope.js';

/**
 * What a server's handlers may assume about their environment, given as the server's type
 * parameter: `new McpServer<{ auth: User }>(...)`. Only `auth` exists today; an object rather than a
 * bare type leaves room for more without breaking anyone's type arguments. Purely a type: nothing
 * checks at runtime that the middleware or adapter that sets the auth sets this type.
 *
 * @example
 * ```ts
 * interface User { id: string; scopes: string[] }
 * type AppEnv = { auth: User };
 * const server = new McpServer<AppEnv>({ name: 'notes', version: '1.0.0' });
 * server.tool('whoami', {}, (_args, ctx) => ctx.auth?.id ?? 'anonymous'); // ctx.auth: User | undefined
 * ```
 */
export interface ServerEnv {
  /** What the host's authentication establishes (`request.auth` in middleware, an adapter's `auth` option). */
  auth?: unknown;
}

/** The auth type of an env: `User` for `{ auth: User }`, `unknown` when the env names none. */
export type AuthOf<E extends ServerEnv> = E extends { auth?: infer Auth } ? Auth : unknown;

/**
 * What every handler (tool, resource, prompt, completer) receives beside its arguments: who is
 * asking, a signal that aborts when the request is cancelled, and the ways to talk back. `E` is the
 * server's env (`McpServer<E>`); it types `auth`.
 */
export interface Context<E extends ServerEnv = ServerEnv> {
  /** The JSON-RPC id of the request being handled. */
  readonly requestId: RequestId;
  /** The MCP session id, when the transport has sessions (HTTP); `undefined` on stdio. */
  readonly sessionId: string | undefined;
  /** The protocol revision negotiated for this request. */
  readonly protocolVersion: ProtocolVersion;
  /** The client's name/version and the capabilities it declared. */
  readonly client: { readonly info: Implementation | undefined; readonly capabilities: ClientCapabilities };
  /** Aborts when the client cancels the request (`notifications/cancelled`) or goes away. */
  readonly signal: AbortSignal;
  /** The request's `_meta`, as the client sent it. */
  readonly meta: Record<string, unknown> | undefined;
  /**
   * The host's own request object that carried this message, untouched: a Node `IncomingMessage`
   * on the Node binding (`app.listen()`, `http.createServer(app)`, `toNodeHandler`, and Express,
   * Fastify, Koa, where it is `req`, `request.raw`, `ctx.req`); a Web `Request` on the fetch binding
   * (`app.fetch`, Hono, Next.js); `undefined` on stdio and in-memory. Over legacy SSE it is the POST
   * to the messages endpoint. Typed `unknown` because this layer knows nothing of HTTP (a custom
   * transport may put anything here): narrow it, e.g. `ctx.http instanceof Request`.
   */
  readonly http: unknown;
  /**
   * What the host's authentication established (`request.auth` set by HTTP middleware, or an
   * adapter's `auth` option), typed by the server's env. `undefined` on stdio and in-memory and for
   * requests no authentication touched.
   */
  readonly auth: AuthOf<E> | undefined;
  /**
   * Sends `notifications/message` to the client, unless its chosen log level filters it out. Under
   * 2026-07-28 only to a request that named a level in its `_meta` (and on that request's stream).
   */
  log(level: LoggingLevel, data: unknown, logger?: string): Promise<void>;
  /** Sends `notifications/progress` when the client asked for progress (a `progressToken`). */
  progress(progress: number, total?: number, message?: string): Promise<void>;
  /** Asks the user for input through the client (`elicitation/create`, form or URL mode). */
  elicit(params: ElicitParams, options?: ClientRequestOptions): Promise<ElicitResult>;
  /** Asks the client's model for a completion (`sampling/createMessage`). */
  sample(params: CreateMessageParams, options?: ClientRequestOptions): Promise<CreateMessageResult>;
  /** Asks the client for its filesystem roots (`roots/list`). */
  listRoots(options?: ClientRequestOptions): Promise<Root[]>;
  /**
   * Runs `fn` once per request, however many times the handler runs. Under protocol 2026-07-28 a
   * handler that asks the client (`elicit`, `sample`, `listRoots`) runs again from the top on each
   * retry; the first run's result (JSON: it rides in the signed `requestState`) is returned on later
   * runs without calling `fn`. Everywhere else the handler runs once, and so does `fn`.
   *
   * @example
   * ```ts
   * const order = await ctx.once('order', () => db.createDraftOrder(args)); // not again on retries
   * const { action } = await ctx.elicit({ message: `Confirm order ${order.id}?`, requestedSchema });
   * ```
   */
  once<T>(key: string, fn: () => T | Promise<T>): Promise<T>;
  /**
   * Over HTTP with an event store: ends the SSE stream carrying this request's messages now; the
   * client reconnects with `Last-Event-ID` and gets the rest. Lets a long tool avoid holding a
   * connection open (spec 2025-11-25, "polling"). Does nothing on other transports.
   */
  closeStream(): void;
}

/**
 * A handler's `ctx`: reads the request's scope, and is what the session cancels when the client
 * sends `notifications/cancelled`. Nothing here writes shared state.
 */
export class RequestContext implements Context {
  private controller: AbortController | undefined;
  private abortReason: unknown;
  cancelled = false;

  constructor(
    readonly scope: RequestScope,
    readonly requestId: RequestId,
    readonly meta: Record<string, unknown> | undefined,
  ) {}

  get http(): unknown {
    return this.scope.delivery.http;
  }

  get auth(): unknown {
    return this.scope.delivery.auth;
  }

  closeStream(): void {
    this.scope.delivery.closeStream?.();
  }

  get sessionId(): string | undefined {
    return this.scope.sessionId;
  }

  get protocolVersion(): ProtocolVersion {
    return this.scope.protocolVersion;
  }

  get client(): Context['client'] {
    return this.scope.client;
  }

  /** Created on first use: most handlers never look at it, and AbortController is not free. */
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.cancelled) this.controller.abort(this.abortReason);
      const outer = this.scope.delivery.signal;
      if (outer) {
        if (outer.aborted) this.controller.abort(outer.reason);
        else outer.addEventListener('abort', () => this.controller?.abort(outer.reason), { once: true });
      }
    }
    return this.controller.signal;
  }

  cancel(reason: unknown): void {
    this.cancelled = true;
    this.abortReason = reason;
    this.controller?.abort(reason);
  }

  async log(level: LoggingLevel, data: unknown, logger?: string): Promise<void> {
    const { send, logLevel, features } = this.scope;
    if (!send || !passesLogLevel(level, logLevel)) return;
    // 2026-07-28 ("Logging"): no notifications/message for a request that named no log level.
    if (logLevel === undefined && features.logOnlyWithLevel) return;
    await send(logMessage(level, data, logger));
  }

  async progress(progress: number, total?: number, message?: string): Promise<void> {
    const token = this.meta?.progressToken;
    const send = this.scope.send;
    // A progress token is a string or a number (spec); anything else is no request for progress.
    if ((typeof token !== 'string' && typeof token !== 'number') || this.cancelled || !send) return;
    const params: Record<string, unknown> = { progressToken: token, progress };
    if (total !== undefined) params.total = total;
    if (message !== undefined && this.scope.features.progressMessage) params.message = message;
    await send({ jsonrpc: '2.0', method: 'notifications/progress', params });
  }

  async elicit(params: ElicitParams, options?: ClientRequestOptions): Promise<ElicitResult> {
    this.assertCanAsk('elicitation/create', 'elicitation');
    const features = this.scope.features;
    const declared = this.scope.client.capabilities.elicitation;
    const mode = params.mode ?? 'form';
    if (!features.elicitation || !declared) {
      throw new McpError(
        ErrorCode.InvalidRequest,
        'The client did not declare the "elicitation" capability (or negotiated a protocol before 2025-06-18), so it cannot be asked for input. Check ctx.client.capabilities.elicitation before calling ctx.elicit().',
      );
    }
    // 2025-11-25: `elicitation: {}` means form only; a client may declare `url` alone.
    if (mode === 'form' && !declared.form && declared.url) {
      throw new McpError(
        ErrorCode.InvalidRequest,
        'The client supports only URL-mode elicitation (capabilities.elicitation.url), not forms. Use ctx.elicit({ mode: "url", ... }) or ask another way.',
      );
    }
    if (mode === 'url' && (!features.urlElicitation || !declared.url)) {
      throw new McpError(
        ErrorCode.InvalidRequest,
        'The client does not support URL-mode elicitation (capabilities.elicitation.url, protocol 2025-11-25). Use a form elicitation or tell the user the URL another way.',
      );
    }
    // Form mode's "mode" field is 2025-11-25 only; older clients know no other mode.
    const wire = features.urlElicitation ? (params as unknown as Record<string, unknown>) : stripMode(params);
    return (await this.ask('elicitation/create', wire, options)) as unknown as ElicitResult;
  }

  async sample(params: CreateMessageParams, options?: ClientRequestOptions): Promise<CreateMessageResult> {
    this.assertCanAsk('sampling/createMessage', 'sampling');
    if (!this.scope.client.capabilities.sampling) {
      throw new McpError(
        ErrorCode.InvalidRequest,
        'The client did not declare the "sampling" capability, so it cannot be asked to sample. Check ctx.client.capabilities.sampling before calling ctx.sample().',
      );
    }
    return (await this.ask(
      'sampling/createMessage',
      params as unknown as Record<string, unknown>,
      options,
    )) as unknown as CreateMessageResult;
  }

  async listRoots(options?: ClientRequestOptions): Promise<Root[]> {
    this.assertCanAsk('roots/list', 'roots');
    if (!this.scope.client.capabilities.roots) {
      throw new McpError(
        ErrorCode.InvalidRequest,
        'The client did not declare the "roots" capability, so it has no roots to list. Check ctx.client.capabilities.roots before calling ctx.listRoots().',
      );
    }
    const result = await this.ask('roots/list', undefined, options);
    return (result.roots as Root[] | undefined) ?? [];
  }

  once<T>(key: string, fn: () => T | Promise<T>): Promise<T> {
    const asker = this.scope.asker;
    return asker?.once ? asker.once(key, fn) : Promise.resolve().then(fn);
  }

  /**
   * Checked before capabilities: a request with no way back never saw them, and the reason is the
   * mode. Except in 2026-07-28, where every request declares its capabilities: one it lacks is the
   * client's to fix (-32021, spec "General fields": a server MUST NOT rely on undeclared ones).
   */
  private assertCanAsk(method: string, capability: 'elicitation' | 'sampling' | 'roots'): void {
    const scope = this.scope;
    if (scope.features.perRequest && !scope.client.capabilities[capability]) {
      throw new McpError(
        ErrorCode.MissingRequiredClientCapability,
        `This request needs the client capability "${capability}" (for ${method}), which its _meta["io.modelcontextprotocol/clientCapabilities"] does not declare. Declare it and send the request again.`,
        { requiredCapabilities: { [capability]: {} } },
      );
    }
    const asker = scope.asker;
    if (!asker || (!scope.send && !asker.inBand)) throw cannotAskError(method, scope.features.perRequest);
  }

  private ask(method: string, params: Record<string, unknown> | undefined, options?: ClientRequestOptions) {
    // assertCanAsk ran first: the asker is there, and so is `send` unless the asker needs none.
    return this.scope.asker!.ask(method, params, this, this.scope.send ?? sendNothing, options);
  }
}

/** Does `level` pass the client's threshold (`logging/setLevel`)? No threshold lets everything through. */
export function passesLogLevel(level: LoggingLevel, threshold: LoggingLevel | undefined): boolean {
  return !threshold || LOGGING_LEVELS.indexOf(level) >= LOGGING_LEVELS.indexOf(threshold);
}

/** A `notifications/message`. */
export function logMessage(level: LoggingLevel, data: unknown, logger?: string): JsonRpcNotification {
  const params: Record<string, unknown> = { level, data };
  if (logger !== undefined) params.logger = logger;
  return { jsonrpc: '2.0', method: 'notifications/message', params };
}

function cannotAskError(method: string, perRequest: boolean): McpError {
  if (perRequest) {
    // Protocol 2026-07-28 asks through input_required results, allowed only on three methods (mrtr).
    return new McpError(
      ErrorCode.InvalidRequest,
      `Cannot send ${method}: under protocol 2026-07-28 the server asks the client only through an input_required result, which only tools/call, prompts/get and resources/read may answer. Ask from a tool, prompt or resource handler instead.`,
    );
  }
  return new McpError(
    ErrorCode.InvalidRequest,
    `Cannot send ${method}: this request has no way back to the client (the server runs stateless, or the call came through a route without a session). Serve it with sessions (stateless: false) to use sampling, elicitation or roots.`,
  );
}

/** An in-band asker's `send`: its questions travel in the result, never on a stream. */
function sendNothing(): void {}

function stripMode(params: ElicitParams): Record<string, unknown> {
  const { mode: _mode, ...rest } = params as ElicitParams & { mode?: string };
  return rest;
}
