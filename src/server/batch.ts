import { ErrorCode, type JsonRpcResponse, toErrorResponse } from '../protocol/jsonrpc.js';
import type { Outgoing } from '../protocol/transport.js';
import { featuresOf, type ProtocolVersion } from '../protocol/versions.js';

/**
 * Messages one batch may hold, where no transport option says otherwise (stdio, in memory); the
 * HTTP app refuses longer batches before they get here (`maxBatchLength`, the same default).
 */
export const DEFAULT_MAX_BATCH_LENGTH = 100;

/**
 * Answers a JSON-RPC batch: only protocol 2025-03-26 has them (added there, removed in 2025-06-18).
 * Every member is answered concurrently and the responses go back together; a batch of only
 * notifications gets nothing back. A batch longer than `maxLength` is refused whole, before any
 * member runs: all are answered at once and their answers held together, so its length is the
 * work and memory one message can demand.
 */
export async function answerBatch(
  values: unknown[],
  version: ProtocolVersion | undefined,
  answerOne: (value: unknown) => Promise<JsonRpcResponse | undefined>,
  maxLength = DEFAULT_MAX_BATCH_LENGTH,
): Promise<Outgoing | undefined> {
  if (values.length === 0) {
    return toErrorResponse(null, {
      code: ErrorCode.InvalidRequest,
      message: 'An empty array is not a valid JSON-RPC batch. Send at least one message.',
    });
  }
  if (values.length > maxLength) {
    return toErrorResponse(null, {
      code: ErrorCode.InvalidRequest,
      message: `A batch may hold at most ${maxLength} messages, and this one holds ${values.length}. Send it in smaller batches.`,
    });
  }
  if (!version || !featuresOf(version).batches) {
    return toErrorResponse(null, {
      code: ErrorCode.InvalidRequest,
      message: `JSON-RPC batches are allowed only in protocol version 2025-03-26, and this request speaks ${version ?? 'none yet (initialize must be sent on its own)'}. Send each message separately.`,
    });
  }
  const answers = await Promise.all(values.map(answerOne));
  const responses = answers.filter((answer): answer is JsonRpcResponse => answer !== undefined);
  return responses.length > 0 ? responses : undefined;
}
