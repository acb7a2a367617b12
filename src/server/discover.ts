import { SUPPORTED_VERSIONS } from '../protocol/versions.js';
import type { RequestContext } from './context.js';
import type { ServerCore } from './core.js';

/**
 * `server/discover` (2026-07-28, "Discovery"): the versions this server speaks, its capabilities and
 * instructions, cacheable like a list. `supportedVersions` names the 2025 revisions too: a client
 * that speaks only those opens a session with `initialize` on the same endpoint (a dual-era server,
 * "Versioning", Backward Compatibility). The server's identity goes in `_meta`, as on every 2026 result.
 */
export function answerDiscover(core: ServerCore, ctx: RequestContext): object {
  const result: Record<string, unknown> = {
    supportedVersions: SUPPORTED_VERSIONS,
    capabilities: core.capabilities(ctx.protocolVersion),
  };
  const instructions = core.options.instructions;
  if (instructions !== undefined) result.instructions = instructions;
  return Object.assign(result, core.cacheHints.discover);
}
