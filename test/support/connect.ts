/**
 * Connects the official SDK `Client` to a Wharf `McpServer` in memory, with every server message
 * validated against the official schema of the negotiated protocol version.
 *
 * @example
 * ```ts
 * const { client, checker, close } = await connectClient(server, { protocolVersion: '2025-06-18' });
 * await client.listTools();
 * checker.assertClean();
 * await close();
 * ```
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { ClientCapabilities, Implementation, JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import {
  createInMemoryTransports,
  type InMemoryClientTransport,
  type JsonRpcMessage,
  type McpServer,
} from 'wharf-mcp';
import { checkedTransport, type SpecVersion, WireChecker } from './wire-validator.js';

export interface ConnectOptions {
  /**
   * The protocol version the client asks for in `initialize`. The SDK client always asks for its
   * latest; the outgoing request is rewritten to ask for this one instead. Any other string is sent
   * as is, to exercise version negotiation. Default: the SDK client's latest (2025-11-25).
   */
  protocolVersion?: SpecVersion | (string & {});
  /** What the client declares in `initialize` (sampling, elicitation, roots, ...). */
  capabilities?: ClientCapabilities;
  /** Registers request and notification handlers on the client; runs before connecting. */
  handlers?: (client: Client) => void;
  /** The client's name and version. Default `{ name: 'wharf-test-client', version: '1.0.0' }`. */
  clientInfo?: Implementation;
}

export interface Connection {
  client: Client;
  /** Validates every server message; call `checker.assertClean()` at the end of a test. */
  checker: WireChecker;
  /** The server side of this connection (what `server.connect()` returns). */
  session: Awaited<ReturnType<McpServer['connect']>>;
  /** Every message that crossed the wire, in order, as JSON (the client's after any rewriting). */
  wire: { sent: JSONRPCMessage[]; received: JSONRPCMessage[] };
  /** The server's `initialize` result exactly as it was sent. */
  initializeResult: Record<string, unknown>;
  /**
   * The `result` of the latest server response to a client request of this method, exactly as it
   * was sent (the SDK client parses results, which can hide fields a version should not have).
   */
  resultOf(method: string): Record<string, unknown>;
  /** Closes the client, which closes the server session too. */
  close(): Promise<void>;
}

export async function connectClient(server: McpServer, options: ConnectOptions = {}): Promise<Connection> {
  const pair = createInMemoryTransports();
  const session = await server.connect(pair.server);
  const wire: Connection['wire'] = { sent: [], received: [] };
  const checker = new WireChecker();
  const transport = checkedTransport(sdkTransport(pair.client, wire, options.protocolVersion), checker);

  const client = new Client(options.clientInfo ?? { name: 'wharf-test-client', version: '1.0.0' }, {
    capabilities: options.capabilities ?? {},
  });
  options.handlers?.(client);
  await client.connect(transport);

  const resultOf = (method: string): Record<string, unknown> => {
    const ids = new Set(
      wire.sent.flatMap((message) =>
        'method' in message && message.method === method && 'id' in message ? [message.id] : [],
      ),
    );
    const answer = wire.received.findLast((message) => 'id' in message && ids.has(message.id!));
    if (!answer || !('result' in answer)) throw new Error(`No result to a "${method}" request on the wire`);
    return answer.result as Record<string, unknown>;
  };

  return {
    client,
    checker,
    session,
    wire,
    initializeResult: resultOf('initialize'),
    resultOf,
    close: () => client.close(),
  };
}

/** Adapts Wharf's in-memory client end to the SDK `Transport`, recording and rewriting as it goes. */
function sdkTransport(
  inner: InMemoryClientTransport,
  wire: Connection['wire'],
  protocolVersion: string | undefined,
): Transport {
  const transport: Transport = {
    start: () => inner.start(),
    close: () => inner.close(),
    async send(message) {
      const outgoing = protocolVersion === undefined ? message : askForVersion(message, protocolVersion);
      wire.sent.push(outgoing);
      await inner.send(outgoing as JsonRpcMessage);
    },
  };
  inner.onmessage = (message) => {
    const received = message as JSONRPCMessage;
    wire.received.push(received);
    transport.onmessage?.(received);
  };
  inner.onclose = () => transport.onclose?.();
  inner.onerror = (error) => transport.onerror?.(error);
  return transport;
}

function askForVersion(message: JSONRPCMessage, protocolVersion: string): JSONRPCMessage {
  if (!('method' in message) || message.method !== 'initialize' || !('id' in message)) return message;
  return { ...message, params: { ...message.params, protocolVersion } };
}
