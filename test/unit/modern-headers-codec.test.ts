/** The shared 2026-07-28 header facts (src/modern-headers.ts): value encoding both ways, Mcp-Name sources, x-mcp-header paths. */
import { describe, expect, test } from 'bun:test';
import { argumentAt, decodeHeaderValue, encodeHeaderValue, NAME_SOURCE, paramHeadersOf, paramHeaderValues } from '../../src/modern-headers.ts';

/** A deterministic generator (no flaky seeds): mulberry32. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = ['a', 'Z', '0', ' ', '\t', '\n', '=', '?', 'base64', '=?base64?', '?=', 'é', '世界', '🙂', '\u0000', '\u007f', '/', '+', '%20', 'SGVsbG8='];

function generated(count: number): string[] {
  const next = rng(1727);
  const out: string[] = ['', ' ', '=?base64??=', '=?base64?SGVsbG8=?=', '=?base64?not base64?=', '=?BASE64?x?='];
  for (let i = 0; i < count; i++) {
    let s = '';
    const len = Math.floor(next() * 8);
    for (let j = 0; j < len; j++) s += PIECES[Math.floor(next() * PIECES.length)];
    out.push(s);
  }
  return out;
}

describe('header value encoding', () => {
  test('every string survives encode then decode, and an encoded value is always a valid header (visible ASCII, no edge spaces)', () => {
    for (const value of generated(2000)) {
      const encoded = encodeHeaderValue(value);
      expect(decodeHeaderValue(encoded)).toBe(value);
      expect(encoded).toMatch(/^[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?$|^$/);
    }
  });

  test('plain visible ASCII stays as is; anything a reader would decode, or could not carry, is base64', () => {
    expect(encodeHeaderValue('us-west1')).toBe('us-west1');
    expect(encodeHeaderValue('a b')).toBe('a b');
    expect(encodeHeaderValue('Zürich')).toBe(`=?base64?${Buffer.from('Zürich').toString('base64')}?=`);
    expect(encodeHeaderValue(' x')).toBe(`=?base64?${Buffer.from(' x').toString('base64')}?=`);
    // Looks encoded: written encoded so the reader's decode gives the literal back.
    expect(encodeHeaderValue('=?base64?SGVsbG8=?=')).toBe(`=?base64?${Buffer.from('=?base64?SGVsbG8=?=').toString('base64')}?=`);
  });

  test('decoding is strict: malformed base64 inside the form is refused, other values are taken literally', () => {
    expect(decodeHeaderValue('=?base64?SGVsbG8=?=')).toBe('Hello');
    expect(decodeHeaderValue('=?base64?SGVsbG8?=')).toBeUndefined();
    expect(decodeHeaderValue('=?base64?SGV sbG8=?=')).toBeUndefined();
    expect(decodeHeaderValue('=?BASE64?SGVsbG8=?=')).toBe('=?BASE64?SGVsbG8=?=');
    expect(decodeHeaderValue('plain')).toBe('plain');
  });
});

describe('routing facts', () => {
  test('Mcp-Name carries params.name, params.uri or a task id; other methods have none', () => {
    expect(NAME_SOURCE['tools/call']).toBe('name');
    expect(NAME_SOURCE['prompts/get']).toBe('name');
    expect(NAME_SOURCE['resources/read']).toBe('uri');
    for (const m of ['tasks/get', 'tasks/update', 'tasks/cancel']) expect(NAME_SOURCE[m]).toBe('taskId');
    expect(NAME_SOURCE['tools/list']).toBeUndefined();
  });

  test('x-mcp-header paths are found at any depth and read back from the arguments', () => {
    const schema = { type: 'object', properties: { a: { type: 'string', 'x-mcp-header': 'A' }, o: { type: 'object', properties: { b: { type: 'number', 'x-mcp-header': 'B-Two' } } }, skip: 5 } };
    const params = paramHeadersOf(schema);
    expect(params).toEqual([
      { path: ['a'], header: 'A' },
      { path: ['o', 'b'], header: 'B-Two' },
    ]);
    expect(argumentAt({ o: { b: 7 } }, ['o', 'b'])).toBe(7);
    expect(argumentAt({ o: 'flat' }, ['o', 'b'])).toBeUndefined();
    expect(paramHeaderValues(params, { a: 'héllo', o: { b: 1.5 } })).toEqual({ 'mcp-param-a': encodeHeaderValue('héllo'), 'mcp-param-b-two': '1.5' });
    expect(paramHeaderValues(params, { a: null, o: { b: { nested: true } } })).toEqual({});
    expect(paramHeaderValues(undefined, { a: 'x' })).toEqual({});
  });
});
