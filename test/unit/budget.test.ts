/** The budget report's figures (src/catalog/budget.ts) and the schema summary of `1mcp inspect <server>/<tool>`. */
import { describe, expect, test } from 'bun:test';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { budgetReport, CLIENT_LIMITS, listTokens } from '../../src/catalog/budget.ts';
import { parameterLines, typeOf } from '../../src/cli/schema-summary.ts';
import { metaTools } from '../../src/search/meta-tools.ts';
import { estimateTokens } from '../../src/search/tokens.ts';

function tools(prefix: string, n: number): Tool[] {
  return Array.from({ length: n }, (_, i) => ({
    name: `${prefix}_1mcp_tool_${i}`,
    description: `Does thing number ${i} with the given text and returns what it did.`,
    inputSchema: { type: 'object', properties: { text: { type: 'string', description: 'What to work on' } }, required: ['text'] },
  }));
}

const limit = (report: ReturnType<typeof budgetReport>, id: string) => report.limits.find((l) => l.id === id)!;

describe('budgetReport', () => {
  test('per server and total: counts and the estimate of the tools/list result', () => {
    const a = tools('a', 10);
    const b = tools('b', 5);
    const report = budgetReport([{ server: 'a', tools: a }, { server: 'b', tools: b }]);
    expect(report.servers.map((s) => [s.server, s.tools, s.pinned])).toEqual([['a', 10, 0], ['b', 5, 0]]);
    expect(report.servers[0]!.tokens.direct).toBe(estimateTokens({ tools: a }));
    expect(report.total.tools).toBe(15);
    expect(report.total.tokens.direct).toBe(estimateTokens({ tools: [...a, ...b] }));
    expect(listTokens(a)).toBe(estimateTokens({ tools: a }));
  });

  test('search mode is exactly the meta-tools serve lists, plus the pinned tools of the view', () => {
    const a = tools('a', 50);
    const plain = budgetReport([{ server: 'a', tools: a }]);
    expect(plain.total.toolsInSearchMode).toBe(3);
    expect(plain.total.tokens.search).toBe(estimateTokens({ tools: metaTools() }));
    expect(plain.servers[0]!.tokens.search).toBe(0);
    const pinned = budgetReport([{ server: 'a', tools: a }], ['a_1mcp_tool_7', 'not_in_view']);
    expect(pinned.total.toolsInSearchMode).toBe(4);
    expect(pinned.servers[0]!.pinned).toBe(1);
    expect(pinned.total.tokens.search).toBe(estimateTokens({ tools: [a[7], ...metaTools()] }));
    expect(pinned.servers[0]!.tokens.search).toBe(estimateTokens({ tools: [a[7]] }));
  });

  test('40 tools is within Cursor, 41 over it; 128 within VS Code, 129 over it; search mode within both', () => {
    expect(limit(budgetReport([{ server: 'a', tools: tools('a', 40) }]), 'cursor').exceeded).toEqual({ direct: false, search: false });
    const over40 = budgetReport([{ server: 'a', tools: tools('a', 41) }]);
    expect(limit(over40, 'cursor')).toMatchObject({ max: 40, direct: 41, search: 3, exceeded: { direct: true, search: false } });
    expect(limit(over40, 'vscode').exceeded.direct).toBe(false);
    expect(limit(budgetReport([{ server: 'a', tools: tools('a', 128) }]), 'vscode').exceeded.direct).toBe(false);
    const over128 = budgetReport([{ server: 'a', tools: tools('a', 100) }, { server: 'b', tools: tools('b', 29) }]);
    expect(limit(over128, 'vscode')).toMatchObject({ max: 128, direct: 129, exceeded: { direct: true, search: false } });
  });

  test('names over 64 characters are listed; pinning one keeps it over the limit in search mode', () => {
    const long = { name: `x_1mcp_${'n'.repeat(60)}`, inputSchema: { type: 'object' as const } };
    const report = budgetReport([{ server: 'x', tools: [...tools('x', 2), long] }]);
    expect(limit(report, 'name-length')).toMatchObject({ direct: 67, names: [long.name], exceeded: { direct: true, search: false } });
    expect(limit(budgetReport([{ server: 'x', tools: [long] }], [long.name]), 'name-length').exceeded.search).toBe(true);
    expect(limit(budgetReport([{ server: 'x', tools: tools('x', 3) }]), 'name-length').names).toBeUndefined();
  });

  test('an empty view: zero tools, only the meta-tools in search mode, no limit crossed', () => {
    const report = budgetReport([]);
    expect(report.total).toMatchObject({ tools: 0, toolsInSearchMode: 3 });
    expect(report.limits.every((l) => !l.exceeded.direct && !l.exceeded.search)).toBe(true);
    expect(CLIENT_LIMITS.map((l) => l.id)).toEqual(['cursor', 'vscode', 'name-length']);
  });
});

describe('schema summary', () => {
  test('types: scalars, arrays, enums, unions, objects', () => {
    expect(typeOf({ type: 'string' })).toBe('string');
    expect(typeOf({ type: 'array', items: { type: 'integer' } })).toBe('integer[]');
    expect(typeOf({ enum: ['a', 'b'] })).toBe('"a" | "b"');
    expect(typeOf({ type: ['string', 'null'] })).toBe('string | null');
    expect(typeOf({ anyOf: [{ type: 'string' }, { type: 'number' }] })).toBe('string | number');
    expect(typeOf({ type: 'object', properties: { x: {}, y: {} } })).toBe('object {x, y}');
    expect(typeOf({ type: 'array', items: { enum: [1, 2] } })).toBe('(1 | 2)[]');
    expect(typeOf(undefined)).toBe('any');
  });

  test('one line per parameter: type, required or optional, default, description', () => {
    const lines = parameterLines({
      type: 'object',
      properties: { path: { type: 'string', description: 'File to read.\n  Relative to the root.' }, limit: { type: 'integer', default: 5 } },
      required: ['path'],
    });
    expect(lines).toEqual(['- path: string, required — File to read. Relative to the root.', '- limit: integer, optional, default 5']);
    expect(parameterLines({ type: 'object' })).toEqual([]);
    expect(parameterLines(null)).toEqual([]);
  });
});
