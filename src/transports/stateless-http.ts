import { containsRequest, isInitializeRequest } from '../http/body.js';
import type { Exchange } from '../http/exchange.js';
import { respondJson } from '../http/respond.js';
import { SSE_HEADERS, SseChannel } from '../http/sse.js';
import type { JsonRpcMessage } from '../protocol/jsonrpc.js';
import { isSupportedVersion } from '../protocol/versions.js';
import type { BaseMcpServer } from '../server/mcp-server.js';
import { RequestExtra } from './request-extra.js';

/**
 * Stateless Streamable HTTP: every POST stands alone, on a session that lives for that request.
 * Nothing can reach the client after the answer, so server-to-client requests fail at once.
 */
export async function answerStateless(
  server: BaseMcpServer,
  exchange: Exchange,
  value: unknown,
  mode: 'json' | 'sse',
): Promise<void> {
  const session = server.createSession({ stateless: true, send: () => undefined });
  const state = session.state;
  // No initialize reaches this session: it speaks the version the client names (spec default 2025-03-26).
  const version = exchange.header('mcp-protocol-version');
  if (!isInitializeRequest(value)) {
    state.initialized = true;
    state.protocolVersion = isSupportedVersion(version) ? version : '2025-03-26';
  }
  const extra = new RequestExtra(exchange);
  extra.followsConnection = true;
  try {
    if (mode === 'json') {
      const answer = await session.handle(value, extra);
      if (answer) respondJson(exchange, containsRequest(value) ? 200 : 400, answer);
      else exchange.respond(202, {});
      return;
    }
    if (!containsRequest(value)) {
      const refusal = await session.handle(value, extra);
      if (refusal) respondJson(exchange, 400, refusal);
      else exchange.respond(202, {});
      return;
    }
    const channel = new SseChannel('', exchange.stream(200, SSE_HEADERS, { lazy: true }), undefined);
    extra.reply = (message: JsonRpcMessage) => channel.send(message);
    await channel.finish(await session.handle(value, extra));
  } finally {
    session.close();
  }
}
