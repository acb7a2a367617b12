import { McpError } from '../protocol/errors.js';
import {
  ErrorCode,
  type JsonRpcError,
  type JsonRpcNotification,
  type JsonRpcRequest,
  type JsonRpcResponse,
  parseMessage,
  type RequestId,
  toErrorResponse,
} from '../protocol/jsonrpc.js';
import type { Outgoing } from '../protocol/transport.js';
import type {
  ClientCapabilities,
  Implementation,
  LoggingLevel,
  ServerCapabilities,
} from '../protocol/types.js';
import { featuresOf, LATEST_VERSION, type ProtocolVersion } from '../protocol/versions.js';
import { answerBatch } from './batch.js';
import { ClientRequests } from './client-requests.js';
import { logMessage, passesLogLevel, RequestContext } from './context.js';
import type { ConnectedSession, ServerCore } from './core.js';
import { answerRequest } from './dispatch.js';
import { negotiate } from './initialize.js';
import type {
  Asking,
  ClientAsker,
  ClientRequestOptions,
  Delivery,
  RequestScope,
  SendToClient,
  SessionControls,
} from './scope.js';

export interface SessionOptions {
  /** The session id a sessionful transport (HTTP) minted; none on stdio. */
  id?: string;
  /** Sends what belongs to no request: list changes, resource updates, server-wide logs. */
  send(message: Outgoing): void | Promise<void>;
  /** Runs once when the session closes. */
  onClose?: () => void;
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
 * One client's conversation with the server (the 2025 eras: `initialize`, then requests). Messages
 * come in through `handle()`; its answer is returned for the transport to send, and everything
 * else goes out through the request's reply channel or `send`. Each request runs with a
 * `RequestScope` made here from what `initialize` negotiated; knows nothing of the transport.
 */
export class ServerSession implements ConnectedSession, SessionControls, ClientAsker {
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
  private inflight: Map<RequestId, RunningRequest> | undefined;
  private clientRequests: ClientRequests | undefined;
  /** What `handle()` returned for `initialize`, until it settles (see onRequest). */
  private initializing: Promise<unknown> | undefined;
  /** The client as `ctx.client` shows it; fixed by `initialize`. */
  private client: RequestScope['client'] = NO_CLIENT;
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

  get initialized(): boolean {
    return this.state.initialized;
  }

  /** The negotiated revision; before `initialize`, the latest (only `ping` is answered then). */
  get protocolVersion(): ProtocolVersion {
    return this.state.protocolVersion ?? LATEST_VERSION;
  }

  /** Handles one decoded JSON value (a message or a batch). Resolves to what to send back, if anything. */
  handle(value: unknown, delivery: Delivery = {}): Promise<Outgoing | undefined> {
    if (Array.isArray(value)) {
      return answerBatch(
        value,
        this.state.protocolVersion,
        (one) => this.handleOne(one, delivery, true),
        delivery.maxBatchLength,
      );
    }
    const answer = this.handleOne(value, delivery, false);
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

  /** Sends a server-wide `notifications/message` unless the client's log level filters it out. */
  log(level: LoggingLevel, data: unknown, logger?: string): void {
    if (passesLogLevel(level, this.state.logLevel)) this.notify(logMessage(level, data, logger));
  }

  offered(kind: 'tools' | 'resources' | 'prompts'): boolean {
    return this.state.serverCapabilities?.[kind] !== undefined;
  }

  subscribed(uri: string): boolean {
    return this.state.subscriptions?.has(uri) === true;
  }

  subscribe(uri: string): void {
    this.state.subscriptions ??= new Set();
    this.state.subscriptions.add(uri);
  }

  unsubscribe(uri: string): void {
    this.state.subscriptions?.delete(uri);
  }

  setLogLevel(level: LoggingLevel): void {
    this.state.logLevel = level;
  }

  /** Sends a request to the client on the asking request's channel and waits for its answer. */
  ask(
    method: string,
    params: Record<string, unknown> | undefined,
    asking: Asking,
    send: SendToClient,
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
    return this.clientRequests.send(method, params, asking, send, options);
  }

  /**
   * Answers every request still running with `error` now, without waiting for its handler (a
   * server shutting down after its grace period), through its delivery's `interrupt` (the
   * transport sends it the way the request expects its answer); the handler's `ctx.signal` aborts
   * with `error`, and what it returns later is dropped. Requests whose transport cannot answer
   * early (no `interrupt`) are only aborted.
   */
  interrupt(error: McpError): void {
    const inflight = this.inflight;
    if (!inflight) return;
    for (const [id, running] of inflight) {
      const answerNow = running.ctx.scope.delivery.interrupt;
      inflight.delete(id);
      running.ctx.cancel(error);
      if (!answerNow) continue;
      running.interrupted = true;
      answerNow.call(running.ctx.scope.delivery, toErrorResponse(id, error.toJson()));
    }
  }

  /** Ends the session: in-flight handlers are aborted and requests to the client fail. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.core.sessions.delete(this);
    for (const { ctx } of this.inflight?.values() ?? []) ctx.cancel(new Error('The session closed.'));
    this.clientRequests?.failAll();
    this.options.onClose?.();
  }

  private async handleOne(
    value: unknown,
    delivery: Delivery,
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
        return this.onRequest(parsed.message, delivery, inBatch);
    }
  }

  private onRequest(
    request: JsonRpcRequest,
    delivery: Delivery,
    inBatch: boolean,
  ): JsonRpcResponse | Promise<JsonRpcResponse | undefined> {
    if (this.closed) {
      return toErrorResponse(request.id, {
        code: ErrorCode.ConnectionClosed,
        message: 'This session is closed. Start a new session with initialize.',
      });
    }
    // initialize cannot be cancelled (spec), so it is not tracked: a session that only initialized
    // then holds no map at all.
    if (request.method === 'initialize') return this.initialize(request, inBatch);
    if (!this.state.initialized && request.method !== 'ping') {
      return toErrorResponse(request.id, {
        code: ErrorCode.InvalidRequest,
        message: `Received "${request.method}" before initialization. Send "initialize" first and wait for its result (MCP lifecycle).`,
      });
    }
    const meta = request.params?._meta as Record<string, unknown> | undefined;
    return this.track(new RequestContext(this.scopeFor(delivery), request.id, meta), request);
  }

  /**
   * Runs a request while it is tracked, so `notifications/cancelled`, `close()` and `interrupt()`
   * find it. A plain async path on purpose: this runs for every request, and an interruptible
   * promise of its own per request measured as a tenth of an SSE answer's cost (issue 12).
   */
  private async track(ctx: RequestContext, request: JsonRpcRequest): Promise<JsonRpcResponse | undefined> {
    this.inflight ??= new Map();
    const inflight = this.inflight;
    const id = request.id;
    const running: RunningRequest = { ctx, interrupted: false };
    inflight.set(id, running);
    try {
      const initializing = this.initializing;
      const answer = initializing
        ? await this.answerAfter(initializing, ctx, request)
        : await answerRequest(this.core, ctx, request);
      // interrupt() has answered it already; a second answer to one id would break JSON-RPC.
      return running.interrupted ? undefined : answer;
    } finally {
      // An interrupted request left the map already (and its id may be reused by a later one).
      if (inflight.get(id) === running) inflight.delete(id);
    }
  }

  /**
   * MCP lifecycle: the initialize result reaches the client before anything a later request
   * produces. A pipelining client (stdio hands over a whole chunk at once) would otherwise see this
   * request's logs first: its handler runs now, while the transport sends that result in a reaction
   * to the promise handle() returned, registered before this message arrived. Waiting on the same
   * promise puts this request after that reaction, on every transport.
   */
  private async answerAfter(
    initializing: Promise<unknown>,
    ctx: RequestContext,
    request: JsonRpcRequest,
  ): Promise<JsonRpcResponse | undefined> {
    await initializing.catch(() => undefined);
    if (ctx.cancelled) return undefined;
    return answerRequest(this.core, ctx, request);
  }

  /** What one request of this session may know and do; made per request, never written after. */
  private scopeFor(delivery: Delivery): RequestScope {
    const state = this.state;
    const protocolVersion = state.protocolVersion ?? LATEST_VERSION;
    return {
      protocolVersion,
      features: featuresOf(protocolVersion),
      sessionId: this.options.id,
      client: this.client,
      logLevel: state.logLevel,
      delivery,
      send: delivery.reply ?? this.options.send,
      asker: this,
      session: this,
    };
  }

  private initialize(request: JsonRpcRequest, inBatch: boolean): JsonRpcResponse {
    if (inBatch) {
      return toErrorResponse(request.id, {
        code: ErrorCode.InvalidRequest,
        message: 'initialize must not be part of a JSON-RPC batch. Send it on its own.',
      });
    }
    if (this.state.initialized) {
      return toErrorResponse(request.id, {
        code: ErrorCode.InvalidRequest,
        message:
          'This session is already initialized; initialize may be sent only once. Open a new connection or session to start over.',
      });
    }
    const { negotiated, result } = negotiate(this.core, request.params ?? {});
    const state = this.state;
    state.protocolVersion = negotiated.protocolVersion;
    state.clientInfo = negotiated.clientInfo;
    state.clientCapabilities = negotiated.clientCapabilities;
    state.serverCapabilities = negotiated.serverCapabilities;
    state.initialized = true;
    this.client = { info: negotiated.clientInfo, capabilities: negotiated.clientCapabilities };
    return { jsonrpc: '2.0', id: request.id, result };
  }

  private onNotification(notification: JsonRpcNotification): void {
    if (notification.method === 'notifications/cancelled') {
      const requestId = notification.params?.requestId;
      if (typeof requestId === 'string' || typeof requestId === 'number') {
        const reason = notification.params?.reason;
        this.inflight
          ?.get(requestId)
          ?.ctx.cancel(new Error(typeof reason === 'string' ? reason : 'Cancelled by the client.'));
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

/** A request being handled: its `ctx`, and whether `interrupt()` answered it already. */
interface RunningRequest {
  readonly ctx: RequestContext;
  interrupted: boolean;
}

/** Before `initialize`, a client is nobody in particular (only `ping` is answered then). */
const NO_CLIENT: RequestScope['client'] = { info: undefined, capabilities: {} };

function isInitialize(value: unknown): boolean {
  return (
    typeof value === 'object' && value !== null && (value as { method?: unknown }).method === 'initialize'
  );
}
