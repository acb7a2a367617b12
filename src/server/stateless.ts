import { ErrorCode, type JsonRpcResponse, parseMessage, toErrorResponse } from '../protocol/jsonrpc.js';
import type { Outgoing } from '../protocol/transport.js';
import { featuresOf, type ProtocolVersion } from '../protocol/versions.js';
import { answerBatch } from './batch.js';
import { RequestContext } from './context.js';
import type { ServerCore } from './core.js';
import { answerRequest } from './dispatch.js';
import { negotiate } from './initialize.js';
import type { Delivery, RequestScope } from './scope.js';

/**
 * Answers a message that arrived with no session (stateless HTTP): each request stands alone, in
 * the version the client names, with nothing to remember afterwards. Nothing can reach the client
 * once the answer is sent, so handlers cannot ask it anything; `ctx.log`/`ctx.progress` travel only
 * when the transport gives the request a stream (`delivery.reply`). A cancellation would arrive on
 * another request, with no session to find this one, so notifications are accepted and dropped.
 */
export async function answerStateless(
  core: ServerCore,
  value: unknown,
  protocolVersion: ProtocolVersion,
  delivery: Delivery,
): Promise<Outgoing | undefined> {
  const scope: RequestScope = {
    protocolVersion,
    features: featuresOf(protocolVersion),
    sessionId: undefined,
    client: UNKNOWN_CLIENT,
    logLevel: undefined,
    delivery,
    send: delivery.reply,
    asker: undefined,
    session: undefined,
  };
  if (!Array.isArray(value)) return answerOne(core, value, scope);
  return answerBatch(value, protocolVersion, (one) => answerOne(core, one, scope), delivery.maxBatchLength);
}

async function answerOne(
  core: ServerCore,
  value: unknown,
  scope: RequestScope,
): Promise<JsonRpcResponse | undefined> {
  const parsed = parseMessage(value);
  if (parsed.kind === 'invalid') {
    return toErrorResponse(parsed.id, {
      code: ErrorCode.InvalidRequest,
      message: `Invalid request: ${parsed.reason}`,
    });
  }
  if (parsed.kind !== 'request') return undefined;
  const request = parsed.message;
  // A client may still initialize first: it learns the server's version and capabilities, nothing is kept.
  if (request.method === 'initialize') {
    return { jsonrpc: '2.0', id: request.id, result: negotiate(core, request.params ?? {}).result };
  }
  const meta = request.params?._meta as Record<string, unknown> | undefined;
  return answerRequest(core, new RequestContext(scope, request.id, meta), request);
}

/** A stateless request carries no client info or capabilities (until the 2026 era puts them in `_meta`). */
const UNKNOWN_CLIENT: RequestScope['client'] = { info: undefined, capabilities: {} };
