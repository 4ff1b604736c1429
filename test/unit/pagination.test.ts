/** Aggregated list pagination (src/server/pagination.ts): opaque cursors, stable page boundaries, clear errors. */
import { describe, expect, test } from 'bun:test';
import { PAGE_SIZE, paginate } from '../../src/server/pagination.ts';
import { RpcError } from '../../src/server/errors.ts';
import { seededRandom } from '../helpers/random.ts';

const INVALID_PARAMS = -32602;
const key = (s: string) => s;
const names = (n: number, tag = 't') => Array.from({ length: n }, (_, i) => `${tag}${i}`);

/** Every page from the start; `between(page)` may change the list before the next page is asked. */
function walk(items: string[], between: (pageNumber: number, lastSent: string) => void = () => {}): { seen: string[]; cursors: string[] } {
  const seen: string[] = [];
  const cursors: string[] = [];
  let cursor: string | undefined;
  for (let n = 0; ; n++) {
    const { page, nextCursor } = paginate(items, key, cursor, true);
    seen.push(...page);
    if (nextCursor === undefined) return { seen, cursors };
    cursors.push(nextCursor);
    between(n, page.at(-1)!);
    cursor = nextCursor;
    if (n > 1000) throw new Error('pagination does not end');
  }
}

function invalidCursorError(fn: () => unknown): RpcError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(RpcError);
    return e as RpcError;
  }
  throw new Error('expected an invalid cursor error');
}

describe('paginate', () => {
  test('off and no cursor: the whole list, no cursor', () => {
    const items = names(250);
    expect(paginate(items, key, undefined, false)).toEqual({ page: items });
  });

  test('on: pages of PAGE_SIZE in order, the last without nextCursor; exact multiples and empty lists end cleanly', () => {
    expect(PAGE_SIZE).toBe(100);
    const items = names(250);
    const first = paginate(items, key, undefined, true);
    expect(first.page).toEqual(items.slice(0, 100));
    expect(walk(items).seen).toEqual(items);
    expect(walk(items).cursors).toHaveLength(2);
    expect(paginate(names(100), key, undefined, true)).toEqual({ page: names(100), nextCursor: undefined });
    expect(walk(names(200)).cursors).toHaveLength(1);
    expect(paginate([], key, undefined, true)).toEqual({ page: [], nextCursor: undefined });
  });

  test('a cursor is honoured even when pagination is off (the client asked for the next page)', () => {
    const items = names(150);
    const { nextCursor } = paginate(items, key, undefined, true);
    expect(paginate(items, key, nextCursor, false).page).toEqual(items.slice(100));
  });

  test('the same list gives the same cursors every time; they are opaque (base64url, no key text)', () => {
    const items = names(350, 'fs_1mcp_tool');
    const a = walk(items).cursors;
    const b = walk([...items]).cursors;
    expect(a).toEqual(b);
    for (const c of a) {
      expect(c).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(c).not.toContain('_1mcp_');
    }
  });

  test('keys with colons, line breaks and non-ASCII characters round-trip through the cursor', () => {
    const items = [...names(99), 'a:b:\nc 🙂 日本', ...names(50, 'u')];
    const { page, nextCursor } = paginate(items, key, undefined, true);
    expect(page.at(-1)).toBe('a:b:\nc 🙂 日本');
    // Insert before the boundary: only the key can find the place again.
    items.unshift('new');
    expect(paginate(items, key, nextCursor, true).page).toEqual(names(50, 'u'));
  });

  test('items added or removed elsewhere do not move the boundary: nothing repeated, nothing skipped', () => {
    const items = names(250);
    const { seen } = walk(items, (n) => {
      if (n === 0) {
        items.splice(10, 5); // removed from the page already sent
        items.splice(0, 0, 'early-1', 'early-2'); // added before the boundary
        items.splice(items.indexOf('t150'), 0, 'late'); // added after it
      }
    });
    const expected = [...names(100), ...names(150).slice(100), 'late', ...names(250).slice(150)];
    expect(seen).toEqual(expected);
  });

  test('the last item sent is removed before the next page is asked: the next page starts with the item after it', () => {
    const items = names(250);
    const { seen } = walk(items, (_, lastSent) => {
      items.splice(items.indexOf(lastSent), 1);
    });
    // Every item that was never removed is seen exactly once.
    expect(seen).toEqual(names(250));
  });

  test('seeded random walks with changes between pages: items present throughout are seen exactly once, none twice', () => {
    for (let seed = 1; seed <= 60; seed++) {
      const rand = seededRandom(seed);
      const items = names(1 + Math.floor(rand() * 700), `s${seed}-`);
      const removed = new Set<string>();
      let fresh = 0;
      const { seen } = walk(items, (_, lastSent) => {
        const at = items.indexOf(lastSent);
        if (rand() < 0.2) {
          // Only this change in this step: the cursor's own item goes.
          items.splice(at, 1);
          removed.add(lastSent);
          return;
        }
        for (let k = Math.floor(rand() * 6); k > 0; k--) {
          const where = Math.floor(rand() * (items.length + 1));
          if (rand() < 0.5) items.splice(where, 0, `new-${seed}-${fresh++}`);
          else if (where < items.length && items[where] !== lastSent) removed.add(items.splice(where, 1)[0]!);
        }
      });
      expect(new Set(seen).size, `seed ${seed}: an item was sent twice`).toBe(seen.length);
      const missing = items.filter((i) => !i.startsWith('new-') && !removed.has(i) && !seen.includes(i));
      expect(missing, `seed ${seed}: items skipped`).toEqual([]);
    }
  });

  test('a cursor that is not ours is refused with invalid params and a message that says what to do', () => {
    const items = names(250);
    for (const bad of ['', 'not-a-cursor', 'bm90LWEtY3Vyc29y', Buffer.from('1mcp:x:t5').toString('base64url'), '!!!!', '\u0000']) {
      const error = invalidCursorError(() => paginate(items, key, bad, true));
      expect(error.code, JSON.stringify(bad)).toBe(INVALID_PARAMS);
      expect(error.message).toMatch(/^invalid cursor/);
      expect(error.message).toContain('nextCursor');
    }
  });

  test('a tampered cursor (any one character changed) is refused or gives a contiguous page; never another error', () => {
    const items = names(450);
    const { cursors } = walk(items);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/=.';
    const rand = seededRandom(99);
    for (let n = 0; n < 2000; n++) {
      const c = cursors[Math.floor(rand() * cursors.length)]!;
      const at = Math.floor(rand() * c.length);
      const tampered = c.slice(0, at) + alphabet[Math.floor(rand() * alphabet.length)] + c.slice(at + 1);
      let page: string[];
      try {
        page = paginate(items, key, tampered, true).page;
      } catch (e) {
        expect(e, `cursor ${tampered} (seed 99, try ${n})`).toBeInstanceOf(RpcError);
        expect((e as RpcError).code).toBe(INVALID_PARAMS);
        continue;
      }
      const first = items.indexOf(page[0]!);
      expect(page, `cursor ${tampered} (seed 99, try ${n})`).toEqual(items.slice(first, first + page.length));
    }
  });

  test('a forged index far past the end gives an empty last page, not an error', () => {
    const cursor = Buffer.from('1mcp:99999999999999999999:gone').toString('base64url');
    expect(paginate(names(10), key, cursor, true)).toEqual({ page: [], nextCursor: undefined });
  });
});
