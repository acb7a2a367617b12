/**
 * Protocol revisions Wharf speaks and what each one allows. One table, read by the dispatcher and by
 * the shaping of list results, so a feature's era is decided in one place.
 */

export const SUPPORTED_VERSIONS = ['2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05'] as const;
export type ProtocolVersion = (typeof SUPPORTED_VERSIONS)[number];
export const LATEST_VERSION: ProtocolVersion = SUPPORTED_VERSIONS[0];

export function isSupportedVersion(value: unknown): value is ProtocolVersion {
  return typeof value === 'string' && (SUPPORTED_VERSIONS as readonly string[]).includes(value);
}

/**
 * Lifecycle, "Version Negotiation": answer with the client's version when we support it, else with
 * the latest we support (the client then decides whether to disconnect).
 */
export function negotiateVersion(requested: unknown): ProtocolVersion {
  return isSupportedVersion(requested) ? requested : LATEST_VERSION;
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
}

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
  },
};

export function featuresOf(version: ProtocolVersion): VersionFeatures {
  return FEATURES[version];
}
