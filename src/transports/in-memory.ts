import type { JsonRpcMessage } from '../protocol/jsonrpc.js';
import type { Outgoing, Transport, TransportHandlers } from '../protocol/transport.js';

/**
 * The client end of an in-memory pair. Shaped like the transports of MCP client libraries
 * (`start`, `send`, `close`, `onmessage`, `onclose`), so the official SDK's `Client` can use it.
 */
export interface InMemoryClientTransport {
  start(): Promise<void>;
  send(message: JsonRpcMessage | JsonRpcMessage[]): Promise<void>;
  close(): Promise<void>;
  onmessage?: (message: JsonRpcMessage) => void;
  onclose?: () => void;
  onerror?: (error: Error) => void;
}

/**
 * A server transport and a client transport joined in memory, for tests and for embedding a
 * server in the same process as its client. Messages are copied through JSON, as on a wire, and
 * delivered asynchronously, so neither side can rely on sharing objects or on synchronous delivery.
 *
 * @example
 * ```ts
 * const { server: serverSide, client: clientSide } = createInMemoryTransports();
 * await server.connect(serverSide);
 * await client.connect(clientSide); // e.g. the official SDK's Client
 * ```
 */
export function createInMemoryTransports(): { server: Transport; client: InMemoryClientTransport } {
  let handlers: TransportHandlers | undefined;
  const waiting: string[] = [];
  let closed = false;

  const closeBoth = () => {
    if (closed) return;
    closed = true;
    handlers?.close();
    client.onclose?.();
  };

  const server: Transport = {
    start(h) {
      handlers = h;
      for (const text of waiting.splice(0)) deliverToServer(text);
    },
    async send(message: Outgoing) {
      if (closed) return;
      const text = JSON.stringify(message);
      queueMicrotask(() => {
        if (closed) return;
        const decoded = JSON.parse(text) as JsonRpcMessage | JsonRpcMessage[];
        for (const one of Array.isArray(decoded) ? decoded : [decoded]) client.onmessage?.(one);
      });
    },
    async close() {
      closeBoth();
    },
  };

  const deliverToServer = (text: string) =>
    queueMicrotask(() => !closed && handlers?.message(JSON.parse(text)));

  const client: InMemoryClientTransport = {
    async start() {},
    async send(message) {
      if (closed) throw new Error('The in-memory transport is closed.');
      const text = JSON.stringify(message);
      if (handlers) deliverToServer(text);
      else waiting.push(text);
    },
    async close() {
      closeBoth();
    },
  };
  return { server, client };
}
