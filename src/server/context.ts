import { McpError } from '../protocol/errors.js';
import { ErrorCode, type JsonRpcMessage, type RequestId } from '../protocol/jsonrpc.js';
import type {
  ClientCapabilities,
  CreateMessageParams,
  CreateMessageResult,
  ElicitParams,
  ElicitResult,
  Implementation,
  LoggingLevel,
  Root,
} from '../protocol/types.js';
import { featuresOf, type ProtocolVersion } from '../protocol/versions.js';
import type { HandleOptions, ServerSession } from './session.js';

/** Options for a request the server sends to the client from inside a handler. */
export interface ClientRequestOptions {
  /** Milliseconds to wait for the answer; defaults to the server's `requestTimeoutMs`. */
  timeoutMs?: number;
}

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
  /** Sends `notifications/message` to the client, unless its chosen log level filters it out. */
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
   * Over HTTP with an event store: ends the SSE stream carrying this request's messages now; the
   * client reconnects with `Last-Event-ID` and gets the rest. Lets a long tool avoid holding a
   * connection open (spec 2025-11-25, "polling"). Does nothing on other transports.
   */
  closeStream(): void;
}

/** Per-request bookkeeping the session keeps while a handler runs; also the handler's Context. */
export class RequestContext implements Context {
  private controller: AbortController | undefined;
  private abortReason: unknown;
  cancelled = false;

  constructor(
    readonly session: ServerSession,
    readonly requestId: RequestId,
    readonly meta: Record<string, unknown> | undefined,
    readonly reply: (message: JsonRpcMessage) => void | Promise<void>,
    private readonly extra: HandleOptions,
  ) {}

  get http(): unknown {
    return this.extra.http;
  }

  get auth(): unknown {
    return this.extra.auth;
  }

  closeStream(): void {
    this.extra.closeStream?.();
  }

  get sessionId(): string | undefined {
    return this.session.id;
  }

  get protocolVersion(): ProtocolVersion {
    return this.session.protocolVersion;
  }

  get client() {
    return { info: this.session.state.clientInfo, capabilities: this.session.state.clientCapabilities };
  }

  /** Created on first use: most handlers never look at it, and AbortController is not free. */
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.cancelled) this.controller.abort(this.abortReason);
      const outer = this.extra.signal;
      if (outer) {
        if (outer.aborted) this.controller.abort(outer.reason);
        else outer.addEventListener('abort', () => this.controller?.abort(outer.reason), { once: true });
      }
    }
    return this.controller.signal;
  }

  private assertCanAsk(method: string): void {
    if (this.session.isStateless) throw statelessError(method);
  }

  cancel(reason: unknown): void {
    this.cancelled = true;
    this.abortReason = reason;
    this.controller?.abort(reason);
  }

  log(level: LoggingLevel, data: unknown, logger?: string): Promise<void> {
    return this.session.log(level, data, logger, this.reply);
  }

  async progress(progress: number, total?: number, message?: string): Promise<void> {
    const token = this.meta?.progressToken;
    if (token === undefined || this.cancelled) return;
    const params: Record<string, unknown> = { progressToken: token, progress };
    if (total !== undefined) params.total = total;
    if (message !== undefined && featuresOf(this.protocolVersion).progressMessage) params.message = message;
    await this.reply({ jsonrpc: '2.0', method: 'notifications/progress', params });
  }

  async elicit(params: ElicitParams, options?: ClientRequestOptions): Promise<ElicitResult> {
    this.assertCanAsk('elicitation/create');
    const features = featuresOf(this.protocolVersion);
    const declared = this.session.state.clientCapabilities.elicitation;
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
    return (await this.session.request('elicitation/create', wire, this, options)) as unknown as ElicitResult;
  }

  async sample(params: CreateMessageParams, options?: ClientRequestOptions): Promise<CreateMessageResult> {
    this.assertCanAsk('sampling/createMessage');
    if (!this.session.state.clientCapabilities.sampling) {
      throw new McpError(
        ErrorCode.InvalidRequest,
        'The client did not declare the "sampling" capability, so it cannot be asked to sample. Check ctx.client.capabilities.sampling before calling ctx.sample().',
      );
    }
    return (await this.session.request(
      'sampling/createMessage',
      params,
      this,
      options,
    )) as CreateMessageResult;
  }

  async listRoots(options?: ClientRequestOptions): Promise<Root[]> {
    this.assertCanAsk('roots/list');
    if (!this.session.state.clientCapabilities.roots) {
      throw new McpError(
        ErrorCode.InvalidRequest,
        'The client did not declare the "roots" capability, so it has no roots to list. Check ctx.client.capabilities.roots before calling ctx.listRoots().',
      );
    }
    const result = await this.session.request('roots/list', undefined, this, options);
    return (result.roots as Root[] | undefined) ?? [];
  }
}

/** Checked before capabilities: a stateless session never saw them, and the reason is the mode. */
function statelessError(method: string): McpError {
  return new McpError(
    ErrorCode.InvalidRequest,
    `Cannot send ${method}: this server runs stateless, so the client's answer could not reach this request. Serve it with sessions (stateless: false) to use sampling, elicitation or roots.`,
  );
}

function stripMode(params: ElicitParams): Record<string, unknown> {
  const { mode: _mode, ...rest } = params as ElicitParams & { mode?: string };
  return rest;
}
