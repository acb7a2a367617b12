import { ErrorCode } from './jsonrpc.js';
import { MetaKey } from './types.js';

/**
 * Protocol revisions Wharf speaks and what each one allows. One table, read by the dispatcher and by
 * the shaping of results, so a feature's era is decided in one place: code asks `featuresOf(version)`,
 * never compares version strings.
 */

/** The revisions with sessions, newest first: what `initialize` negotiates (Lifecycle, 2024-11-05 to 2025-11-25). */
export const SESSION_VERSIONS = ['2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05'] as const;
/**
 * The revisions served per request (2026-07-28, "Versioning"): no `initialize`, no session; each
 * request names its version, client and capabilities in `_meta`. Never negotiated by `initialize`.
 */
export const PER_REQUEST_VERSIONS = ['2026-07-28'] as const;

export type SessionVersion = (typeof SESSION_VERSIONS)[number];
export type PerRequestVersion = (typeof PER_REQUEST_VERSIONS)[number];
export type ProtocolVersion = SessionVersion | PerRequestVersion;

/**
 * Every revision this server speaks, newest first: what `server/discover` advertises and an
 * `UnsupportedProtocolVersion` error lists.
 */
export const SUPPORTED_VERSIONS: readonly ProtocolVersion[] = [...PER_REQUEST_VERSIONS, ...SESSION_VERSIONS];

/** The newest revision `initialize` negotiates (the newest with sessions). */
export const LATEST_VERSION: SessionVersion = SESSION_VERSIONS[0];

export function isSupportedVersion(value: unknown): value is ProtocolVersion {
  return isSessionVersion(value) || isPerRequestVersion(value);
}

export function isSessionVersion(value: unknown): value is SessionVersion {
  return typeof value === 'string' && (SESSION_VERSIONS as readonly string[]).includes(value);
}

export function isPerRequestVersion(value: unknown): value is PerRequestVersion {
  return typeof value === 'string' && (PER_REQUEST_VERSIONS as readonly string[]).includes(value);
}

/**
 * Lifecycle, "Version Negotiation": answer with the client's version when we support it, else with
 * the latest we support (the client then decides whether to disconnect). Only revisions with
 * sessions: a 2025 client asking `initialize` for 2026-07-28 gets the latest of those.
 */
export function negotiateVersion(requested: unknown): SessionVersion {
  return isSessionVersion(requested) ? requested : LATEST_VERSION;
}

/**
 * The version a message claims in `params._meta["io.modelcontextprotocol/protocolVersion"]`, when
 * that makes it a per-request message: any value but a session revision (an unknown or malformed
 * one is the per-request path's to refuse, with the versions this server speaks). `undefined` when
 * the message claims nothing, or a session revision (2025 traffic that happens to carry the key).
 * A few property reads: transports call it on every message to route it.
 */
export function perRequestClaim(message: unknown): unknown {
  if (typeof message !== 'object' || message === null) return undefined;
  const params = (message as { params?: unknown }).params;
  if (typeof params !== 'object' || params === null) return undefined;
  const meta = (params as { _meta?: unknown })._meta;
  if (typeof meta !== 'object' || meta === null) return undefined;
  const claim = (meta as Record<string, unknown>)[MetaKey.protocolVersion];
  return claim === undefined || isSessionVersion(claim) ? undefined : claim;
}

export interface VersionFeatures {
  /** JSON-RPC batches (added in 2025-03-26, removed in 2025-06-18). */
  batches: boolean;
  /** Tool annotations, audio content, `completions` capability, progress `message`. */
  toolAnnotations: boolean;
  audioContent: boolean;
  completionsCapability: boolean;
  progressMessage: boolean;
  /** `title`, `outputSchema`/`structuredContent`, `_meta` on definitions, resource links, elicitation. */
  titles: boolean;
  structuredContent: boolean;
  resourceLinks: boolean;
  elicitation: boolean;
  /** `icons` on tools, resources, prompts and implementation info; URL-mode elicitation. */
  icons: boolean;
  urlElicitation: boolean;
  /** Arguments that fail a tool's input schema are a tool result (`isError`), not a JSON-RPC error. */
  inputErrorsAsToolResults: boolean;
  /** SSE streams open with a priming event (an id, no data) and may be closed for the client to resume. */
  primingEvents: boolean;
  /**
   * 2026-07-28: no session; version, client info, capabilities and log level come in each request's
   * `_meta`. `server/discover` and `subscriptions/listen` exist; `initialize`, `ping`,
   * `logging/setLevel` and `resources/(un)subscribe` do not; nothing is sent as a request to the client.
   */
  perRequest: boolean;
  /** Every result carries `resultType` and `_meta["io.modelcontextprotocol/serverInfo"]`. */
  resultType: boolean;
  /** The cacheable results (lists, `resources/read`, `server/discover`) carry `ttlMs` and `cacheScope`. */
  cacheHints: boolean;
  /** `notifications/message` only for a request that named a log level in its `_meta`, never otherwise. */
  logOnlyWithLevel: boolean;
  /** The JSON-RPC code for a resource that does not exist: -32002 through 2025-11-25, -32602 after. */
  resourceNotFoundCode: number;
}

/** What the session revisions share beyond their own rows: none of the per-request era's rules. */
const SESSION_ERA = {
  perRequest: false,
  resultType: false,
  cacheHints: false,
  logOnlyWithLevel: false,
  resourceNotFoundCode: ErrorCode.ResourceNotFound,
} as const;

const FEATURES: Record<ProtocolVersion, VersionFeatures> = {
  '2024-11-05': {
    batches: false,
    toolAnnotations: false,
    audioContent: false,
    completionsCapability: false,
    progressMessage: false,
    titles: false,
    structuredContent: false,
    resourceLinks: false,
    elicitation: false,
    icons: false,
    urlElicitation: false,
    inputErrorsAsToolResults: false,
    primingEvents: false,
    ...SESSION_ERA,
  },
  '2025-03-26': {
    batches: true,
    toolAnnotations: true,
    audioContent: true,
    completionsCapability: true,
    progressMessage: true,
    titles: false,
    structuredContent: false,
    resourceLinks: false,
    elicitation: false,
    icons: false,
    urlElicitation: false,
    inputErrorsAsToolResults: false,
    primingEvents: false,
    ...SESSION_ERA,
  },
  '2025-06-18': {
    batches: false,
    toolAnnotations: true,
    audioContent: true,
    completionsCapability: true,
    progressMessage: true,
    titles: true,
    structuredContent: true,
    resourceLinks: true,
    elicitation: true,
    icons: false,
    urlElicitation: false,
    inputErrorsAsToolResults: false,
    primingEvents: false,
    ...SESSION_ERA,
  },
  '2025-11-25': {
    batches: false,
    toolAnnotations: true,
    audioContent: true,
    completionsCapability: true,
    progressMessage: true,
    titles: true,
    structuredContent: true,
    resourceLinks: true,
    elicitation: true,
    icons: true,
    urlElicitation: true,
    inputErrorsAsToolResults: true,
    primingEvents: true,
    ...SESSION_ERA,
  },
  '2026-07-28': {
    batches: false,
    toolAnnotations: true,
    audioContent: true,
    completionsCapability: true,
    progressMessage: true,
    titles: true,
    structuredContent: true,
    resourceLinks: true,
    elicitation: true,
    icons: true,
    urlElicitation: true,
    inputErrorsAsToolResults: true,
    // Streams are not resumable in 2026-07-28 (no Last-Event-ID, no event ids).
    primingEvents: false,
    perRequest: true,
    resultType: true,
    cacheHints: true,
    logOnlyWithLevel: true,
    resourceNotFoundCode: ErrorCode.InvalidParams,
  },
};

export function featuresOf(version: ProtocolVersion): VersionFeatures {
  return FEATURES[version];
}
