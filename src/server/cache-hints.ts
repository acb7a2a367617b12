import { WharfError, WharfErrorCode } from '../protocol/errors.js';
import type { CacheHint } from '../protocol/types.js';

/**
 * Caching hints (2026-07-28, "Caching"): every cacheable result carries `ttlMs` and `cacheScope`.
 * They are set per server (`new McpServer({ cache })`), per list (a key of that option) and per
 * resource (`cache` in the resource's config), resolved and checked once, at construction or
 * registration, and spread into results as they are.
 */

/** What a hint applies to: `server/discover`, each list method, and `resources/read`. */
export type CacheTarget = 'discover' | 'tools' | 'prompts' | 'resources' | 'resourceTemplates' | 'read';

/** The `cache` option: a hint (or part of one) per target; what is left out keeps its default. */
export type CacheOptions = Partial<Record<CacheTarget, Partial<CacheHint>>>;

/**
 * The defaults. Lists and `server/discover` are the same for every caller (Wharf does not filter
 * them per user), so any cache may keep them, for a minute: a list that changes sooner is announced
 * on `subscriptions/listen` streams, which invalidate it. A resource's contents may depend on who
 * reads it (`ctx.auth`), so reads are private and stale at once unless the resource says otherwise.
 */
export const DEFAULT_CACHE_HINTS: Readonly<Record<CacheTarget, CacheHint>> = {
  discover: { ttlMs: 60_000, cacheScope: 'public' },
  tools: { ttlMs: 60_000, cacheScope: 'public' },
  prompts: { ttlMs: 60_000, cacheScope: 'public' },
  resources: { ttlMs: 60_000, cacheScope: 'public' },
  resourceTemplates: { ttlMs: 60_000, cacheScope: 'public' },
  read: { ttlMs: 0, cacheScope: 'private' },
};

const TARGETS = Object.keys(DEFAULT_CACHE_HINTS) as CacheTarget[];

/** The server's hints: the defaults with the `cache` option laid over them, each checked once. */
export function resolveCacheHints(
  options: CacheOptions | undefined,
): Readonly<Record<CacheTarget, CacheHint>> {
  if (options === undefined) return DEFAULT_CACHE_HINTS;
  for (const key of Object.keys(options)) {
    if (!TARGETS.includes(key as CacheTarget)) {
      throw new WharfError(
        WharfErrorCode.InvalidOption,
        `Option "cache" has no target "${key}". Use ${TARGETS.join(', ')}.`,
      );
    }
  }
  const resolved = {} as Record<CacheTarget, CacheHint>;
  for (const target of TARGETS) {
    resolved[target] = {
      ...DEFAULT_CACHE_HINTS[target],
      ...checkCacheHint(`cache.${target}`, options[target]),
    };
  }
  return resolved;
}

/**
 * Checks a hint (or part of one) given in options: `ttlMs` a non-negative integer (the schema's
 * `minimum: 0` integer), `cacheScope` "public" or "private". Returns only the fields given.
 */
export function checkCacheHint(label: string, hint: Partial<CacheHint> | undefined): Partial<CacheHint> {
  if (hint === undefined) return {};
  const { ttlMs, cacheScope } = hint;
  if (ttlMs !== undefined && !(Number.isSafeInteger(ttlMs) && ttlMs >= 0)) {
    throw new WharfError(
      WharfErrorCode.InvalidOption,
      `${label}.ttlMs must be a whole number of milliseconds, 0 or more (got ${String(ttlMs)}); 0 means "stale at once".`,
    );
  }
  if (cacheScope !== undefined && cacheScope !== 'public' && cacheScope !== 'private') {
    throw new WharfError(
      WharfErrorCode.InvalidOption,
      `${label}.cacheScope must be "public" (any cache may keep it) or "private" (only the caller's own), got ${JSON.stringify(cacheScope)}.`,
    );
  }
  const checked: Partial<CacheHint> = {};
  if (ttlMs !== undefined) checked.ttlMs = ttlMs;
  if (cacheScope !== undefined) checked.cacheScope = cacheScope;
  return checked;
}
