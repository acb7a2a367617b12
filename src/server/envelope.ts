import { describeValue, McpError } from '../protocol/errors.js';
import { ErrorCode } from '../protocol/jsonrpc.js';
import {
  type ClientCapabilities,
  type Implementation,
  LOGGING_LEVELS,
  type LoggingLevel,
  MetaKey,
} from '../protocol/types.js';
import { isPerRequestVersion, type PerRequestVersion, SUPPORTED_VERSIONS } from '../protocol/versions.js';
import { isObject } from './initialize.js';
import type { RequestScope } from './scope.js';

/**
 * What a 2026-07-28 request says about itself in `params._meta` (spec "General fields", per-request
 * protocol fields), read once before dispatch: the version (required), the client's capabilities
 * (required), its name (optional, display only) and the log level it wants (optional).
 */
export interface Envelope {
  readonly version: PerRequestVersion;
  readonly client: RequestScope['client'];
  readonly logLevel: LoggingLevel | undefined;
  readonly meta: Record<string, unknown>;
}

const REQUIRED = `"${MetaKey.protocolVersion}" and "${MetaKey.clientCapabilities}"`;

/**
 * Reads the envelope, or the error to answer with: -32602 when a required field is missing or
 * malformed (spec: such a request is malformed; on HTTP a 400), -32022 with the versions this server
 * speaks when it names one it does not ("Versioning", Protocol Version Negotiation).
 */
export function readEnvelope(params: Record<string, unknown> | undefined): Envelope | McpError {
  const meta = params?._meta;
  if (!isObject(meta)) {
    return McpError.invalidParams(
      `A protocol 2026-07-28 request carries params._meta with ${REQUIRED}, and this one has no _meta. Add them; or, to open a 2025 session, send initialize without them (over HTTP, without "MCP-Protocol-Version: 2026-07-28" too).`,
    );
  }
  const version = meta[MetaKey.protocolVersion];
  if (typeof version !== 'string') {
    return McpError.invalidParams(
      `params._meta needs "${MetaKey.protocolVersion}": the protocol revision of this request, e.g. "2026-07-28".`,
    );
  }
  if (!isPerRequestVersion(version)) return unsupportedVersion(version);
  const capabilities = meta[MetaKey.clientCapabilities];
  if (!isObject(capabilities)) {
    return McpError.invalidParams(
      `params._meta needs "${MetaKey.clientCapabilities}": an object of what the client supports for this request ({} for nothing optional).`,
    );
  }
  const logLevel = meta[MetaKey.logLevel];
  if (logLevel !== undefined && !LOGGING_LEVELS.includes(logLevel as LoggingLevel)) {
    return McpError.invalidParams(
      `Unknown log level ${describeValue(logLevel)} in "${MetaKey.logLevel}". Use one of: ${LOGGING_LEVELS.join(', ')}, or leave it out to get no log messages.`,
    );
  }
  // Self-reported and for display only (spec): a malformed one is ignored rather than refused.
  const info = meta[MetaKey.clientInfo];
  return {
    version,
    client: {
      info: isObject(info) ? (info as unknown as Implementation) : undefined,
      capabilities: capabilities as ClientCapabilities,
    },
    logLevel: logLevel as LoggingLevel | undefined,
    meta,
  };
}

/** The error for a version this server does not serve per request, naming every version it speaks. */
export function unsupportedVersion(requested: string): McpError {
  return new McpError(
    ErrorCode.UnsupportedProtocolVersion,
    `Unsupported protocol version ${describeValue(requested)}. This server speaks ${SUPPORTED_VERSIONS.join(', ')}: send 2026-07-28 in _meta (and MCP-Protocol-Version), or initialize a session for a 2025 revision.`,
    { supported: [...SUPPORTED_VERSIONS], requested },
  );
}
