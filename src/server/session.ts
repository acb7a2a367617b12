import { McpError } from '../protocol/errors.js';
import {
  ErrorCode,
  type JsonRpcError,
  type JsonRpcMessage,
  type JsonRpcNotification,
  type JsonRpcRequest,
  type JsonRpcResponse,
  parseMessage,
  type RequestId,
  toErrorResponse,
} from '../protocol/jsonrpc.js';
import type { MessageExtra, Outgoing } from '../protocol/transport.js';
import {
  type ClientCapabilities,
  type Implementation,
  LOGGING_LEVELS,
  type LoggingLevel,
  type ServerCapabilities,
} from '../protocol/types.js';
import { featuresOf, LATEST_VERSION, type ProtocolVersion } from '../protocol/versions.js';
import { ClientRequests } from './client-requests.js';
import { type ClientRequestOptions, RequestContext } from './context.js';
import type { ServerCore } from './core.js';
import { dispatchRequest } from './dispatch.js';

export interface SessionOptions {
  /** The session id a sessionful transport (HTTP) minted; none on stdio. */
  id?: string;
  /** Sends what belongs to no request: list changes, resource updates, server-wide logs. */
  send(message: Outgoing): void | Promise<void>;
  /** Runs once when the session closes. */
  onClose?: () => void;
  /**
   * A session that lives for one HTTP request (stateless mode): it cannot send requests to the
   * client, because the answer would arrive on another request with no session to route it to.
   */
  stateless?: boolean;
}

export interface HandleOptions extends MessageExtra {
  /** Where messages related to this request go (progress, logs, server-to-client requests). Defaults to `send`. */
  reply?: (message: JsonRpcMessage) => void | Promise<void>;
  /** Aborts the handler's `ctx.signal`, e.g. when an HTTP client disconnects. */
  signal?: AbortSignal;
  /** Ends the stream carrying this request's messages so the client resumes later (HTTP with an event store). */
  closeStream?: () => void;
}

/** A session's logical state: small, plain data, so a remote session store can hold it later. */
export interface SessionState {
  initialized: boolean;
  protocolVersion: ProtocolVersion | undefined;
  clientInfo: Implementation | undefined;
  clientCapabilities: ClientCapabilities;
  /** What this session was offered at initialize (capabilities do not change during a session). */
  serverCapabilities: ServerCapabilities | undefined;
  logLevel: LoggingLevel | undefined;
  /** Resource URIs the client subscribed to; created on the first subscription. */
  subscriptions: Set<string> | undefined;
}

/**
 * One client's conversation with the server. Messages come in through `handle()`; its answer is
 * returned for the transport to send, and everything else goes out through the reply channel or
 * `send`. Knows nothing of the transport underneath.
 */
export class ServerSession {
  readonly state: SessionState = {
    initialized: false,
    protocolVersion: undefined,
    clientInfo: undefined,
    clientCapabilities: {},
    serverCapabilities: undefined,
    logLevel: undefined,
    subscriptions: undefined,
  };
  // Created on first use: an idle session (initialized, waiting) should cost as little as possible.
  private inflight: Map<RequestId, RequestContext> | undefined;
  private clientRequests: ClientRequests | undefined;
  /** What `handle()` returned for `initialize`, until it settles (see onRequest). */
  private initializing: Promise<unknown> | undefined;
  private closed = false;

  constructor(
    readonly core: ServerCore,
    private readonly options: SessionOptions,
  ) {
    core.sessions.add(this);
  }

  get id(): string | undefined {
    return this.options.id;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  get isStateless(): boolean {
    return this.options.stateless === true;
  }

  /** The negotiated revision; before `initialize`, the latest (only `ping` is answered then). */
  get protocolVersion(): ProtocolVersion {
    return this.state.protocolVersion ?? LATEST_VERSION;
  }

  /** Handles one decoded JSON value (a message or a batch). Resolves to what to send back, if anything. */
  handle(value: unknown, options: HandleOptions = {}): Promise<Outgoing | undefined> {
    if (Array.isArray(value)) return this.handleBatch(value, options);
    const answer = this.handleOne(value, options, false);
    if (isInitialize(value)) {
      this.initializing = answer;
      // Once settled, the transport has sent it (its reaction came first); an idle session keeps nothing.
      const settled = () => {
        if (this.initializing === answer) this.initializing = undefined;
      };
      answer.then(settled, settled);
    }
    return answer;
  }

  /** The answer to bytes that were not JSON. */
  malformed(detail: string): JsonRpcError {
    return toErrorResponse(null, {
      code: ErrorCode.ParseError,
      message: `Parse error: the message is not valid JSON (${detail}). Send one JSON-RPC 2.0 message encoded as JSON.`,
    });
  }

  /** Sends a notification on the session's own channel (not tied to a request). */
  notify(notification: JsonRpcNotification): void {
    if (this.closed) return;
    try {
      const sent = this.options.send(notification);
      if (sent) sent.catch((error) => this.core.reportError(error));
    } catch (error) {
      this.core.reportError(error);
    }
  }

  /** Sends `notifications/message` unless the client's log level filters it out. */
  async log(
    level: LoggingLevel,
    data: unknown,
    logger?: string,
    reply?: (message: JsonRpcMessage) => void | Promise<void>,
  ): Promise<void> {
    const threshold = this.state.logLevel;
    if (threshold && LOGGING_LEVELS.indexOf(level) < LOGGING_LEVELS.indexOf(threshold)) return;
    const params: Record<string, unknown> = { level, data };
    if (logger !== undefined) params.logger = logger;
    const notification: JsonRpcNotification = { jsonrpc: '2.0', method: 'notifications/message', params };
    if (reply) await reply(notification);
    else this.notify(notification);
  }

  /** Sends a request to the client on the reply channel of `ctx` and waits for its answer. */
  request(
    method: string,
    params: Record<string, unknown> | undefined,
    ctx: RequestContext,
    options?: ClientRequestOptions,
  ): Promise<Record<string, unknown>> {
    if (this.closed) {
      return Promise.reject(
        new McpError(ErrorCode.ConnectionClosed, `Cannot send ${method}: the session is closed.`),
      );
    }
    this.clientRequests ??= new ClientRequests(
      (notification) => this.notify(notification),
      this.core.requestTimeoutMs,
    );
    return this.clientRequests.send(method, params, ctx, options);
  }

  /** Ends the session: in-flight handlers are aborted and requests to the client fail. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.core.sessions.delete(this);
    for (const ctx of this.inflight?.values() ?? []) ctx.cancel(new Error('The session closed.'));
    this.clientRequests?.failAll();
    this.options.onClose?.();
  }

  private async handleBatch(values: unknown[], options: HandleOptions): Promise<Outgoing | undefined> {
    if (values.length === 0) {
      return toErrorResponse(null, {
        code: ErrorCode.InvalidRequest,
        message: 'An empty array is not a valid JSON-RPC batch. Send at least one message.',
      });
    }
    const version = this.state.protocolVersion;
    if (!version || !featuresOf(version).batches) {
      return toErrorResponse(null, {
        code: ErrorCode.InvalidRequest,
        message: `JSON-RPC batches are allowed only in protocol version 2025-03-26, and this session negotiated ${version ?? 'none yet (initialize must be sent on its own)'}. Send each message separately.`,
      });
    }
    const answers = await Promise.all(values.map((value) => this.handleOne(value, options, true)));
    const responses = answers.filter((answer): answer is JsonRpcResponse => answer !== undefined);
    return responses.length > 0 ? responses : undefined;
  }

  private async handleOne(
    value: unknown,
    options: HandleOptions,
    inBatch: boolean,
  ): Promise<JsonRpcResponse | undefined> {
    const parsed = parseMessage(value);
    switch (parsed.kind) {
      case 'invalid':
        return toErrorResponse(parsed.id, {
          code: ErrorCode.InvalidRequest,
          message: `Invalid request: ${parsed.reason}`,
        });
      case 'response':
        this.settle(parsed.message);
        return undefined;
      case 'notification':
        this.onNotification(parsed.message);
        return undefined;
      case 'request':
        return this.onRequest(parsed.message, options, inBatch);
    }
  }

  private async onRequest(
    request: JsonRpcRequest,
    options: HandleOptions,
    inBatch: boolean,
  ): Promise<JsonRpcResponse | undefined> {
    if (this.closed) {
      return toErrorResponse(request.id, {
        code: ErrorCode.ConnectionClosed,
        message: 'This session is closed. Start a new session with initialize.',
      });
    }
    const params = request.params ?? {};
    const reply = options.reply ?? this.options.send;
    const meta = params._meta as Record<string, unknown> | undefined;
    const ctx = new RequestContext(this, request.id, meta, reply, options);
    // initialize cannot be cancelled (spec), so it is not tracked: a session that only initialized
    // then holds no map at all.
    const tracked = request.method !== 'initialize';
    if (tracked) {
      this.inflight ??= new Map();
      this.inflight.set(request.id, ctx);
    }
    try {
      const initializing = this.initializing;
      if (initializing) {
        // MCP lifecycle: the initialize result reaches the client before anything a later request
        // produces. A pipelining client (stdio hands over a whole chunk at once) would otherwise
        // see this request's logs first: its handler runs now, while the transport sends that result
        // in a reaction to the promise handle() returned, registered before this message arrived.
        // Waiting on the same promise puts this request after that reaction, on every transport.
        await initializing.catch(() => undefined);
        if (ctx.cancelled) return undefined;
      }
      const result = await dispatchRequest(this, request.method, params, ctx, inBatch);
      if (ctx.cancelled) return undefined; // Spec: no response to a cancelled request.
      return { jsonrpc: '2.0', id: request.id, result: result as Record<string, unknown> };
    } catch (error) {
      if (ctx.cancelled) return undefined;
      const mcpError =
        error instanceof McpError
          ? error
          : new McpError(ErrorCode.InternalError, `Internal error while handling ${request.method}.`);
      if (!(error instanceof McpError)) this.core.reportError(error);
      return toErrorResponse(request.id, mcpError.toJson());
    } finally {
      if (tracked) this.inflight?.delete(request.id);
    }
  }

  private onNotification(notification: JsonRpcNotification): void {
    if (notification.method === 'notifications/cancelled') {
      const requestId = notification.params?.requestId;
      if (typeof requestId === 'string' || typeof requestId === 'number') {
        const reason = notification.params?.reason;
        this.inflight
          ?.get(requestId)
          ?.cancel(new Error(typeof reason === 'string' ? reason : 'Cancelled by the client.'));
      }
    }
    // notifications/initialized needs no action: requests are answered once initialize succeeded.
    // Other notifications (roots/list_changed, progress) are accepted and, per JSON-RPC, never answered.
  }

  private settle(response: JsonRpcResponse): void {
    if (this.clientRequests?.settle(response)) return;
    this.core.reportError(
      new Error(
        `Ignored a response to request id ${String(response.id)}, which this session is not waiting for.`,
      ),
    );
  }
}

function isInitialize(value: unknown): boolean {
  return (
    typeof value === 'object' && value !== null && (value as { method?: unknown }).method === 'initialize'
  );
}
