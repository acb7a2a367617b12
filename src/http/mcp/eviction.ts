/**
 * Eviction queues of HTTP sessions: Maps in longest-idle-first order (a Map keeps insertion order,
 * and a touch re-inserts), which `HttpSessions` keeps for the app and for each principal.
 */

/** What eviction needs to know of a session. */
export interface Evictable {
  readonly id: string;
  /** Requests in flight. */
  busy: number;
  /** Its GET (or legacy) stream, when one was opened. */
  sessionStream: { readonly connected: boolean } | undefined;
}

/** Whether a session may end to make room: nothing in flight and no open stream (GET, legacy or POST). */
export function isEvictable(live: Evictable): boolean {
  return live.busy === 0 && !live.sessionStream?.connected;
}

/** Moves a session to the most recently idle end of `queue`, or off it when it is not evictable. */
export function requeue<T extends Evictable>(queue: Map<string, T>, live: T, evictable: boolean): void {
  queue.delete(live.id);
  if (evictable) queue.set(live.id, live);
}

/**
 * Takes the longest-idle session of `queue` that is still evictable. Entries that became busy since
 * they were queued leave on the way (their next `touch()` queues them again), so each is passed once.
 */
export function takeEvictable<T extends Evictable>(queue: Map<string, T>): T | undefined {
  for (const [id, live] of queue) {
    queue.delete(id);
    if (isEvictable(live)) return live;
  }
  return undefined;
}
