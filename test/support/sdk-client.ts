/**
 * The official SDK client over HTTP, Streamable HTTP or legacy SSE, with every server message
 * validated against the spec schema of the negotiated version.
 *
 * @example
 * ```ts
 * const served = await serve(server.httpApp(), 'fetch', { cleanup });
 * const { client, checker } = await connectSdk(served, 'streamable', {}, cleanup);
 * await client.listTools();
 * checker.assertClean();
 * ```
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import {
  StreamableHTTPClientTransport,
  type StreamableHTTPReconnectionOptions,
} from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { ClientCapabilities, JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { type Cleanup, withTimeout } from './common.js';
import { checkedTransport, WireChecker } from './wire-validator.js';

/** Where an SDK client connects: what `serve()` returns, or any host's URLs. */
export interface SdkTarget {
  /** The Streamable HTTP endpoint. */
  readonly mcpUrl: URL;
  /** The legacy SSE endpoint. */
  readonly sseUrl: URL;
  /** The fetch the SDK transports use; undefined for their default (the global fetch). */
  readonly clientFetch: FetchLike | undefined;
}

export type SdkTransportKind = 'streamable' | 'sse';

export interface SdkConnectOptions {
  capabilities?: ClientCapabilities;
  /** Registers request and notification handlers on the client; runs before connecting. */
  handlers?: (client: Client) => void;
  reconnectionOptions?: StreamableHTTPReconnectionOptions;
  name?: string;
}

export interface SdkConnection<T extends StreamableHTTPClientTransport | SSEClientTransport> {
  client: Client;
  /** The transport (wrapped by the checker; methods run against the real one). */
  transport: T;
  checker: WireChecker;
  /** What the client reported through `onerror` (transport and protocol errors). */
  errors: Error[];
  /** Every message the transport handed to the client, in the order it did. */
  received: JSONRPCMessage[];
  close(): Promise<void>;
}

export function streamableTransport(
  target: SdkTarget,
  reconnectionOptions?: StreamableHTTPReconnectionOptions,
): StreamableHTTPClientTransport {
  return new StreamableHTTPClientTransport(target.mcpUrl, {
    ...(target.clientFetch ? { fetch: target.clientFetch } : {}),
    ...(reconnectionOptions ? { reconnectionOptions } : {}),
  });
}

export function sseTransport(target: SdkTarget): SSEClientTransport {
  const custom = target.clientFetch;
  return new SSEClientTransport(
    target.sseUrl,
    custom ? { fetch: custom, eventSourceInit: { fetch: custom } } : {},
  );
}

/** Connects an SDK client; `cleanup`, when given, closes it after the test. */
export async function connectSdk(
  target: SdkTarget,
  kind: 'streamable',
  options?: SdkConnectOptions,
  cleanup?: Cleanup,
): Promise<SdkConnection<StreamableHTTPClientTransport>>;
export async function connectSdk(
  target: SdkTarget,
  kind: 'sse',
  options?: SdkConnectOptions,
  cleanup?: Cleanup,
): Promise<SdkConnection<SSEClientTransport>>;
export async function connectSdk(
  target: SdkTarget,
  kind: SdkTransportKind,
  options: SdkConnectOptions = {},
  cleanup?: Cleanup,
): Promise<SdkConnection<StreamableHTTPClientTransport | SSEClientTransport>> {
  const checker = new WireChecker();
  const inner =
    kind === 'streamable' ? streamableTransport(target, options.reconnectionOptions) : sseTransport(target);
  const transport = checkedTransport(inner, checker);
  const client = new Client(
    { name: options.name ?? 'wharf-http-test-client', version: '1.0.0' },
    { capabilities: options.capabilities ?? {} },
  );
  const errors: Error[] = [];
  client.onerror = (error) => errors.push(error);
  options.handlers?.(client);
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await client.close();
  };
  cleanup?.add(close);
  await withTimeout(client.connect(transport), `the ${kind} client to connect`);
  const received: JSONRPCMessage[] = [];
  const deliver = transport.onmessage;
  transport.onmessage = (message: JSONRPCMessage) => {
    received.push(message);
    deliver?.(message);
  };
  return { client, transport, checker, errors, received, close };
}
