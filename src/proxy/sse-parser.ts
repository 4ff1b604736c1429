/** Incremental parser for text/event-stream bodies: yields each event's data (and id). */
export interface SseEvent {
  event?: string;
  data: string;
  id?: string;
}

export async function* readSse(body: ReadableStream<Uint8Array>): AsyncGenerator<SseEvent> {
  const decoder = new TextDecoder();
  const reader = body.getReader();
  let buffer = '';
  // Where the newline search resumes: a 20 MB event arriving in small chunks must not be rescanned.
  let scanFrom = 0;
  let data: string[] = [];
  let event: string | undefined;
  let id: string | undefined;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let start = 0;
      let nl: number;
      while ((nl = buffer.indexOf('\n', Math.max(start, scanFrom))) >= 0) {
        scanFrom = 0;
        let line = buffer.slice(start, nl);
        start = nl + 1;
        if (line.endsWith('\r')) line = line.slice(0, -1);
        if (line === '') {
          if (data.length) yield { event, data: data.join('\n'), id };
          data = [];
          event = undefined;
          continue;
        }
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        let value = colon < 0 ? '' : line.slice(colon + 1);
        if (value.startsWith(' ')) value = value.slice(1);
        if (field === 'data') data.push(value);
        else if (field === 'event') event = value;
        else if (field === 'id') id = value;
      }
      buffer = buffer.slice(start);
      scanFrom = buffer.length;
    }
    if (data.length) yield { event, data: data.join('\n'), id };
  } finally {
    reader.releaseLock();
  }
}
