/**
 * text/event-stream reading, as the HTML standard's "parsing an event stream" says: lines end in CRLF,
 * LF or a lone CR; a blank line dispatches the event when it has data; at end of stream an event
 * without its blank line is discarded. Only what the relay needs: `retry` is ignored.
 */
export interface SseEvent {
  event?: string;
  data: string;
  /** The last event ID seen so far (it carries over to later events, as in EventSource). */
  id?: string;
}

const LF = 10;
const SPACE = 32;
const COLON = 58;

/** Text in, events out; chunks may be cut anywhere. Separate from the byte stream so it can be fed directly. */
export class SseParser {
  /** Pieces of a line not yet ended: a 20 MB line in 64 KiB chunks is joined once, not chunk by chunk. */
  private pending: string[] = [];
  /** The last chunk ended with CR: an LF at the start of the next one belongs to that line end. */
  private afterCr = false;
  private data: string | undefined;
  private event: string | undefined;
  private id: string | undefined;

  /** Feed decoded text; returns the events it completed. */
  feed(text: string): SseEvent[] {
    const out: SseEvent[] = [];
    if (text.length === 0) return out;
    let pos = 0;
    if (this.afterCr) {
      this.afterCr = false;
      if (text.charCodeAt(0) === LF) pos = 1;
    }
    // Each search resumes past the last line end, so every character is scanned once per terminator kind.
    let cr = text.indexOf('\r', pos);
    let lf = text.indexOf('\n', pos);
    while (cr >= 0 || lf >= 0) {
      const end = cr >= 0 && (lf < 0 || cr < lf) ? cr : lf;
      if (this.pending.length > 0) {
        this.pending.push(text.slice(pos, end));
        const line = this.pending.join('');
        this.pending = [];
        this.line(line, 0, line.length, out);
      } else this.line(text, pos, end, out);
      pos = end + 1;
      if (end === cr) {
        if (pos === text.length) this.afterCr = true;
        else if (text.charCodeAt(pos) === LF) pos++;
      }
      if (cr >= 0 && cr < pos) cr = text.indexOf('\r', pos);
      if (lf >= 0 && lf < pos) lf = text.indexOf('\n', pos);
    }
    if (pos < text.length) this.pending.push(pos === 0 ? text : text.slice(pos));
    return out;
  }

  /** The line text[start, end). Works on indices: most lines are parsed without copying them. */
  private line(text: string, start: number, end: number, out: SseEvent[]): void {
    if (start === end) {
      if (this.data !== undefined) out.push({ event: this.event, data: this.data, id: this.id });
      this.data = undefined;
      this.event = undefined;
      return;
    }
    // Only three fields matter here; comments (":…"), retry and unknown fields are ignored.
    let at: number;
    if ((at = valueAt(text, start, end, 'data')) >= 0) {
      const value = text.slice(at, end);
      this.data = this.data === undefined ? value : `${this.data}\n${value}`;
    } else if ((at = valueAt(text, start, end, 'event')) >= 0) this.event = text.slice(at, end);
    else if ((at = valueAt(text, start, end, 'id')) >= 0) {
      const value = text.slice(at, end);
      if (!value.includes('\0')) this.id = value;
    }
  }
}

/**
 * Where the value starts when the line text[start, end) is the field `name` ("name", "name:value" or
 * "name: value"), else -1. Never searches past the line: a colon-free line costs nothing extra.
 */
function valueAt(text: string, start: number, end: number, name: string): number {
  const after = start + name.length;
  if (after > end || !text.startsWith(name, start)) return -1;
  if (after === end) return end;
  if (text.charCodeAt(after) !== COLON) return -1;
  return after + 1 < end && text.charCodeAt(after + 1) === SPACE ? after + 2 : after + 1;
}

/**
 * Read a response body to its end, handing over each event as it completes. A callback rather than an
 * async iterator: one await per chunk, not per event (20,000 small events cost half as much).
 * What follows the last blank line (an unfinished event) is dropped. The reader is released at the end,
 * also when the stream fails or `onEvent` throws.
 */
export async function readSse(body: ReadableStream<Uint8Array>, onEvent: (event: SseEvent) => void): Promise<void> {
  // Decoding as UTF-8 drops a leading byte order mark and turns invalid bytes into U+FFFD.
  const decoder = new TextDecoder();
  const parser = new SseParser();
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      for (const event of parser.feed(decoder.decode(value, { stream: true }))) onEvent(event);
    }
  } finally {
    reader.releaseLock();
  }
}
