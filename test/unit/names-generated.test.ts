/**
 * Exposed names and the name tables (src/catalog/names.ts) under generated input: random prefixes,
 * originals and budgets, overlapping servers, lone surrogates, huge names. Hand-picked cases are in
 * names.test.ts.
 */
import { describe, expect, test } from 'bun:test';
import { buildNameTable, buildUriTable, exposedName, exposedOf, MAX_NAME_LENGTH, resourceAlias, shortHash, type NameTable, type ServerNames } from '../../src/catalog/names.ts';
import { seededRandom } from '../helpers/random.ts';

const VALID = /^[A-Za-z0-9_-]+$/;
// Valid characters, invalid ones, multi-unit characters, lone surrogates, U+FFFD, NUL and the separator's pieces.
const ALPHABET = [...'abcXYZ019_-', '.', ' ', '/', ':', 'é', '日', '🙂', '\ud800', '\udfff', '\ufffd', '\u0000', '_1mcp_', '1mcp'];

function randomText(rand: () => number, maxLength: number, alphabet = ALPHABET): string {
  return Array.from({ length: Math.floor(rand() * (maxLength + 1)) }, () => alphabet[Math.floor(rand() * alphabet.length)]!).join('');
}

const randomPrefix = (rand: () => number) => (rand() < 0.15 ? '' : randomText(rand, 20, [...'abcxyz09-_']) || 'p');

describe('exposedName under generated input', () => {
  test('seeded random prefixes, originals and budgets: valid, within budget, deterministic, unchanged when possible', () => {
    for (let seed = 1; seed <= 3000; seed++) {
      const rand = seededRandom(seed);
      const prefix = randomPrefix(rand);
      const original = randomText(rand, rand() < 0.1 ? 200 : 40);
      const budget = 7 + Math.floor(rand() * 70);
      const limit = Math.min(budget, MAX_NAME_LENGTH);
      const name = exposedName(prefix, original, budget);
      const why = `seed ${seed}: ${JSON.stringify({ prefix, original, budget, name })}`;
      expect(VALID.test(name), why).toBe(true);
      expect(name.length, why).toBeLessThanOrEqual(limit);
      expect(exposedName(prefix, original, budget), why).toBe(name);
      const full = prefix === '' ? original : `${prefix}_1mcp_${original}`;
      if (full !== '' && full.length <= limit && VALID.test(full)) expect(name, why).toBe(full);
      else {
        // Changed names carry the hash of the full original, after as much of the cleaned text as fits.
        expect(name, why).toBe(`${full.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, limit - 7)}_${shortHash(full)}`);
      }
    }
  });

  test('originals that clean up alike (differing only in invalid characters) still get different names', () => {
    const INVALID = ['.', ' ', '/', ':', 'é', '日', '🙂', '\ud800', '\u0000'];
    const rand = seededRandom(11);
    const seen = new Map<string, string>();
    for (let n = 0; n < 3000; n++) {
      // Same skeleton "tool_<n>", invalid characters in different places.
      const original = `tool${[...`_${n}`].map((c) => (rand() < 0.5 ? INVALID[Math.floor(rand() * INVALID.length)]! : c)).join('')}`;
      const name = exposedName('srv', original);
      const before = seen.get(name);
      if (before !== undefined && before !== original) throw new Error(`seed 11: ${JSON.stringify(before)} and ${JSON.stringify(original)} both became ${name}`);
      seen.set(name, original);
    }
  });

  test('a 1 MB original, all invalid or all valid: a short valid name', () => {
    for (const original of ['日'.repeat(1 << 20), 'a'.repeat(1 << 20), '\ud800'.repeat(1 << 20)]) {
      const name = exposedName('big', original);
      expect(name).toMatch(/^big_1mcp_[A-Za-z_]+_[0-9a-f]{6}$/);
      expect(name.length).toBe(53);
    }
  });
});

/** The invariants every table must keep, whatever the input. */
function checkTable(table: NameTable, servers: readonly ServerNames[], nameFor: (s: ServerNames, original: string) => string | undefined, why: string): void {
  const order = new Map(servers.map((s, i) => [s.server, i] as const));
  const conflictKeys = new Set(table.conflicts.map((c) => `${c.server}\u0000${c.original}`));
  expect(conflictKeys.size, `${why}: a conflict reported twice`).toBe(table.conflicts.length);
  let granted = 0;
  const done = new Set<string>();
  for (const s of servers) {
    for (const original of s.names) {
      const id = `${s.server}\u0000${original}`;
      if (done.has(id)) continue;
      done.add(id);
      const name = exposedOf(table, s.server, original);
      // Each (server, original) is granted or reported, never both, never neither.
      expect(name === undefined, `${why}: ${JSON.stringify(original)} of ${s.server}`).toBe(conflictKeys.has(id));
      if (name !== undefined) {
        granted++;
        expect(table.byExposed.get(name), why).toEqual({ server: s.server, original });
        const expected = nameFor(s, original);
        if (expected !== undefined) expect(name, why).toBe(expected);
      }
    }
  }
  expect(table.byExposed.size, `${why}: routes that nobody was granted`).toBe(granted);
  for (const c of table.conflicts) {
    // The holder came first (or is the same server: a hash collision within it), and still holds it.
    const holder = table.byExposed.get(c.name);
    expect(holder?.server, why).toBe(c.conflictsWith);
    expect(order.get(c.conflictsWith)!, why).toBeLessThanOrEqual(order.get(c.server)!);
  }
}

function randomServers(rand: () => number): ServerNames[] {
  const shared = Array.from({ length: 8 }, () => randomText(rand, 12));
  const prefixes = ['', 'a', 'b', 'a', 'x_1mcp_y'];
  return Array.from({ length: 1 + Math.floor(rand() * 6) }, (_, i) => {
    const names: string[] = [];
    for (let n = Math.floor(rand() * 30); n > 0; n--) {
      const r = rand();
      // Names shared across servers, repeated within one, and bare names that look like another's prefixed ones.
      if (r < 0.3) names.push(shared[Math.floor(rand() * shared.length)]!);
      else if (r < 0.4 && names.length > 0) names.push(names[Math.floor(rand() * names.length)]!);
      else if (r < 0.5) names.push(`a_1mcp_${shared[Math.floor(rand() * shared.length)]}`);
      else names.push(randomText(rand, 70));
    }
    return { server: `s${i}`, prefix: prefixes[Math.floor(rand() * prefixes.length)]!, names };
  });
}

describe('buildNameTable under generated input', () => {
  test('seeded random overlapping servers: granted or reported, exact routes both ways, earlier servers win', () => {
    for (let seed = 1; seed <= 400; seed++) {
      const rand = seededRandom(seed);
      const servers = randomServers(rand);
      const budget = rand() < 0.5 ? 53 : 7 + Math.floor(rand() * 60);
      const table = buildNameTable(servers, budget);
      checkTable(table, servers, (s, o) => exposedName(s.prefix, o, budget), `seed ${seed}`);
      expect(buildNameTable(servers, budget), `seed ${seed}: not deterministic`).toEqual(table);
    }
  });

  test('a later server never changes what earlier servers were granted', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const servers = randomServers(seededRandom(seed));
      const full = buildNameTable(servers);
      for (let k = 1; k < servers.length; k++) {
        const part = buildNameTable(servers.slice(0, k));
        for (const s of servers.slice(0, k)) expect(full.byServer.get(s.server), `seed ${seed}, first ${k}`).toEqual(part.byServer.get(s.server)!);
      }
    }
  });
});

describe('buildUriTable under generated input', () => {
  test('seeded random URIs: the first holder keeps the URI, later ones get the alias or a conflict', () => {
    for (let seed = 1; seed <= 400; seed++) {
      const rand = seededRandom(seed);
      const pool = Array.from({ length: 6 }, () => `file:///${randomText(rand, 10)}`);
      const prefixes = ['a', 'b', 'a'];
      const servers = Array.from({ length: 1 + Math.floor(rand() * 5) }, (_, i) => ({
        server: `s${i}`,
        prefix: prefixes[Math.floor(rand() * prefixes.length)]!,
        uris: Array.from({ length: Math.floor(rand() * 8) }, () => (rand() < 0.7 ? pool[Math.floor(rand() * pool.length)]! : `ui://${randomText(rand, 20)}`)),
      }));
      const table = buildUriTable(servers);
      const asNames = servers.map((s) => ({ server: s.server, prefix: s.prefix, names: s.uris }));
      // Which of the two forms was granted depends on the order; either way it is one of them.
      checkTable(table, asNames, () => undefined, `seed ${seed}`);
      for (const s of servers) {
        for (const uri of s.uris) {
          const exposed = exposedOf(table, s.server, uri);
          if (exposed === undefined) continue;
          expect([uri, resourceAlias(s.prefix, uri)], `seed ${seed}`).toContain(exposed);
          // The plain URI always belongs to the first server that listed it.
          const first = servers.find((t) => t.uris.includes(uri))!;
          expect(table.byExposed.get(uri)?.server, `seed ${seed}: ${uri}`).toBe(first.server);
        }
      }
    }
  });
});
