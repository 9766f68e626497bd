// A small parser for text/event-stream (the WHATWG rules, as much as the
// project watch uses): EventSource cannot send the Authorization header,
// so the stream is read with fetch and parsed here.

/** One dispatched server-sent event. */
export interface ServerSentEvent {
  /** The `event:` field; "message" when the event named none. */
  event: string;
  /** The `data:` lines joined with newlines. */
  data: string;
  id?: string;
}

/** Feeds chunks of a stream in, gets whole events out; keeps a partial line or event between chunks. */
export class SSEParser {
  private buffer = "";
  private eventType = "";
  private data: string[] = [];
  private lastId: string | undefined;
  private sawCarriageReturn = false;

  /** Parses a chunk of text and returns the events it completes. */
  push(chunk: string): ServerSentEvent[] {
    let text = chunk;
    // A \r\n split across two chunks: the \n belongs to the \r already taken as a line end.
    if (this.sawCarriageReturn && text.startsWith("\n")) text = text.slice(1);
    this.sawCarriageReturn = text.endsWith("\r");
    this.buffer += text;
    const events: ServerSentEvent[] = [];
    const lines = this.buffer.split(/\r\n|\r|\n/);
    this.buffer = lines.pop() ?? "";
    for (const line of lines) {
      const event = this.line(line);
      if (event !== undefined) events.push(event);
    }
    return events;
  }

  /** Handles one line; an empty line dispatches the event collected so far. */
  private line(line: string): ServerSentEvent | undefined {
    if (line === "") return this.dispatch();
    if (line.startsWith(":")) return undefined; // a comment: heartbeats
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "event") this.eventType = value;
    else if (field === "data") this.data.push(value);
    else if (field === "id" && !value.includes("\0")) this.lastId = value;
    return undefined;
  }

  private dispatch(): ServerSentEvent | undefined {
    const hasData = this.data.length > 0;
    const event: ServerSentEvent = { event: this.eventType === "" ? "message" : this.eventType, data: this.data.join("\n"), ...(this.lastId === undefined ? {} : { id: this.lastId }) };
    this.eventType = "";
    this.data = [];
    return hasData ? event : undefined;
  }
}

/** The wait before reconnect attempt `attempt` (0-based): doubling from base, capped. */
export function backoffDelayMs(attempt: number, options: { baseMs?: number; maxMs?: number } = {}): number {
  const base = options.baseMs ?? 1000;
  const max = options.maxMs ?? 30_000;
  return Math.min(max, base * 2 ** Math.min(Math.max(0, attempt), 20));
}
