import type { McpError } from '../../protocol/errors.js';
import type { BaseMcpServer } from '../../server/base-server.js';
import type { ResolvedOptions } from '../options.js';
import type { RouteTable } from '../route-table.js';
import { LegacySseTransport } from './legacy-sse.js';
import { HttpSessions } from './sessions.js';
import { StreamableHttpTransport } from './streamable-http.js';

/** MCP over HTTP as the app runs it: the sessions its routes share, and their upkeep. */
export interface McpEndpoints {
  /** Starts SSE keep-alive comments on every open stream (once; after the first request). */
  startKeepAlive(): void;
  /** Answers every call still running with `error` (shutting down, after the grace period). */
  interrupt(error: McpError): void;
  /** Ends every session (so their streams end) and stops the timers. */
  close(): void;
}

/**
 * Adds the MCP routes to the app's table: Streamable HTTP (POST, GET, DELETE; POST only when
 * stateless, which has no stream to open and no session to end) and the legacy HTTP+SSE pair.
 */
export function addMcpRoutes(
  table: RouteTable,
  server: BaseMcpServer,
  config: ResolvedOptions,
): McpEndpoints {
  const sessions = new HttpSessions(
    server,
    {
      idleMs: config.sessionIdleMs,
      maxSessions: config.maxSessions,
      maxSessionsPerPrincipal: config.maxSessionsPerPrincipal,
    },
    config.principalOf,
  );
  const streamable = new StreamableHttpTransport(server, sessions, {
    jsonResponse: config.jsonResponse,
    stateless: config.stateless,
    eventStore: config.eventStore,
    retryMs: config.retryMs,
    maxBodyBytes: config.maxBodyBytes,
    maxBatchLength: config.maxBatchLength,
    principalOf: config.principalOf,
  });
  // A stateless endpoint has no stream to open and no session to end: its 405 for GET and DELETE
  // names why, through the label.
  const label = config.stateless ? 'this stateless MCP endpoint' : 'the MCP endpoint';
  const builtIn = { builtIn: true, label };
  table.add('POST', config.mcpPath, (exchange) => streamable.post(exchange), builtIn);
  if (!config.stateless) {
    table.add('GET', config.mcpPath, (exchange) => streamable.get(exchange), builtIn);
    table.add('DELETE', config.mcpPath, (exchange) => streamable.delete(exchange), builtIn);
  }
  if (config.ssePath && config.messagesPath) {
    const legacy = new LegacySseTransport(sessions, {
      ssePath: config.ssePath,
      messagesPath: config.messagesPath,
      maxBodyBytes: config.maxBodyBytes,
      maxBatchLength: config.maxBatchLength,
      publicUrl: config.publicUrl,
    });
    table.add('GET', config.ssePath, (exchange) => legacy.openStream(exchange), {
      builtIn: true,
      label: 'the SSE endpoint',
    });
    table.add('POST', config.messagesPath, (exchange) => legacy.post(exchange), {
      builtIn: true,
      label: 'the messages endpoint',
    });
  }

  let keepAlive: ReturnType<typeof setInterval> | undefined;
  return {
    startKeepAlive() {
      // Stateless too: a 2026-07-28 subscriptions/listen stream is long-lived in every mode.
      if (keepAlive || config.keepAliveMs === 0) return;
      keepAlive = setInterval(() => {
        for (const live of sessions.values()) live.sessionStream?.keepAlive();
        for (const channel of sessions.channels.values()) channel.keepAlive();
        streamable.perRequest.keepAlive();
      }, config.keepAliveMs);
      // Keep-alives alone must not keep a process alive.
      (keepAlive as { unref?: () => void }).unref?.();
    },
    interrupt(error) {
      sessions.interrupt(error);
    },
    close() {
      if (keepAlive) clearInterval(keepAlive);
      keepAlive = undefined;
      streamable.perRequest.close();
      sessions.closeAll();
    },
  };
}
