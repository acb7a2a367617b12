import type { EventStore } from '../../stores/event-store.js';
import type { EventStream } from '../exchange.js';
import type { HttpSession, HttpSessions } from './sessions.js';
import { type SseChannel, sseEvent } from './sse.js';

/**
 * A GET with `Last-Event-ID` (spec "Resumability and Redelivery"): continues the stream that event
 * belongs to on this connection when it is still running, else replays what the store kept of it
 * after that event and ends.
 */
export async function resumeStream(
  connection: EventStream,
  lastEventId: string,
  live: HttpSession,
  sessions: HttpSessions,
  store: EventStore,
): Promise<void> {
  const channel = runningStreamOf(lastEventId, live, sessions);
  if (channel && !channel.finished) {
    await channel.resume(connection, lastEventId);
    return;
  }
  await store.replayAfter(lastEventId, (id, message) =>
    connection.write(sseEvent(JSON.stringify(message), id)),
  );
  connection.end();
}

/** The stream still running that an event id belongs to: its id is a prefix of the event id. */
function runningStreamOf(eventId: string, live: HttpSession, sessions: HttpSessions): SseChannel | undefined {
  for (let dot = eventId.lastIndexOf('.'); dot > 0; dot = eventId.lastIndexOf('.', dot - 1)) {
    const streamId = eventId.slice(0, dot);
    const channel = sessions.channels.get(streamId);
    if (channel) return channel;
    if (live.sessionStream?.streamId === streamId) return live.sessionStream;
  }
  return undefined;
}
