import { McpError } from '../protocol/errors.js';
import {
  ErrorCode,
  isErrorResponse,
  type JsonRpcNotification,
  type JsonRpcRequest,
  type JsonRpcResponse,
  type RequestId,
} from '../protocol/jsonrpc.js';
import type { Asking, ClientRequestOptions, SendToClient } from './scope.js';

interface PendingRequest {
  resolve(result: Record<string, unknown>): void;
  reject(error: unknown): void;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * The requests one session has sent to its client (sampling, elicitation, roots) and is waiting on:
 * each ends with the client's answer, its timeout, or the cancellation of the request that asked;
 * the last two also tell the client (`notifications/cancelled`).
 */
export class ClientRequests {
  private readonly pending = new Map<RequestId, PendingRequest>();
  private nextId = 0;

  constructor(
    private readonly notify: (notification: JsonRpcNotification) => void,
    private readonly defaultTimeoutMs: number,
  ) {}

  /** Sends `method` with `reply` (the asking request's stream) and resolves with the client's result. */
  send(
    method: string,
    params: Record<string, unknown> | undefined,
    ctx: Asking,
    reply: SendToClient,
    options?: ClientRequestOptions,
  ): Promise<Record<string, unknown>> {
    const id = `wharf-${++this.nextId}`;
    const message: JsonRpcRequest = params
      ? { jsonrpc: '2.0', id, method, params }
      : { jsonrpc: '2.0', id, method };
    const timeoutMs = options?.timeoutMs ?? this.defaultTimeoutMs;
    return new Promise((resolve, reject) => {
      const abandon = (reason: string) => {
        if (!this.pending.delete(id)) return;
        clearTimeout(timer);
        this.notify({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: id, reason } });
      };
      const timer = setTimeout(() => {
        abandon(`No answer within ${timeoutMs} ms.`);
        reject(
          new McpError(
            ErrorCode.RequestTimeout,
            `The client did not answer ${method} within ${timeoutMs} ms. Raise the timeout ({ timeoutMs }) if the user needs more time.`,
          ),
        );
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      if (ctx.cancelled) {
        abandon('The request that asked was cancelled.');
        reject(
          new McpError(ErrorCode.ConnectionClosed, `${method} was not sent: the request was cancelled.`),
        );
        return;
      }
      ctx.signal.addEventListener(
        'abort',
        () => {
          abandon('The request that asked was cancelled.');
          reject(
            new McpError(ErrorCode.ConnectionClosed, `${method} was abandoned: the request was cancelled.`),
          );
        },
        { once: true },
      );
      const failed = (error: unknown) => {
        if (this.pending.delete(id)) clearTimeout(timer);
        reject(error);
      };
      // A reply channel may refuse at once (JSON answers with no GET stream): no timer left behind.
      try {
        Promise.resolve(reply(message)).catch(failed);
      } catch (error) {
        failed(error);
      }
    });
  }

  /** Hands the client's answer to whoever waits for it; false when nobody does. */
  settle(response: JsonRpcResponse): boolean {
    const id = response.id;
    const pending = id === undefined ? undefined : this.pending.get(id);
    if (!pending || id === undefined) return false;
    this.pending.delete(id);
    clearTimeout(pending.timer);
    if (isErrorResponse(response)) {
      const { code, message, data } = response.error;
      pending.reject(new McpError(code, `The client answered with an error: ${message}`, data));
    } else {
      pending.resolve(response.result);
    }
    return true;
  }

  /** The session closed: every wait ends with an error. */
  failAll(): void {
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      pending.reject(
        new McpError(ErrorCode.ConnectionClosed, `The session closed before the client answered ${id}.`),
      );
    }
    this.pending.clear();
  }
}
