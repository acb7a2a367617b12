import type { EventStore } from '../../stores/event-store.js';
import type { EventStream } from '../exchange.js';
import type { LiveSession, SessionTable } from './sessions.js';
import { type SseChannel, sseEvent } from './sse.js';

/**
 * A GET with `Last-Event-ID` (spec "Resumability and Redelivery"): continues the stream that event
 * belongs to on this connection when it is still running, else replays what the store kept of it
 * after that event and ends.
 */
export async function resumeStream(
  connection: EventStream,
  lastEventId: string,
  live: LiveSession,
  sessions: SessionTable,
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
function runningStreamOf(eventId: string, live: LiveSession, sessions: SessionTable): SseChannel | undefined {
  for (let dot = eventId.lastIndexOf('.'); dot > 0; dot = eventId.lastIndexOf('.', dot - 1)) {
    const streamId = eventId.slice(0, dot);
    const channel = sessions.channels.get(streamId);
    if (channel) return channel;
    if (live.standalone?.streamId === streamId) return live.standalone;
  }
  return undefined;
}
