/** Newline framing of stdio JSON-RPC (src/runtime/lines.ts): chunk boundaries never change the lines. */
import { describe, expect, test } from 'bun:test';
import { LineSplitter } from '../../src/runtime/lines.ts';
import { seededRandom } from '../helpers/random.ts';

/** Feed `chunks` to a splitter; what it delivered and what it reported. */
function split(chunks: Buffer[], maxLineBytes?: number): { lines: string[]; overflows: number[] } {
  const lines: string[] = [];
  const overflows: number[] = [];
  const splitter = new LineSplitter((line) => lines.push(line), maxLineBytes, (bytes) => overflows.push(bytes));
  for (const chunk of chunks) splitter.push(chunk);
  return { lines, overflows };
}

/** The obvious (non-incremental) reading of the whole stream, to compare against. */
function reference(bytes: Buffer): string[] {
  const out: string[] = [];
  let start = 0;
  for (let nl = bytes.indexOf(10); nl !== -1; nl = bytes.indexOf(10, start)) {
    let line = bytes.subarray(start, nl).toString('utf8');
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (line !== '') out.push(line);
    start = nl + 1;
  }
  return out;
}

/** Cut `bytes` into pieces of random length (1..maxPiece). */
function randomChunks(bytes: Buffer, rand: () => number, maxPiece: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; ) {
    const n = 1 + Math.floor(rand() * maxPiece);
    out.push(bytes.subarray(i, i + n));
    i += n;
  }
  return out;
}

// LF, CRLF, empty lines, a lone CR inside a line, 2-, 3- and 4-byte characters, and invalid UTF-8:
// a stray continuation byte, 0xff, a truncated 3-byte sequence, an overlong encoding of '/'.
const SAMPLE = Buffer.concat([
  Buffer.from('{"a":1}\n\r\n\n{"b":"é日🙂"}\r\nx\ry\n'),
  Buffer.from([0x80, 0x41, 0xff, 0x0a]),
  Buffer.from([0xe6, 0x97, 0x0a]),
  Buffer.from([0xc0, 0xaf, 0x42, 0x0d, 0x0a]),
  Buffer.from('tail without newline'),
]);
const SAMPLE_LINES = ['{"a":1}', '{"b":"é日🙂"}', 'x\ry', '\ufffdA\ufffd', '\ufffd', '\ufffd\ufffdB'];

describe('LineSplitter', () => {
  test('LF and CRLF end a line, empty lines are skipped, a lone CR stays, invalid UTF-8 becomes U+FFFD', () => {
    expect(split([SAMPLE]).lines).toEqual(SAMPLE_LINES);
    expect(reference(SAMPLE)).toEqual(SAMPLE_LINES);
  });

  test('the sample split at every byte offset gives the same lines as one chunk', () => {
    for (let k = 0; k <= SAMPLE.length; k++) {
      const { lines } = split([SAMPLE.subarray(0, k), SAMPLE.subarray(k)]);
      expect(lines, `split at byte ${k}`).toEqual(SAMPLE_LINES);
    }
  });

  test('the sample split at every pair of offsets, and byte by byte, gives the same lines', () => {
    for (let a = 0; a <= SAMPLE.length; a++) {
      for (let b = a; b <= SAMPLE.length; b++) {
        const { lines } = split([SAMPLE.subarray(0, a), SAMPLE.subarray(a, b), SAMPLE.subarray(b)]);
        if (lines.join('\n') !== SAMPLE_LINES.join('\n')) expect(lines, `split at bytes ${a} and ${b}`).toEqual(SAMPLE_LINES);
      }
    }
    expect(split([...SAMPLE].map((byte) => Buffer.from([byte]))).lines).toEqual(SAMPLE_LINES);
  });

  test('random bytes in random chunks read like the whole stream at once (seeded)', () => {
    // Bytes biased towards the interesting ones: newlines, CR, UTF-8 lead and continuation bytes.
    const special = [0x0a, 0x0d, 0xc3, 0xa9, 0xe6, 0x97, 0xa5, 0xf0, 0x9f, 0x99, 0x82, 0x80, 0xff, 0x20];
    for (let seed = 1; seed <= 200; seed++) {
      const rand = seededRandom(seed);
      const bytes = Buffer.from(
        Array.from({ length: 1 + Math.floor(rand() * 400) }, () => (rand() < 0.5 ? special[Math.floor(rand() * special.length)]! : 0x20 + Math.floor(rand() * 95))),
      );
      const expected = reference(bytes);
      const { lines } = split(randomChunks(bytes, rand, 1 + Math.floor(rand() * 40)));
      expect(lines, `seed ${seed}`).toEqual(expected);
    }
  });

  test('a line without its newline is held until the newline arrives', () => {
    const lines: string[] = [];
    const splitter = new LineSplitter((line) => lines.push(line));
    splitter.push(Buffer.from('{"partial":'));
    splitter.push(Buffer.from('true}'));
    expect(lines).toEqual([]);
    splitter.push(Buffer.from('\n'));
    expect(lines).toEqual(['{"partial":true}']);
  });

  test('the caller may reuse a chunk after push: the held part was copied', () => {
    const lines: string[] = [];
    const splitter = new LineSplitter((line) => lines.push(line));
    const chunk = Buffer.from('abc\ndef');
    splitter.push(chunk);
    chunk.fill(0x7a); // "zzzzzzz"
    splitter.push(Buffer.from('\n'));
    expect(lines).toEqual(['abc', 'def']);
  });

  test('a 20 MB line in 64 KiB chunks arrives whole, once', () => {
    const body = 'x'.repeat(20 * 1024 * 1024);
    const bytes = Buffer.from(`{"big":"${body}"}\n{"after":1}\n`);
    const chunks: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += 65536) chunks.push(bytes.subarray(i, i + 65536));
    const { lines, overflows } = split(chunks);
    expect(overflows).toEqual([]);
    expect(lines).toHaveLength(2);
    expect(lines[0]!.length).toBe(body.length + 10);
    expect(lines[0] === `{"big":"${body}"}`).toBe(true);
    expect(lines[1]).toBe('{"after":1}');
  });

  test('a 20 MB line of 2-byte characters cut at odd offsets: every character split across chunks survives', () => {
    const body = 'é'.repeat(10 * 1024 * 1024);
    const bytes = Buffer.from(`${body}\n`);
    const chunks: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += 65535) chunks.push(bytes.subarray(i, i + 65535));
    const { lines } = split(chunks);
    expect(lines).toHaveLength(1);
    expect(lines[0]!.includes('\ufffd')).toBe(false);
    expect(lines[0] === body).toBe(true);
  });
});

describe('LineSplitter: the line length limit', () => {
  test('a line of exactly the limit is delivered; one byte more is dropped and reported once', () => {
    expect(split([Buffer.from('0123456789\nnext\n')], 10)).toEqual({ lines: ['0123456789', 'next'], overflows: [] });
    const { lines, overflows } = split([Buffer.from('0123456789A\nnext\n')], 10);
    expect(lines).toEqual(['next']);
    expect(overflows).toHaveLength(1);
    expect(overflows[0]).toBeGreaterThan(10);
  });

  test('a runaway line in many chunks: reported once, and none of it is delivered, not even its tail', () => {
    const runaway = `{"x":"${'a'.repeat(95)}"}`; // 103 bytes, whatever the chunking
    const bytes = Buffer.from(`{"ok":1}\n${runaway}\n{"ok":2}\n`);
    for (let size = 1; size <= bytes.length; size++) {
      const chunks: Buffer[] = [];
      for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
      const { lines, overflows } = split(chunks, 20);
      expect(lines, `chunks of ${size} bytes`).toEqual(['{"ok":1}', '{"ok":2}']);
      expect(overflows, `chunks of ${size} bytes`).toHaveLength(1);
    }
  });

  test('a runaway line whose tail is valid JSON: the tail is not taken for a message', () => {
    const { lines, overflows } = split([Buffer.from(' '.repeat(30)), Buffer.from('{"jsonrpc":"2.0","method":"x"}\n')], 20);
    expect(lines).toEqual([]);
    expect(overflows).toHaveLength(1);
  });
});
