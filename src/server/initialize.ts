import type { ClientCapabilities, Implementation, ServerCapabilities } from '../protocol/types.js';
import { negotiateVersion, type ProtocolVersion } from '../protocol/versions.js';
import type { ServerCore } from './core.js';
import { shapeImplementation } from './shape.js';

/** What `initialize` settles for a session: plain data, so a session store can keep it. */
export interface Negotiated {
  protocolVersion: ProtocolVersion;
  clientInfo: Implementation | undefined;
  clientCapabilities: ClientCapabilities;
  /** What the session was offered (capabilities do not change during a session). */
  serverCapabilities: ServerCapabilities;
}

/** Negotiates from `initialize` params (Lifecycle, "Initialization") and builds the result to send. */
export function negotiate(
  core: ServerCore,
  params: Record<string, unknown>,
): { negotiated: Negotiated; result: Record<string, unknown> } {
  const protocolVersion = negotiateVersion(params.protocolVersion);
  const serverCapabilities = core.capabilities(protocolVersion);
  const negotiated: Negotiated = {
    protocolVersion,
    clientInfo: isObject(params.clientInfo) ? (params.clientInfo as unknown as Implementation) : undefined,
    clientCapabilities: isObject(params.capabilities) ? (params.capabilities as ClientCapabilities) : {},
    serverCapabilities,
  };
  const result: Record<string, unknown> = {
    protocolVersion,
    capabilities: serverCapabilities,
    serverInfo: shapeImplementation(core.info, protocolVersion),
  };
  if (core.options.instructions !== undefined) result.instructions = core.options.instructions;
  return { negotiated, result };
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
