import type { Readable, Writable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { decodeJson, type Outgoing, type Transport, type TransportHandlers } from '../protocol/transport.js';

export interface StdioTransportOptions {
  /** Where messages come from. Default `process.stdin`. */
  input?: Readable;
  /** Where messages go. Default `process.stdout`; nothing else may write there. */
  output?: Writable;
}

/**
 * MCP over stdio (spec: "Transports", stdio): one JSON-RPC message per line, UTF-8, on stdin and
 * stdout. Logs belong on stderr; anything else written to stdout corrupts the stream.
 *
 * @example
 * ```ts
 * import { StdioTransport } from 'wharf-mcp/stdio';
 * await server.connect(new StdioTransport());
 * ```
 */
export class StdioTransport implements Transport {
  private readonly input: Readable;
  private readonly output: Writable;
  private handlers: TransportHandlers | undefined;
  private buffered = '';
  private readonly decoder = new StringDecoder('utf8');
  private closed = false;

  constructor(options: StdioTransportOptions = {}) {
    this.input = options.input ?? process.stdin;
    this.output = options.output ?? process.stdout;
  }

  start(handlers: TransportHandlers): void {
    this.handlers = handlers;
    this.input.on('data', this.onData);
    this.input.on('end', this.onEnd);
    this.input.on('error', this.onEnd);
    this.input.resume();
  }

  /** Writes one line; waits for 'drain' when the pipe is full, so a slow reader bounds memory. */
  send(message: Outgoing): Promise<void> {
    if (this.closed) return Promise.resolve();
    const line = `${JSON.stringify(message)}\n`;
    if (this.output.write(line)) return Promise.resolve();
    return new Promise((resolve) => this.output.once('drain', resolve));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.input.off('data', this.onData);
    this.input.off('end', this.onEnd);
    this.input.off('error', this.onEnd);
    this.input.pause();
    this.handlers?.close();
  }

  private readonly onData = (chunk: Buffer | string): void => {
    this.buffered += typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    let newline = this.buffered.indexOf('\n');
    while (newline !== -1) {
      const line = this.buffered.slice(0, newline).replace(/\r$/, '');
      this.buffered = this.buffered.slice(newline + 1);
      if (line.trim() !== '') this.deliver(line);
      newline = this.buffered.indexOf('\n');
    }
  };

  private readonly onEnd = (): void => this.close();

  private deliver(line: string): void {
    const decoded = decodeJson(line);
    if (decoded.ok) this.handlers?.message(decoded.value);
    else this.handlers?.malformed(decoded.detail);
  }
}
