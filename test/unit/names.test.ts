/** Exposed names (SPEC §4.2): valid, within budget, stable, exact to map back. */
import { describe, expect, test } from 'bun:test';
import { exposedName, resourceAlias, shortHash } from '../../src/catalog/names.ts';
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

  test('empty and unicode originals still give valid names', () => {
    expect(exposedName('', '')).toMatch(VALID);
    expect(exposedName('s', '日本語ツール')).toBe('s_1mcp________6d309d');
  });

  test('1000 random names: all valid, within budget, unique, deterministic', () => {
    const rand = seededRandom(42);
    const alphabet = 'abcdefghijklmnopqrstuvwxyzABC0123456789_-. /:é日';
    const originals = new Set<string>();
    while (originals.size < 1000) {
      const len = 1 + Math.floor(rand() * 120);
      originals.add(Array.from({ length: len }, () => alphabet[Math.floor(rand() * alphabet.length)]).join(''));
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
