import type { JsonRpcMessage } from '../../protocol/jsonrpc.js';
import { isSupportedVersion } from '../../protocol/versions.js';
import type { BaseMcpServer } from '../../server/mcp-server.js';
import type { Exchange } from '../exchange.js';
import { respondJson } from '../respond.js';
import type { PostedMessage } from './message.js';
import { RequestExtra } from './request-extra.js';
import { SSE_HEADERS, SseChannel } from './sse.js';

/**
 * Stateless Streamable HTTP: every POST stands alone, on a session that lives for that request.
 * Nothing can reach the client after the answer, so server-to-client requests fail at once.
 */
export async function answerStateless(
  server: BaseMcpServer,
  exchange: Exchange,
  message: PostedMessage,
  mode: 'json' | 'sse',
): Promise<void> {
  const session = server.createSession({ stateless: true, send: () => undefined });
  const state = session.state;
  // No initialize reaches this session: it speaks the version the client names (spec default 2025-03-26).
  const version = exchange.header('mcp-protocol-version');
  const value = message.value;
  if (!message.opensSession) {
    state.initialized = true;
    state.protocolVersion = isSupportedVersion(version) ? version : '2025-03-26';
  }
  const extra = new RequestExtra(exchange);
  extra.followsConnection = true;
  try {
    if (mode === 'json') {
      const answer = await session.handle(value, extra);
      if (answer) respondJson(exchange, message.hasRequest ? 200 : 400, answer);
      else exchange.respond(202, {});
      return;
    }
    if (!message.hasRequest) {
      const refusal = await session.handle(value, extra);
      if (refusal) respondJson(exchange, 400, refusal);
      else exchange.respond(202, {});
      return;
    }
    const channel = new SseChannel('', exchange.stream(200, SSE_HEADERS, { lazy: true }), undefined);
    extra.reply = (outgoing: JsonRpcMessage) => channel.send(outgoing);
    await channel.finish(await session.handle(value, extra));
  } finally {
    session.close();
  }
}
