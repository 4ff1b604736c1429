/** How the agent commands choose a view and read serve's instructions (src/cli/view-session.ts, view-catalog.ts). */
import { describe, expect, test } from 'bun:test';
import { instructionSections } from '../../src/cli/view-catalog.ts';
import { chooseView, viewLabel, viewQuery } from '../../src/cli/view-session.ts';
import { splitToolRef } from '../../src/cli/tool-ref.ts';

describe('choosing the view', () => {
  const rc = { path: '/p/.1mcprc', preset: 'dev', filter: 'a', tags: ['x', 'y'] };
  test('a flag beats .1mcprc; within one source preset > filter > tags', () => {
    expect(chooseView({}, rc)).toEqual({ preset: 'dev' });
    expect(chooseView({}, { path: rc.path, filter: 'a', tags: ['x'] })).toEqual({ filter: 'a' });
    expect(chooseView({}, { path: rc.path, tags: ['x', 'y'] })).toEqual({ tags: 'x,y' });
    expect(chooseView({ tags: 'web' }, rc)).toEqual({ tags: 'web' });
    expect(chooseView({ filter: 'b', tags: 'web' }, rc)).toEqual({ filter: 'b' });
    expect(chooseView({}, undefined)).toEqual({});
  });

  test('the session always asks for discovery=off; labels say which view', () => {
    expect(viewQuery({ preset: 'dev' }).toString()).toBe('preset=dev&discovery=off&app=1mcp-cli');
    expect(viewQuery({}).toString()).toBe('discovery=off&app=1mcp-cli');
    expect(viewQuery({ filter: 'a and b' }).get('filter')).toBe('a and b');
    expect([viewLabel({ preset: 'p' }), viewLabel({ filter: 'a+b' }), viewLabel({ tags: 'x' }), viewLabel({})]).toEqual(['preset p', 'filter "a+b"', 'tags x', 'default view']);
  });
});

test('instruction sections: the first sentence under each "## server" heading', () => {
  const text = 'This endpoint (1mcp) gathers 2 MCP servers: a, b.\n\n## a\nApples and pears from the orchard. More text here.\n\n## b\nBananas, mostly fresh ones.';
  expect([...instructionSections(text)]).toEqual([['a', 'Apples and pears from the orchard.'], ['b', 'Bananas, mostly fresh ones.']]);
  expect(instructionSections(undefined).size).toBe(0);
  expect(instructionSections('no headings here').size).toBe(0);
});

test('server/tool references', () => {
  expect(splitToolRef('files/read_file')).toEqual({ server: 'files', tool: 'read_file' });
  expect(splitToolRef('files/a/b')).toEqual({ server: 'files', tool: 'a/b' });
  expect(splitToolRef('files_1mcp_echo')).toEqual({ server: 'files_1mcp_echo' });
  expect(() => splitToolRef('/x')).toThrow('is not <server>/<tool>');
  expect(() => splitToolRef('x/')).toThrow('is not <server>/<tool>');
});
