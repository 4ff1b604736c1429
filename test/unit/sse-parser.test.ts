/**
 * text/event-stream reading (src/runtime/sse-parser.ts) against the HTML standard's "parsing an event
 * stream": fields, the three line endings (CRLF, LF, lone CR), chunk boundaries, end of stream, big events.
 */
import { describe, expect, test } from 'bun:test';
import { readSse, SseParser, type SseEvent } from '../../src/runtime/sse-parser.ts';
import { seededRandom } from '../helpers/random.ts';

function streamOf(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream({
    pull(controller) {
      if (i < chunks.length) controller.enqueue(chunks[i++]!);
      else controller.close();
    },
  });
}

async function events(chunks: Uint8Array[]): Promise<SseEvent[]> {
  const out: SseEvent[] = [];
  await readSse(streamOf(chunks), (e) => out.push(e));
  return out;
}

const bytes = (text: string) => new TextEncoder().encode(text);

function cut(data: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < data.length; i += size) out.push(data.subarray(i, i + size));
  return out;
}

// Fields of every kind, CRLF and LF, a comment, multi-line data, characters of 2, 3 and 4 bytes.
const SAMPLE = bytes(
  ': keep-alive comment\n' +
    'event: message\r\n' +
    'id: 1\r\n' +
    'data: {"jsonrpc":"2.0","result":"é日🙂"}\r\n' +
    '\r\n' +
    'data:first\n' +
    'data:  second starts with a space\n' +
    'retry: 500\n' +
    'unknown: ignored\n' +
    '\n' +
    '\n' +
    'event: ping\n' +
    'data\n' +
    '\n' +
    'id: 2\n' +
    '\n' +
    'data: last\n' +
    '\n',
);
const SAMPLE_EVENTS: SseEvent[] = [
  { event: 'message', id: '1', data: '{"jsonrpc":"2.0","result":"é日🙂"}' },
  // The id stays the last one seen; the event type does not carry over.
  { event: undefined, id: '1', data: 'first\n second starts with a space' },
  { event: 'ping', id: '1', data: '' },
  // An event with an id and no data is not dispatched, but its id is remembered.
  { event: undefined, id: '2', data: 'last' },
];

describe('readSse', () => {
  test('fields, comments, one leading space removed, multi-line data joined, id kept, event type reset', async () => {
    expect(await events([SAMPLE])).toEqual(SAMPLE_EVENTS);
  });

  test('the sample split at every byte offset gives the same events as one chunk', async () => {
    for (let k = 0; k <= SAMPLE.length; k++) {
      expect(await events([SAMPLE.subarray(0, k), SAMPLE.subarray(k)]), `split at byte ${k}`).toEqual(SAMPLE_EVENTS);
    }
  });

  test('the sample byte by byte, and in pieces of every size up to 16', async () => {
    for (let size = 1; size <= 16; size++) expect(await events(cut(SAMPLE, size)), `pieces of ${size}`).toEqual(SAMPLE_EVENTS);
  });

  test('a UTF-8 byte order mark at the start is not part of the first field name, even split across chunks', async () => {
    const withBom = new Uint8Array([0xef, 0xbb, 0xbf, ...bytes('data: x\n\n')]);
    expect(await events([withBom])).toEqual([{ event: undefined, id: undefined, data: 'x' }]);
    expect(await events(cut(withBom, 1))).toEqual([{ event: undefined, id: undefined, data: 'x' }]);
  });

  test('invalid UTF-8 becomes U+FFFD and the stream goes on', async () => {
    const data = new Uint8Array([...bytes('data: a'), 0xff, 0x80, 0xe6, 0x97, ...bytes('\n\ndata: b'), 0xc3, ...bytes('\n\n')]);
    const expected = [
      { event: undefined, id: undefined, data: 'a\ufffd\ufffd\ufffd' },
      { event: undefined, id: undefined, data: 'b\ufffd' },
    ];
    expect(await events([data])).toEqual(expected);
    expect(await events(cut(data, 1))).toEqual(expected);
  });

  test('a blank line with no data dispatches nothing; an empty stream yields nothing', async () => {
    expect(await events([bytes('\n\n\r\n: only a comment\n\nevent: x\n\n')])).toEqual([]);
    expect(await events([])).toEqual([]);
  });

  test('a 20 MB data line in 64 KiB chunks is one event, whole', async () => {
    const payload = `{"jsonrpc":"2.0","id":1,"result":{"text":"${'é'.repeat(10 * 1024 * 1024)}"}}`;
    const data = bytes(`event: message\ndata: ${payload}\n\ndata: after\n\n`);
    const got = await events(cut(data, 65535)); // odd size: many 2-byte characters are split
    expect(got).toHaveLength(2);
    expect(got[0]!.data.length).toBe(payload.length);
    expect(got[0]!.data === payload).toBe(true);
    expect(got[1]!.data).toBe('after');
  });

  test('seeded random event streams, LF, CRLF or lone CR, in random chunks: read back exactly', async () => {
    const alphabet = [...'abc {}":,\\/é', '日', '🙂', ' '];
    for (let seed = 1; seed <= 150; seed++) {
      const rand = seededRandom(seed);
      const word = (max: number) => Array.from({ length: Math.floor(rand() * max) }, () => alphabet[Math.floor(rand() * alphabet.length)]!).join('');
      const eol = ['\n', '\r\n', '\r'][Math.floor(rand() * 3)]!;
      const expected: SseEvent[] = [];
      let text = '';
      let id: string | undefined;
      for (let n = Math.floor(rand() * 8); n > 0; n--) {
        if (rand() < 0.3) text += `:${word(10)}${eol}`;
        const event = rand() < 0.5 ? word(8).trim() || 'message' : undefined;
        if (event !== undefined) text += `event: ${event}${eol}`;
        if (rand() < 0.3) {
          id = word(5).replace(/^ +/, '');
          text += `id: ${id}${eol}`;
        }
        const lines = Array.from({ length: 1 + Math.floor(rand() * 3) }, () => word(30));
        // "data:" then one optional space: a value that starts with a space needs the separator space.
        for (const l of lines) text += rand() < 0.5 && !l.startsWith(' ') ? `data:${l}${eol}` : `data: ${l}${eol}`;
        text += eol;
        expected.push({ event, id, data: lines.join('\n') });
      }
      const all = bytes(text);
      const chunks: Uint8Array[] = [];
      for (let i = 0; i < all.length; ) {
        const size = 1 + Math.floor(rand() * 20);
        chunks.push(all.subarray(i, i + size));
        i += size;
      }
      expect(await events(chunks), `seed ${seed}`).toEqual(expected);
    }
  });

  test('a lone CR ends a line: "data: a\\r\\rdata: b\\r\\r" is events a and b, at every split', async () => {
    const data = bytes('data: a\r\rdata: b\r\r');
    const expected = [
      { event: undefined, id: undefined, data: 'a' },
      { event: undefined, id: undefined, data: 'b' },
    ];
    expect(await events([data])).toEqual(expected);
    for (let k = 0; k <= data.length; k++) expect(await events([data.subarray(0, k), data.subarray(k)]), `split at byte ${k}`).toEqual(expected);
  });

  test('CR, LF and CRLF mixed in one stream; a CRLF cut between its CR and LF is one line end, not two', async () => {
    const data = bytes('event: e\rdata: 1\r\ndata: 2\n\r\ndata: 3\r\n\r');
    const expected = [
      { event: 'e', id: undefined, data: '1\n2' },
      { event: undefined, id: undefined, data: '3' },
    ];
    for (let size = 1; size <= data.length; size++) expect(await events(cut(data, size)), `pieces of ${size}`).toEqual(expected);
    // "data: x\r" then "\ndata: y\r\n\r\n": the LF ends nothing, so x and y are one event.
    expect(await events([bytes('data: x\r'), bytes('\ndata: y\r\n\r\n')])).toEqual([{ event: undefined, id: undefined, data: 'x\ny' }]);
  });

  test('at end of stream an unfinished event (no blank line) is discarded, also a line without its line end', async () => {
    expect(await events([bytes('data: x\n')])).toEqual([]);
    expect(await events([bytes('data: x')])).toEqual([]);
    expect(await events([bytes('data: x\r')])).toEqual([]);
    expect(await events([bytes('data: a\n\ndata: b\n')])).toEqual([{ event: undefined, id: undefined, data: 'a' }]);
    expect(await events(cut(bytes('data: a\r\n\r\nevent: x\r\ndata: b'), 1))).toEqual([{ event: undefined, id: undefined, data: 'a' }]);
  });

  test('an id containing U+0000 is ignored; a field without a colon has an empty value', async () => {
    expect(await events([bytes('id: 7\n\nid: a\u0000b\ndata\n\n')])).toEqual([{ event: undefined, id: '7', data: '' }]);
  });

  test('SseParser takes text directly; the same events however the text is cut', () => {
    const text = new TextDecoder().decode(SAMPLE);
    for (let k = 0; k <= text.length; k++) {
      const parser = new SseParser();
      expect([...parser.feed(text.slice(0, k)), ...parser.feed(''), ...parser.feed(text.slice(k))], `split at ${k}`).toEqual(SAMPLE_EVENTS);
    }
  });

  test('a 20 MB data line ended by a lone CR, in 64 KiB chunks, is one event, whole', async () => {
    const payload = `{"jsonrpc":"2.0","id":1,"result":{"text":"${'x'.repeat(20 * 1024 * 1024)}"}}`;
    const got = await events(cut(bytes(`data: ${payload}\r\rdata: after\r\r`), 65536));
    expect(got).toHaveLength(2);
    expect(got[0]!.data === payload).toBe(true);
    expect(got[1]!.data).toBe('after');
  });

  test('the reader is released when the consumer throws, and when the stream fails', async () => {
    const stream = streamOf([bytes('data: 1\n\ndata: 2\n\n')]);
    const seen: string[] = [];
    const stop = new Error('stop');
    const thrown = await readSse(stream, (e) => {
      seen.push(e.data);
      throw stop;
    }).catch((error) => error);
    expect(thrown).toBe(stop);
    expect(seen).toEqual(['1']);
    expect(stream.locked).toBe(false);
    let pulls = 0;
    const failing = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (pulls++ === 0) controller.enqueue(bytes('data: ok\n\n'));
        else controller.error(new Error('connection reset'));
      },
    });
    const got: string[] = [];
    await expect(readSse(failing, (e) => got.push(e.data))).rejects.toThrow('connection reset');
    expect(got).toEqual(['ok']);
    expect(failing.locked).toBe(false);
  });

  test('fields that only start like data, event or id are ignored; so are lines without any colon', async () => {
    const text = 'datum: x\ndata2: y\nevents: z\nidx: 9\nretry\nx\n' + 'no colon here\n'.repeat(2000) + 'data: ok\n\n';
    expect(await events([bytes(text)])).toEqual([{ event: undefined, id: undefined, data: 'ok' }]);
  });
});
