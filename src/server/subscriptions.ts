import { McpError } from '../protocol/errors.js';
import { ErrorCode, type JsonRpcMessage } from '../protocol/jsonrpc.js';
import type { SendToClient } from '../protocol/transport.js';
import { MetaKey } from '../protocol/types.js';
import type { RequestContext } from './context.js';
import type { ListenSubscription, ListKind, ServerCore } from './core.js';
import { isObject } from './initialize.js';
import { toCompleteResult } from './results.js';

/** What a client may ask to hear on a listen stream (2026-07-28 schema, `SubscriptionFilter`). */
export interface SubscriptionFilter {
  toolsListChanged?: boolean;
  promptsListChanged?: boolean;
  resourcesListChanged?: boolean;
  resourceSubscriptions?: string[];
}

type ListFlag = 'toolsListChanged' | 'promptsListChanged' | 'resourcesListChanged';

const LIST_FLAGS: readonly (readonly [ListFlag, ListKind])[] = [
  ['toolsListChanged', 'tools'],
  ['promptsListChanged', 'prompts'],
  ['resourcesListChanged', 'resources'],
];

/**
 * `subscriptions/listen` (2026-07-28, "Subscriptions"): acknowledges the part of the filter this
 * server honours, then passes on the list changes and resource updates the client opted in to,
 * each tagged with the subscription's id (the request's id), until the client goes (closes the
 * stream, or cancels on stdio) or the server ends it (then with a final response). It replaces
 * `resources/subscribe` and the GET stream; it is driven by the same registry changes and
 * `server.notifyResourceUpdated()` calls that reach 2025 sessions.
 */
export async function listen(
  core: ServerCore,
  ctx: RequestContext,
  params: Record<string, unknown>,
): Promise<object> {
  const send = ctx.scope.send;
  if (!send) {
    throw new McpError(
      ErrorCode.InvalidRequest,
      'subscriptions/listen answers with a stream of notifications, and this request has none: over HTTP, send "Accept: text/event-stream".',
    );
  }
  const agreed = agree(core, ctx, params.notifications);
  if (core.subscriptions.size >= core.maxSubscriptions) {
    throw new McpError(
      ErrorCode.InternalError,
      `This server has ${core.maxSubscriptions} subscriptions/listen streams open, as many as it allows (maxSubscriptions). Close one, or retry later.`,
    );
  }
  const meta = { [MetaKey.subscriptionId]: ctx.requestId };
  // Spec: the acknowledgment is the first message carrying this subscription's id, so it goes out
  // before the subscription can hear anything.
  await send({
    jsonrpc: '2.0',
    method: 'notifications/subscriptions/acknowledged',
    params: { _meta: meta, notifications: agreed },
  });
  const subscription = new Subscription(core, ctx, agreed, meta, send);
  core.subscriptions.add(subscription);
  try {
    await subscription.ended();
  } finally {
    core.subscriptions.delete(subscription);
  }
  return { _meta: meta };
}

/**
 * The subset of the filter this server honours (the acknowledgment's `notifications`): a list it
 * announces changes of (a capability with `listChanged`), resource updates when it has resources.
 */
function agree(core: ServerCore, ctx: RequestContext, filter: unknown): SubscriptionFilter {
  if (!isObject(filter)) {
    throw McpError.invalidParams(
      'subscriptions/listen needs "notifications": the types to receive, e.g. { "toolsListChanged": true, "resourceSubscriptions": ["file:///notes.txt"] }.',
    );
  }
  const capabilities = core.capabilities(ctx.protocolVersion);
  const agreed: SubscriptionFilter = {};
  for (const [flag, kind] of LIST_FLAGS) {
    const wanted = filter[flag];
    if (wanted !== undefined && typeof wanted !== 'boolean') {
      throw McpError.invalidParams(`notifications.${flag} must be true or false.`);
    }
    if (wanted && capabilities[kind]?.listChanged) agreed[flag] = true;
  }
  const uris = filter.resourceSubscriptions;
  if (uris !== undefined) {
    if (!Array.isArray(uris) || !uris.every((uri) => typeof uri === 'string')) {
      throw McpError.invalidParams('notifications.resourceSubscriptions must be a list of resource URIs.');
    }
    if (capabilities.resources?.subscribe) agreed.resourceSubscriptions = [...uris];
  }
  return agreed;
}

/** One open listen stream: what it passes on, and how it ends. */
class Subscription implements ListenSubscription {
  private readonly lists = new Set<ListKind>();
  private readonly uris: ReadonlySet<string> | undefined;
  private done = false;

  constructor(
    private readonly core: ServerCore,
    private readonly ctx: RequestContext,
    agreed: SubscriptionFilter,
    private readonly meta: Record<string, unknown>,
    private readonly send: SendToClient,
  ) {
    for (const [flag, kind] of LIST_FLAGS) if (agreed[flag]) this.lists.add(kind);
    this.uris = agreed.resourceSubscriptions && new Set(agreed.resourceSubscriptions);
  }

  listChanged(kind: ListKind): void {
    if (this.lists.has(kind)) {
      this.deliver({
        jsonrpc: '2.0',
        method: `notifications/${kind}/list_changed`,
        params: { _meta: this.meta },
      });
    }
  }

  resourceUpdated(uri: string): void {
    if (this.uris?.has(uri)) {
      this.deliver({
        jsonrpc: '2.0',
        method: 'notifications/resources/updated',
        params: { uri, _meta: this.meta },
      });
    }
  }

  /**
   * Spec "Graceful Closure": the server ending a subscription answers the listen request with a
   * result carrying its id, then closes the stream. Sent here and now, so it leaves before the
   * transport closes; the handler's own answer is then dropped (the request counts as cancelled).
   */
  end(): void {
    if (this.done || this.ctx.cancelled) return;
    this.done = true;
    const result = toCompleteResult({ _meta: this.meta }, this.core.serverInfoMeta);
    this.deliver({ jsonrpc: '2.0', id: this.ctx.requestId, result });
    this.ctx.cancel(new Error('The server ended the subscription.'));
  }

  /** Resolves once the stream ends: the client went or cancelled, or `end()` ran. */
  ended(): Promise<void> {
    const signal = this.ctx.signal;
    if (signal.aborted) return Promise.resolve();
    return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  }

  private deliver(message: JsonRpcMessage): void {
    try {
      const sent = this.send(message);
      if (sent) sent.catch((error: unknown) => this.core.reportError(error));
    } catch (error) {
      this.core.reportError(error);
    }
  }
}
