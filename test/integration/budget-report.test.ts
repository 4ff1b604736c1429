/**
 * The budget report against a real serve: `1mcp preset test <name>` and `1mcp mcp tokens [server]` print per
 * server and in total the tools, their estimated tokens (direct and in search mode) and the client limits the
 * view crosses. The figures are checked against what an SDK client of the same view is listed.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { metaTools } from '../../src/search/meta-tools.ts';
import { estimateTokens } from '../../src/search/tokens.ts';
import { runCli } from '../helpers/cli.ts';
import { fixtureEntry } from '../helpers/fixture.ts';
import { connectHttp } from '../helpers/mcp-client.ts';
import { startServe, type ServeHandle } from '../helpers/serve.ts';
import { makeTempDir, type TempDir } from '../helpers/tmp.ts';

/** The fixture has 16 tools of its own; --tools N adds N more. */
const FIXTURE_TOOLS = 16;

const config = {
  mcpServers: {
    web: fixtureEntry(['--name', 'web', '--tools', '30'], { tags: ['web'] }),
    files: fixtureEntry(['--name', 'files'], { tags: ['files'] }),
    big: fixtureEntry(['--name', 'big', '--tools', '100'], { tags: ['big'] }),
  },
};

const preset = (name: string, tag: string, extra: Record<string, unknown> = {}) => ({ name, strategy: 'or', tagQuery: { tag }, ...extra });
const presets = {
  version: '1.0.0',
  presets: {
    small: preset('small', 'files'),
    wide: { name: 'wide', strategy: 'or', tagQuery: { $or: [{ tag: 'web' }, { tag: 'files' }] } },
    huge: { name: 'huge', strategy: 'or', tagQuery: { $or: [{ tag: 'web' }, { tag: 'files' }, { tag: 'big' }] } },
    pinned: preset('pinned', 'files', { pin: ['files_1mcp_echo', 'files_1mcp_add'] }),
    searching: preset('searching', 'web', { discovery: 'search' }),
  },
};

let serve: ServeHandle;
let cwd: TempDir;
const cli = (args: string[]) => runCli([...args, '--config-dir', serve.dir], { cwd: cwd.path });

beforeAll(async () => {
  cwd = makeTempDir('1mcp-budget-cwd-');
  serve = await startServe(config, { presets });
});
afterAll(async () => {
  await serve?.stop();
  cwd?.cleanup();
});

/** What an SDK client of this view is listed. */
async function listed(query: string) {
  const client = await connectHttp(`${serve.url}?${query}`);
  try {
    return (await client.listTools()).tools;
  } finally {
    await client.close();
  }
}

describe('preset test', () => {
  test('a view over 40 tools: servers, per-server rows, totals, search-mode figure, Cursor warning (not VS Code)', async () => {
    const r = await cli(['preset', 'test', 'wide']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Servers in wide: web, files');
    expect(r.stdout).toMatch(/^web\s+connected\s+46\s+\d+/m);
    expect(r.stdout).toMatch(/^files\s+connected\s+16\s+\d+/m);
    expect(r.stdout).not.toMatch(/^big\s/m);
    const direct = estimateTokens({ tools: await listed('preset=wide') });
    expect(r.stdout).toContain(`Tools: 62 (about ${direct} tokens of definitions`);
    expect(r.stdout).toContain(`Search mode: 3 tools (3 meta-tools), about ${estimateTokens({ tools: metaTools() })} tokens`);
    expect(r.stdout).toContain('Client limits exceeded: Cursor (40 tools) — not in search mode');
    expect(r.stderr).toContain('more than 40 tools (62)');
    expect(r.stderr).not.toContain('more than 128 tools');
  });

  test('--json over 128 tools: exact figures of what a client of the view is listed; both tool limits crossed directly, none in search mode', async () => {
    const r = await cli(['preset', 'test', 'huge', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ preset: 'huge', servers: ['web', 'files', 'big'] });
    const tools = await listed('preset=huge');
    expect(tools.length).toBe(3 * FIXTURE_TOOLS + 130);
    const { budget } = out;
    expect(budget.view).toBe('preset huge');
    expect(budget.url).toBe(`${serve.url}?preset=huge`);
    expect(budget.servers.map((s: { server: string; tools: number; state: string }) => [s.server, s.tools, s.state])).toEqual([
      ['web', 46, 'connected'],
      ['files', 16, 'connected'],
      ['big', 116, 'connected'],
    ]);
    expect(budget.total).toEqual({ tools: tools.length, toolsInSearchMode: 3, tokens: { direct: estimateTokens({ tools }), search: estimateTokens({ tools: metaTools() }) } });
    const byId = Object.fromEntries(budget.limits.map((l: { id: string }) => [l.id, l]));
    expect(byId.cursor).toMatchObject({ max: 40, direct: 178, search: 3, exceeded: { direct: true, search: false } });
    expect(byId.vscode).toMatchObject({ max: 128, direct: 178, exceeded: { direct: true, search: false } });
    expect(byId['name-length'].exceeded).toEqual({ direct: false, search: false });
    // The search-mode list is a few percent of the direct one.
    expect(budget.total.tokens.search / budget.total.tokens.direct).toBeLessThan(0.1);
  });

  test('a small view crosses nothing; pinned tools count in search mode', async () => {
    const small = await cli(['preset', 'test', 'small']);
    expect(small.code, small.stderr).toBe(0);
    expect(small.stdout).toContain('Client limits exceeded: none');
    expect(small.stderr).not.toContain('warning');
    const pinned = JSON.parse((await cli(['preset', 'test', 'pinned', '--json'])).stdout).budget;
    expect(pinned.total.toolsInSearchMode).toBe(5);
    expect(pinned.servers[0]).toMatchObject({ server: 'files', pinned: 2 });
    const tools = await listed('preset=pinned');
    const pins = tools.filter((t) => t.name === 'files_1mcp_echo' || t.name === 'files_1mcp_add');
    expect(pinned.total.tokens.search).toBe(estimateTokens({ tools: [...pins, ...metaTools()] }));
    // …which is what serve lists to a client of the view in search mode.
    const searchList = await listed('preset=pinned&discovery=search');
    expect(searchList.length).toBe(5);
    expect(pinned.total.tokens.search).toBe(estimateTokens({ tools: searchList }));
  });

  test('a preset served in search mode is still measured on its own tools (the report asks for discovery=off)', async () => {
    const r = await cli(['preset', 'test', 'searching', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const { budget } = JSON.parse(r.stdout);
    expect(budget.total.tools).toBe(46);
    expect(budget.url).toBe(`${serve.url}?preset=searching`);
  });

  test('an unknown preset is an error naming the known ones', async () => {
    const r = await cli(['preset', 'test', 'nope']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('no preset named "nope"');
  });
});

describe('mcp tokens', () => {
  test('every server of the default view, and one server', async () => {
    const all = await cli(['mcp', 'tokens']);
    expect(all.code, all.stderr).toBe(0);
    expect(all.stdout).toContain(`default view at ${serve.url}`);
    for (const [name, n] of [['web', 46], ['files', 16], ['big', 116]] as const) expect(all.stdout).toMatch(new RegExp(`^${name}\\s+connected\\s+${n}\\s`, 'm'));
    expect(all.stdout).toContain('Tools: 178');
    expect(all.stdout).toContain('Client limits exceeded: Cursor (40 tools) — not in search mode; VS Code (128 tools) — not in search mode');
    expect(all.stderr).toContain('more than 128 tools (178) — VS Code');

    const one = JSON.parse((await cli(['mcp', 'tokens', 'files', '--json'])).stdout);
    expect(one.servers.map((s: { server: string }) => s.server)).toEqual(['files']);
    const files = (await listed('tags=files')).filter((t) => t.name.startsWith('files_1mcp_'));
    expect(one.total).toMatchObject({ tools: 16, tokens: { direct: estimateTokens({ tools: files }) } });
  });

  test('view selectors narrow it; a server outside the view is a usage error (exit 2)', async () => {
    const web = JSON.parse((await cli(['mcp', 'tokens', '--tags', 'web', '--json'])).stdout);
    expect(web.view).toBe('tags web');
    expect(web.servers.map((s: { server: string }) => s.server)).toEqual(['web']);
    const filtered = JSON.parse((await cli(['mcp', 'tokens', '--filter', 'files or big', '--json'])).stdout);
    expect(filtered.servers.map((s: { server: string }) => s.server)).toEqual(['files', 'big']);
    const outside = await cli(['mcp', 'tokens', 'big', '--tags', 'web']);
    expect(outside.code).toBe(2);
    expect(outside.stderr).toContain('no server named "big" in the tags web (web)');
  });

  test('.1mcprc in the working directory chooses the view; a flag overrides it', async () => {
    const project = makeTempDir('1mcp-budget-rc-');
    try {
      writeFileSync(join(project.path, '.1mcprc'), '{ "preset": "small", }');
      const run = (args: string[]) => runCli([...args, '--config-dir', serve.dir, '--json'], { cwd: project.path });
      const fromRc = JSON.parse((await run(['mcp', 'tokens'])).stdout);
      expect(fromRc.view).toBe('preset small');
      expect(fromRc.servers.map((s: { server: string }) => s.server)).toEqual(['files']);
      const flag = JSON.parse((await run(['mcp', 'tokens', '--tags', 'web'])).stdout);
      expect(flag.servers.map((s: { server: string }) => s.server)).toEqual(['web']);
      // Its pins count in search mode, over the preset's own (the proxy sends them as ?pin=).
      writeFileSync(join(project.path, '.1mcprc'), '{ "preset": "pinned", "pin": ["files_1mcp_stats"] }');
      const pinned = JSON.parse((await run(['mcp', 'tokens'])).stdout);
      expect(pinned.total.toolsInSearchMode).toBe(4);
      expect(pinned.servers[0]).toMatchObject({ server: 'files', pinned: 1 });
    } finally {
      project.cleanup();
    }
  });
});

describe('without a running serve', () => {
  test('preset test still names the matching servers, then says no serve runs: exit 3; mcp tokens: exit 3', async () => {
    const dir = makeTempDir('1mcp-budget-noserve-');
    try {
      writeFileSync(join(dir.path, 'mcp.json'), JSON.stringify(config));
      writeFileSync(join(dir.path, 'presets.json'), JSON.stringify(presets));
      const tested = await runCli(['preset', 'test', 'wide', '--config-dir', dir.path], { cwd: cwd.path });
      expect(tested.code).toBe(3);
      expect(tested.stdout).toContain('Servers in wide: web, files');
      expect(tested.stderr).toContain(`no running 1mcp serve found for ${dir.path}`);
      const json = await runCli(['preset', 'test', 'wide', '--json', '--config-dir', dir.path], { cwd: cwd.path });
      expect(json.code).toBe(3);
      expect(JSON.parse(json.stdout)).toMatchObject({ preset: 'wide', servers: ['web', 'files'], budget: null });
      const tokens = await runCli(['mcp', 'tokens', '--config-dir', dir.path], { cwd: cwd.path });
      expect(tokens.code).toBe(3);
      expect(tokens.stdout).toBe('');
      expect(tokens.stderr).toContain('no running 1mcp serve found');
    } finally {
      dir.cleanup();
    }
  });
});
