/** A small keep-alive HTTP client on node:http, and an SSE parser. */
import { type Agent, type IncomingHttpHeaders, type IncomingMessage, request } from 'node:http';

export const TIMEOUT_MS = 10_000;

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** One request, the whole body read as text. Rejects on network error or after `TIMEOUT_MS`. */
export function send(
  agent: Agent,
  url: URL,
  method: string,
  headers: Record<string, string>,
  body?: string,
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      { agent, host: url.hostname, port: url.port, path: url.pathname + url.search, method, headers },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
        res.on('error', reject);
      },
    );
    req.setTimeout(TIMEOUT_MS, () => req.destroy(new Error(`timeout after ${TIMEOUT_MS} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** Opens a long-lived GET (an SSE stream) and hands back the response once headers arrive. */
export function openStream(agent: Agent, url: URL): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = request({ agent, host: url.hostname, port: url.port, path: url.pathname + url.search });
    req.setHeader('accept', 'text/event-stream');
    req.setTimeout(TIMEOUT_MS, () => req.destroy(new Error('stream open timeout')));
    req.on('response', (res) => {
      req.setTimeout(0);
      if (res.statusCode === 200) return resolve(res);
      res.resume();
      reject(new Error(`GET ${url.pathname}: HTTP ${res.statusCode}`));
    });
    req.on('error', reject);
    req.end();
  });
}

export interface SseEvent {
  event: string;
  data: string;
}

/** Feeds text chunks, emits whole events (`event:` defaults to "message"; `id:` etc. ignored). */
export class SseParser {
  private buffer = '';

  constructor(private readonly onEvent: (event: SseEvent) => void) {}

  feed(chunk: string): void {
    this.buffer += chunk.includes('\r') ? chunk.replace(/\r\n?/g, '\n') : chunk;
    let end = this.buffer.indexOf('\n\n');
    while (end !== -1) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      this.emit(block);
      end = this.buffer.indexOf('\n\n');
    }
  }

  private emit(block: string): void {
    let event = 'message';
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith('event:')) event = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(line.startsWith('data: ') ? 6 : 5));
    }
    if (data.length) this.onEvent({ event, data: data.join('\n') });
  }
}

/** Every SSE event in a complete body. */
export function parseSse(body: string): SseEvent[] {
  const events: SseEvent[] = [];
  const parser = new SseParser((e) => events.push(e));
  parser.feed(body.endsWith('\n\n') ? body : `${body}\n\n`);
  return events;
}
