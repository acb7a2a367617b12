import type { JsonRpcMessage } from '../../protocol/jsonrpc.js';
import { isSupportedVersion } from '../../protocol/versions.js';
import type { BaseMcpServer } from '../../server/base-server.js';
import type { Exchange } from '../exchange.js';
import { respondJson } from '../respond.js';
import { HttpDelivery } from './delivery.js';
import { type PostedMessage, refuseBatchOutOfEra } from './message.js';
import { SSE_HEADERS, SseChannel } from './sse.js';

/**
 * Stateless Streamable HTTP: every POST stands alone, answered with no session at all
 * (`server.handleStateless`) in the version the client names. Nothing can reach the client after
 * the answer, so server-to-client requests fail at once.
 */
export async function answerStateless(
  server: BaseMcpServer,
  exchange: Exchange,
  message: PostedMessage,
  mode: 'json' | 'sse',
): Promise<void> {
  // Spec (Streamable HTTP, "Protocol Version Header"): no header means 2025-03-26.
  const header = exchange.header('mcp-protocol-version');
  const version = isSupportedVersion(header) ? header : '2025-03-26';
  if (refuseBatchOutOfEra(exchange, message, version)) return;
  const delivery = new HttpDelivery(exchange);
  delivery.followsConnection = true;
  if (mode === 'json' || !message.hasRequest) {
    const answer = await server.handleStateless(message.value, version, delivery);
    if (answer) respondJson(exchange, message.hasRequest ? 200 : 400, answer);
    else exchange.respond(202, {});
    return;
  }
  const channel = new SseChannel('', exchange.stream(200, SSE_HEADERS, { lazy: true }), undefined);
  delivery.reply = (outgoing: JsonRpcMessage) => channel.send(outgoing);
  await channel.finish(await server.handleStateless(message.value, version, delivery));
}
