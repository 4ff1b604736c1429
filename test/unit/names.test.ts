/** Exposed names (docs/protocol.md): valid, within budget, stable, exact to map back. */
import { describe, expect, test } from 'bun:test';
import { buildNameTable, buildUriTable, exposedName, exposedOf, resourceAlias, shortHash } from '../../src/catalog/names.ts';
import { seededRandom } from '../helpers/random.ts';

const VALID = /^[A-Za-z0-9_-]{1,64}$/;

describe('exposedName', () => {
  test('plain names are <prefix>_1mcp_<name>, unchanged', () => {
    expect(exposedName('fs', 'read_file')).toBe('fs_1mcp_read_file');
    expect(exposedName('git-hub', 'create-issue')).toBe('git-hub_1mcp_create-issue');
  });

  test('prefix "" exposes bare names', () => {
    expect(exposedName('', 'test_simple_text')).toBe('test_simple_text');
  });

  test('a 100-character name with spaces and dots: valid, at most 53, stable (pinned value)', () => {
    const original = 'a very long tool name.with dots and spaces.that keeps going and going.until it is 100 chars long, ok';
    expect(original.length).toBe(100);
    const name = exposedName('alpha', original);
    expect(name).toMatch(VALID);
    expect(name.length).toBeLessThanOrEqual(53);
    expect(exposedName('alpha', original)).toBe(name);
    // Pinned: a change of hash or layout would rename users' tools.
    expect(name).toBe('alpha_1mcp_a_very_long_tool_name_with_dots_and_5dd231');
  });

  test('invalid characters become _ and get a hash, so near-identical originals stay distinct', () => {
    const a = exposedName('s', 'do.it');
    const b = exposedName('s', 'do_it');
    const c = exposedName('s', 'do it');
    expect(b).toBe('s_1mcp_do_it');
    expect(a).toMatch(/^s_1mcp_do_it_[0-9a-f]{6}$/);
    expect(new Set([a, b, c]).size).toBe(3);
  });

  test('the budget is respected for any budget', () => {
    for (const budget of [10, 20, 40, 53, 64]) {
      const name = exposedName('server', 'x'.repeat(200), budget);
      expect(name.length).toBeLessThanOrEqual(budget);
      expect(name).toMatch(VALID);
    }
  });

  test('a budget above 64 is clamped to 64; a budget with no room for the hash is refused', () => {
    const name = exposedName('server', 'y'.repeat(200), 100);
    expect(name.length).toBe(64);
    expect(name).toMatch(VALID);
    expect(exposedName('s', 'ok', 100)).toBe('s_1mcp_ok');
    expect(() => exposedName('s', 'x', 6)).toThrow(RangeError);
    expect(exposedName('s', 'x'.repeat(20), 7)).toMatch(/^_[0-9a-f]{6}$/);
  });

  test('a name exactly at the budget is kept; one character more is cut and hashed', () => {
    const at = 'n'.repeat(53 - 'p_1mcp_'.length);
    expect(exposedName('p', at)).toBe(`p_1mcp_${at}`);
    const over = exposedName('p', `${at}n`);
    expect(over).toHaveLength(53);
    expect(over).toMatch(/_[0-9a-f]{6}$/);
  });

  test('empty and unicode originals still give valid names', () => {
    expect(exposedName('', '')).toMatch(VALID);
    expect(exposedName('s', '日本語ツール')).toBe('s_1mcp________6d309d');
  });

  test('1000 random names: all valid, within budget, unique, deterministic', () => {
    const rand = seededRandom(42);
    const alphabet = [...'abcdefghijklmnopqrstuvwxyzABC0123456789_-. /:é日', '🙂', '\u0000'];
    const originals = new Set<string>();
    while (originals.size < 1000) {
      const len = 1 + Math.floor(rand() * 120);
      originals.add(Array.from({ length: len }, () => alphabet[Math.floor(rand() * alphabet.length)]!).join(''));
    }
    const exposed = new Map<string, string>();
    for (const o of originals) {
      const name = exposedName('srv', o);
      expect(name).toMatch(VALID);
      expect(name.length).toBeLessThanOrEqual(53);
      expect(exposedName('srv', o)).toBe(name);
      expect(exposed.has(name)).toBe(false);
      exposed.set(name, o);
    }
    // The reverse map is exact.
    for (const [name, o] of exposed) expect(exposedName('srv', o)).toBe(name);
  });
});

test('shortHash is 6 hex characters and stable', () => {
  expect(shortHash('hello')).toBe('4f9f2c');
  expect(shortHash('hello')).toMatch(/^[0-9a-f]{6}$/);
});

test('resourceAlias keeps the URI readable', () => {
  expect(resourceAlias('two', 'file:///tmp/a.txt')).toBe('two_1mcp_file:///tmp/a.txt');
});

describe('buildNameTable', () => {
  test('maps exposed → (server, original) and back, exactly', () => {
    const table = buildNameTable([
      { server: 'fs', prefix: 'fs', names: ['read_file', 'read.file', 'x'.repeat(90)] },
      { server: 'web', prefix: '', names: ['fetch'] },
    ]);
    expect(table.conflicts).toEqual([]);
    expect(table.byExposed.get('fs_1mcp_read_file')).toEqual({ server: 'fs', original: 'read_file' });
    expect(table.byExposed.get('fetch')).toEqual({ server: 'web', original: 'fetch' });
    expect(table.byExposed.size).toBe(4);
    for (const [name, owner] of table.byExposed) expect(exposedOf(table, owner.server, owner.original)).toBe(name);
    expect(exposedOf(table, 'fs', 'nope')).toBeUndefined();
  });

  test('bare names that collide: the later server gets the error, the earlier keeps the name', () => {
    const table = buildNameTable([
      { server: 'one', prefix: '', names: ['search', 'only_one'] },
      { server: 'two', prefix: 'two', names: ['search'] },
      { server: 'three', prefix: '', names: ['search', 'only_three'] },
    ]);
    expect(table.conflicts).toEqual([{ server: 'three', original: 'search', name: 'search', conflictsWith: 'one' }]);
    expect(table.byExposed.get('search')).toEqual({ server: 'one', original: 'search' });
    expect(table.byExposed.get('two_1mcp_search')).toEqual({ server: 'two', original: 'search' });
    expect(exposedOf(table, 'three', 'search')).toBeUndefined();
    expect(exposedOf(table, 'three', 'only_three')).toBe('only_three');
  });

  test('a prefixed name that equals another server\'s bare name is a conflict, not a shadow', () => {
    const table = buildNameTable([
      { server: 'a', prefix: '', names: ['b_1mcp_x'] },
      { server: 'b', prefix: 'b', names: ['x'] },
    ]);
    expect(table.conflicts).toEqual([{ server: 'b', original: 'x', name: 'b_1mcp_x', conflictsWith: 'a' }]);
  });

  test('a hash collision within one server is reported, never shadowed', () => {
    // Two originals found once by search whose cut text and 6-hex hash coincide.
    const first = 'a_tool_name_that_is_long_enough_to_be_cut_for_sure_7889';
    const second = 'a_tool_name_that_is_long_enough_to_be_cut_for_sure_11534';
    expect(exposedName('srv', first)).toBe(exposedName('srv', second));
    const table = buildNameTable([{ server: 'srv', prefix: 'srv', names: [first, second] }]);
    expect(table.conflicts).toEqual([{ server: 'srv', original: second, name: 'srv_1mcp_a_tool_name_that_is_long_enough_to_be_d0ad00', conflictsWith: 'srv' }]);
    expect(table.byExposed.get('srv_1mcp_a_tool_name_that_is_long_enough_to_be_d0ad00')).toEqual({ server: 'srv', original: first });
  });

  test('a backend listing the same name twice gets one entry and no conflict', () => {
    const table = buildNameTable([{ server: 's', prefix: 's', names: ['t', 't'] }]);
    expect(table.conflicts).toEqual([]);
    expect(table.byExposed.size).toBe(1);
  });

  test('the budget reaches every name', () => {
    const table = buildNameTable([{ server: 's', prefix: 'server', names: ['z'.repeat(40)] }], 30);
    const [name] = table.byExposed.keys();
    expect(name!.length).toBeLessThanOrEqual(30);
  });

  test('1000 random names over several servers: valid, unique, exact round trip', () => {
    const rand = seededRandom(7);
    const alphabet = [...'abcXYZ019_-. /é日', '🙂', '\ud800'];
    const servers = ['alpha', 'beta', 'a-very-long-server-key-that-eats-the-budget'].map((key) => {
      const names = new Set<string>();
      while (names.size < 334) {
        const len = Math.floor(rand() * 80); // 0 included: an empty original must still work
        names.add(Array.from({ length: len }, () => alphabet[Math.floor(rand() * alphabet.length)]!).join(''));
      }
      return { server: key, prefix: key, names: [...names] };
    });
    const table = buildNameTable(servers);
    expect(table.conflicts).toEqual([]);
    expect(table.byExposed.size).toBe(3 * 334);
    for (const s of servers) {
      for (const original of s.names) {
        const name = exposedOf(table, s.server, original)!;
        expect(name).toMatch(VALID);
        expect(name.length).toBeLessThanOrEqual(53);
        expect(table.byExposed.get(name)).toEqual({ server: s.server, original });
      }
    }
  });
});

describe('buildUriTable', () => {
  test('original URIs kept; the later server\'s duplicate gets the alias; both forms route', () => {
    const table = buildUriTable([
      { server: 'one', prefix: 'one', uris: ['file:///a.txt', 'ui://one/app'] },
      { server: 'two', prefix: 'two', uris: ['file:///a.txt', 'ui://two/app'] },
    ]);
    expect(table.conflicts).toEqual([]);
    expect(table.byExposed.get('file:///a.txt')).toEqual({ server: 'one', original: 'file:///a.txt' });
    expect(table.byExposed.get('two_1mcp_file:///a.txt')).toEqual({ server: 'two', original: 'file:///a.txt' });
    expect(exposedOf(table, 'two', 'ui://two/app')).toBe('ui://two/app');
  });

  test('when even the alias is taken (shared prefix), the later server gets a conflict', () => {
    const table = buildUriTable([
      { server: 'one', prefix: 'p', uris: ['file:///a'] },
      { server: 'two', prefix: 'p', uris: ['file:///a'] },
      { server: 'three', prefix: 'p', uris: ['file:///a'] },
    ]);
    expect(table.conflicts).toEqual([{ server: 'three', original: 'file:///a', name: 'p_1mcp_file:///a', conflictsWith: 'two' }]);
  });
});
