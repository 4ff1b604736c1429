/** How a view chooses search mode: query values, preset/.1mcprc keys, the proxy's query, auto's threshold. */
import { describe, expect, test } from 'bun:test';
import { inSearchMode, mergeDiscovery, parseDiscoveryMode, parsePins, withDiscovery } from '../../src/catalog/discovery.ts';
import { EVERYTHING } from '../../src/catalog/view.ts';
import { viewQuery } from '../../src/cli/proxy.ts';
import { parseProjectRc } from '../../src/config/rc.ts';
import { selectorFromQuery } from '../../src/server/views.ts';

describe('discovery choice', () => {
  test('modes and pins as written; bad ones are one-line errors', () => {
    expect(parseDiscoveryMode('auto', '--discovery')).toBe('auto');
    expect(() => parseDiscoveryMode('on', '--discovery')).toThrow('--discovery must be search, auto or off (got "on")');
    expect(parsePins(' a_1mcp_x , ,b_1mcp_y,a_1mcp_x', '?pin=')).toEqual(['a_1mcp_x', 'b_1mcp_y']);
    expect(parsePins(['a_1mcp_x'], 'pin')).toEqual(['a_1mcp_x']);
    expect(() => parsePins([1], '"pin"')).toThrow('"pin" must be a list of tool names');
  });

  test('a request overrides a preset part by part; the view key tells the lists apart', () => {
    expect(mergeDiscovery({ mode: 'search', pin: ['p'] }, { mode: 'off' })).toEqual({ mode: 'off', pin: ['p'] });
    expect(mergeDiscovery({ mode: 'search' }, undefined)).toEqual({ mode: 'search' });
    const search = withDiscovery(EVERYTHING, { mode: 'search' });
    expect(search.key).not.toBe(EVERYTHING.key);
    expect(withDiscovery(EVERYTHING, undefined)).toBe(EVERYTHING);
    expect(withDiscovery(search, { pin: ['p'] })).toMatchObject({ discovery: { mode: 'search', pin: ['p'] } });
  });

  test('auto: search mode only above the threshold; the view’s choice beats serve’s default', () => {
    const defaults = { mode: 'auto' as const, threshold: 40 };
    expect(inSearchMode(undefined, defaults, 40)).toBe(false);
    expect(inSearchMode(undefined, defaults, 41)).toBe(true);
    expect(inSearchMode({ mode: 'off' }, defaults, 500)).toBe(false);
    expect(inSearchMode({ mode: 'search' }, { mode: 'off', threshold: 40 }, 1)).toBe(true);
  });

  test('?discovery= and ?pin= are not view selectors: they go with any one of them', () => {
    expect(selectorFromQuery(new URLSearchParams('preset=web&discovery=search&pin=a,b'))).toEqual({ preset: 'web', discovery: { mode: 'search', pin: ['a', 'b'] } });
    expect(() => selectorFromQuery(new URLSearchParams('discovery=yes'))).toThrow('?discovery= must be search, auto or off');
  });

  test('.1mcprc keys discovery and pin, checked; the proxy sends them as query parameters (flag first)', () => {
    const rc = parseProjectRc('{ "tags": "math", "discovery": "search", "pin": "math_1mcp_add" }', '/p/.1mcprc');
    expect(rc).toMatchObject({ discovery: 'search', pin: ['math_1mcp_add'] });
    expect(() => parseProjectRc('{ "discovery": true }', '/p/.1mcprc')).toThrow('/p/.1mcprc: "discovery" must be "search", "auto" or "off" (got true)');
    expect(() => parseProjectRc('{ "pin": {} }', '/p/.1mcprc')).toThrow('"pin" must be an array of tool names');
    expect(viewQuery({}, rc)).toBe('tags=math&discovery=search&pin=math_1mcp_add');
    expect(viewQuery({ preset: 'web', discovery: 'off' }, rc)).toBe('preset=web&discovery=off&pin=math_1mcp_add');
  });
});
