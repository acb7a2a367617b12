/**
 * The one seam between HTTP and the app: a request/response pair that the Node binding implements
 * over IncomingMessage/ServerResponse (no Web objects) and the web binding over Request/Response.
 * Everything above it (routing, guards, MCP transports) is written once against this.
 */

import type { AuthOf, ServerEnv } from '../server/context.js';
import type { BodyRead } from './body.js';

/** Response headers; a list sends the header once per value (Set-Cookie). */
export type ResponseHeaders = Record<string, string | string[]>;

/**
 * An SSE response body. It holds at most the app's `maxStreamBufferBytes` for a client that does
 * not read: a write (or `end`) while more than that is still unsent closes the stream instead, and
 * drops what it held. One message always fits, however large.
 */
export interface EventStream {
  /**
   * Writes raw SSE text (or bytes). Resolves once accepted: at once, or, when the client lags, once
   * it reads again (the socket drains) or the stream closes or ends. Never rejects; every pending
   * write settles when the stream closes. A write on a closed stream is dropped.
   */
  write(chunk: string | Uint8Array): Promise<void>;
  /** Ends the stream, after a last chunk when given (one write instead of two). */
  end(last?: string | Uint8Array): void;
  /** True once the client went away, the stream overflowed its budget, or `end()` was called. */
  readonly closed: boolean;
}

/** `E` is the server's env: it types `auth`, which middleware sets and tools read as `ctx.auth`. */
export interface Exchange<E extends ServerEnv = ServerEnv> {
  readonly method: string;
  /** The path below the app's mount point, always starting with "/", no query. */
  readonly path: string;
  /** The raw query string without "?" ("" when none). */
  readonly query: string;
  /** The mount prefix the host stripped before us ("" standalone), e.g. Express `req.baseUrl`. */
  readonly basePath: string;
  /** A request header by lower-case name; repeated headers are joined with ", ". */
  header(name: string): string | undefined;
  /**
   * The request body, read once per request by whoever asks first (middleware, a custom route, MCP)
   * and kept: every call returns the same promise, so a middleware may read it and still call
   * `next()`. A body a host framework already read or parsed is used as it is. Bodies over the
   * app's `maxBodyBytes` are not read (`reason: 'too-large'`).
   *
   * @example
   * ```ts
   * const read = await request.body();
   * if (read.ok) console.log(read.body.text()); // also bytes() and json()
   * ```
   */
  body(): Promise<BodyRead>;
  /** The request's own object, for middleware and auth: IncomingMessage on Node, Request on fetch. */
  readonly raw: unknown;
  /**
   * What authentication established: set by middleware or found by a host adapter (e.g. Express
   * `req.auth`); tools read it as `ctx.auth`.
   */
  auth?: AuthOf<E> | undefined;
  /** The client's address (the socket's peer on Node); undefined when the binding cannot tell. */
  readonly remoteAddress: string | undefined;
  /** Whether the connection arrived on a loopback address; undefined when the binding cannot tell. */
  readonly loopback: boolean | undefined;
  /** Adds a header to whatever response this exchange sends (CORS, middleware). */
  setHeader(name: string, value: string): void;
  /** Aborts when the client disconnects before the response is complete. Created on first use. */
  readonly signal: AbortSignal;
  /** Sends a complete response. */
  respond(status: number, headers: ResponseHeaders, body?: string | Uint8Array): void;
  /**
   * Starts a streaming response (SSE). Headers go out at once, or with `lazy` along with the first
   * write (a POST answered by one event then costs one write, not three).
   */
  stream(status: number, headers: ResponseHeaders, options?: { lazy?: boolean }): EventStream;
  /** True once a response was started. */
  readonly answered: boolean;
  /** Runs `listener` once, when the client goes away or the response is complete. */
  onClose(listener: () => void): void;
}
