import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WharfError, WharfErrorCode } from '../protocol/errors.js';

/** Options of `app.listen()`. Timeouts are in milliseconds; Node's own defaults hold a slow client for minutes. */
export interface ListenOptions {
  /** Default: any free port. */
  port?: number;
  /** Default 127.0.0.1 (this machine only). */
  host?: string;
  /**
   * On SIGTERM or SIGINT, close the app as `app.close()` does (calls in flight get `shutdownGraceMs`),
   * then raise the signal again, so the process ends as it would have. Default true; `false` leaves
   * signals to you.
   */
  handleSignals?: boolean;
  /**
   * How long a client may take to send a request's headers, from its first byte (and a new
   * connection, to send that byte), before it gets 408 and is cut off. Default 10,000; 0 turns it off.
   */
  headersTimeout?: number;
  /**
   * How long a client may take to send a whole request, headers and body. It bounds receiving the
   * request only, never the answer: an SSE stream may run for hours. Default 30,000; 0 turns it off.
   */
  requestTimeout?: number;
  /** How long an idle keep-alive connection stays open. Default 5,000 (0 is refused: forever). */
  keepAliveTimeout?: number;
  /**
   * How often Node looks for requests past `headersTimeout` or `requestTimeout` (so one is cut off
   * up to this much later). Default 1,000 (Node's own is 30,000).
   */
  connectionsCheckingInterval?: number;
}

interface Timeouts {
  headersTimeout: number;
  requestTimeout: number;
  keepAliveTimeout: number;
  connectionsCheckingInterval: number;
}

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/**
 * The app's own HTTP server, for `app.listen()` (like uvicorn): started once, closed with the app.
 * As the app owns the process then, it also answers SIGTERM and SIGINT with a graceful close.
 */
export class StandaloneServer {
  private server: Server | undefined;
  private onSignal: ((signal: NodeJS.Signals) => void) | undefined;

  /** Listens on `host` (default 127.0.0.1) and `port` (default: any free one); resolves with the MCP URL. */
  async listen(
    handler: (req: IncomingMessage, res: ServerResponse) => void,
    options: ListenOptions,
    mcpPath: string,
  ): Promise<{ port: number; host: string; url: string }> {
    const host = options.host ?? '127.0.0.1';
    const timeouts = resolveTimeouts(options);
    const server = createServer(
      {
        headersTimeout: timeouts.headersTimeout,
        requestTimeout: timeouts.requestTimeout,
        connectionsCheckingInterval: timeouts.connectionsCheckingInterval,
      },
      handler,
    );
    server.keepAliveTimeout = timeouts.keepAliveTimeout;
    // Node's headersTimeout starts at a request's first byte: a connection that never sends one
    // would be held forever. One timer per connection (not per request), dropped once it fires; the
    // check waits for this turn's reads (setImmediate), so bytes that came in meanwhile count.
    if (timeouts.headersTimeout > 0) {
      server.on('connection', (socket: Socket) => {
        const silent = () => {
          if (socket.bytesRead === 0) socket.destroy();
        };
        setTimeout(() => setImmediate(silent), timeouts.headersTimeout).unref();
      });
    }
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => resolve());
    });
    this.server = server;
    const { port } = server.address() as AddressInfo;
    const shown = host.includes(':') ? `[${host}]` : host;
    return { port, host, url: `http://${shown}:${port}${mcpPath === '/' ? '' : mcpPath}` };
  }

  /**
   * Runs `close` on SIGTERM or SIGINT, then raises the signal again with the handlers gone (`close`
   * removes them, through `ignoreSignals()`), so the process ends as it would have: by the signal.
   * One listener per signal and app, whatever the number of calls.
   */
  closeOnSignals(close: () => Promise<void>): void {
    if (this.onSignal) return;
    const onSignal = (signal: NodeJS.Signals) => {
      const raise = () => {
        this.ignoreSignals();
        process.kill(process.pid, signal);
      };
      // A second signal while closing finds the same close; the grace period bounds the wait.
      close().then(raise, raise);
    };
    this.onSignal = onSignal;
    for (const signal of SIGNALS) process.on(signal, onSignal);
  }

  /** Removes the signal handlers, if any. */
  ignoreSignals(): void {
    const onSignal = this.onSignal;
    this.onSignal = undefined;
    if (onSignal) for (const signal of SIGNALS) process.off(signal, onSignal);
  }

  /**
   * Stops listening and drops the connections left. The app has ended every response of its own
   * by now, so what remains is idle keep-alive connections and whatever a client stopped reading.
   */
  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }
}

function resolveTimeouts(options: ListenOptions): Timeouts {
  const timeouts: Timeouts = {
    headersTimeout: milliseconds('headersTimeout', options.headersTimeout, 10_000, true),
    requestTimeout: milliseconds('requestTimeout', options.requestTimeout, 30_000, true),
    keepAliveTimeout: milliseconds('keepAliveTimeout', options.keepAliveTimeout, 5_000, false),
    connectionsCheckingInterval: milliseconds(
      'connectionsCheckingInterval',
      options.connectionsCheckingInterval,
      1_000,
      false,
    ),
  };
  const { headersTimeout, requestTimeout } = timeouts;
  // Node refuses the pair otherwise: the headers are part of the request.
  if (requestTimeout > 0 && headersTimeout > requestTimeout) {
    throw new WharfError(
      WharfErrorCode.InvalidOption,
      `listen(): headersTimeout (${headersTimeout}) must not exceed requestTimeout (${requestTimeout}). Lower headersTimeout or raise requestTimeout.`,
    );
  }
  return timeouts;
}

function milliseconds(name: string, value: number | undefined, fallback: number, allowZero: boolean): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 0 || (!allowZero && value === 0)) {
    throw new WharfError(
      WharfErrorCode.InvalidOption,
      `listen(): "${name}" must be a whole number of milliseconds${allowZero ? ' (0 turns it off)' : ' above 0'} (got ${value}).`,
    );
  }
  return value;
}
