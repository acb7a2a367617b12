import type { Exchange } from './exchange.js';

export function respondJson(
  exchange: Exchange,
  status: number,
  value: unknown,
  headers?: Record<string, string>,
): void {
  exchange.respond(status, { 'content-type': 'application/json', ...headers }, JSON.stringify(value));
}

/**
 * Does an Accept header allow this media type? A missing header allows anything; a range with
 * `q=0` rules its types out (RFC 9110, 12.5.1), even when a wildcard would allow them.
 */
export function accepts(accept: string | undefined, type: 'application/json' | 'text/event-stream'): boolean {
  if (accept === undefined || accept === '') return true;
  // Clients send the same Accept on every request: remember the last answers (a hot path).
  const cache = type === 'application/json' ? jsonCache : sseCache;
  if (cache.accept === accept) return cache.result;
  const result = parseAccepts(accept, type);
  cache.accept = accept;
  cache.result = result;
  return result;
}

const jsonCache = { accept: '', result: false };
const sseCache = { accept: '', result: false };

function parseAccepts(accept: string, type: string): boolean {
  const major = type.slice(0, type.indexOf('/'));
  let best = -1;
  let bestQuality = 0;
  for (const part of accept.split(',')) {
    const [rangePart, ...params] = part.split(';');
    const range = rangePart!.trim().toLowerCase();
    const specificity = range === type ? 2 : range === `${major}/*` ? 1 : range === '*/*' ? 0 : -1;
    if (specificity <= best) continue;
    best = specificity;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    bestQuality = q === undefined ? 1 : Number(q.slice(2));
  }
  return best >= 0 && bestQuality > 0;
}

/** Is the request body declared as JSON? (`application/json`, with any parameters.) */
export function isJsonContentType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const media = contentType.split(';')[0]!.trim().toLowerCase();
  return media === 'application/json' || (media.startsWith('application/') && media.endsWith('+json'));
}
