/** Views over HTTP, presets and live preset edits (docs/protocol.md, README.md, docs/configuration.md, docs/design.md). */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.ts';
import { fixtureEntry } from '../helpers/fixture.ts';
import { connectHttp } from '../helpers/mcp-client.ts';
import { waitFor } from '../helpers/processes.ts';
import { startServe, type ServeHandle } from '../helpers/serve.ts';

const PRESETS_1MCP = JSON.parse(readFileSync(join(import.meta.dir, '..', 'fixtures', 'configs', 'presets-1mcp.json'), 'utf8'));

const servers = {
  mcpServers: {
    web: fixtureEntry(['--name', 'web'], { tags: ['web', 'remote'] }),
    files: fixtureEntry(['--name', 'files'], { tags: ['files', 'Local'] }),
    tests: fixtureEntry(['--name', 'tests'], { tags: ['files', 'test'] }),
  },
};

/** Which servers a tools/list through this URL shows. */
async function serversSeen(url: string): Promise<string[]> {
  const client = await connectHttp(url);
  try {
    const { tools } = await client.listTools();
    return [...new Set(tools.map((t) => t.name.split('_1mcp_')[0]!))].sort();
  } finally {
    await client.close();
  }
}

async function initStatus(url: string): Promise<{ status: number; body: string }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } }),
  });
  return { status: response.status, body: await response.text() };
}

describe('selectors', () => {
  let serve: ServeHandle;
  beforeAll(async () => {
    serve = await startServe(servers, { presets: PRESETS_1MCP });
  });
  afterAll(async () => {
    await serve.stop();
  });

  test('no selector: everything', async () => expect(await serversSeen(serve.url)).toEqual(['files', 'tests', 'web']));
  test('?tags= (any of, case-insensitive)', async () => expect(await serversSeen(`${serve.url}?tags=REMOTE,local`)).toEqual(['files', 'web']));
  test('?tag-filter=', async () => expect(await serversSeen(`${serve.url}?tag-filter=${encodeURIComponent('files and not test')}`)).toEqual(['files']));
  test('?filter= is an alias', async () => expect(await serversSeen(`${serve.url}?filter=${encodeURIComponent('web,test')}`)).toEqual(['tests', 'web']));
  test('?preset= with a 1MCP-written presets.json (tagQuery only)', async () => {
    expect(await serversSeen(`${serve.url}?preset=web-only`)).toEqual(['web']);
    expect(await serversSeen(`${serve.url}?preset=files-not-test`)).toEqual(['files']);
  });
  test('two selectors: 400 naming both', async () => {
    const r = await initStatus(`${serve.url}?preset=web-only&tags=web`);
    expect(r.status).toBe(400);
    expect(r.body).toContain('\\"preset\\" and \\"tags\\"');
  });
  test('unknown preset: 400 naming it', async () => {
    const r = await initStatus(`${serve.url}?preset=nope`);
    expect(r.status).toBe(400);
    expect(r.body).toContain('unknown preset \\"nope\\"');
  });
  test('bad expression: 400 with the parse error', async () => {
    const r = await initStatus(`${serve.url}?tag-filter=${encodeURIComponent('web and')}`);
    expect(r.status).toBe(400);
    expect(r.body).toContain("expected a tag after 'and'");
  });
  test('a call outside the view is refused', async () => {
    const client = await connectHttp(`${serve.url}?tags=web`);
    try {
      await expect(client.callTool({ name: 'files_1mcp_echo', arguments: { text: 'x' } })).rejects.toThrow(/unknown tool/);
      expect((await client.callTool({ name: 'web_1mcp_echo', arguments: { text: 'x' } })).isError).toBeFalsy();
    } finally {
      await client.close();
    }
  });
  test('preset list/show read the 1MCP file', async () => {
    const list = await runCli(['preset', 'list', '--json', '--config-dir', serve.dir]);
    const rows = JSON.parse(list.stdout);
    expect(rows.map((r: { name: string; filter: string }) => [r.name, r.filter])).toEqual([
      ['web-only', 'web'],
      ['files-not-test', 'files and not test'],
    ]);
    const show = await runCli(['preset', 'show', 'files-not-test', '--json', '--config-dir', serve.dir]);
    const shown = JSON.parse(show.stdout);
    expect(shown.servers).toEqual(['files']);
    expect(shown.url).toBe(`${serve.origin}/mcp?preset=files-not-test`);
  });
});

describe('server default view (serve --filter)', () => {
  test('requests without a selector get the default; a selector overrides it', async () => {
    const serve = await startServe(servers, { args: ['--filter', 'web'] });
    try {
      expect(await serversSeen(serve.url)).toEqual(['web']);
      expect(await serversSeen(`${serve.url}?tags=files`)).toEqual(['files', 'tests']);
    } finally {
      await serve.stop();
    }
  });
});

describe('presets: written by us, edited live', () => {
  let serve: ServeHandle;
  beforeAll(async () => {
    serve = await startServe(servers);
  });
  afterAll(async () => {
    await serve.stop();
  });
  const preset = (...args: string[]) => runCli(['preset', ...args, '--config-dir', serve.dir]);

  test('create with an invalid expression stores nothing and shows where the error is', async () => {
    const r = await preset('create', 'bad', '--filter', 'web and or x');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("expected a tag after 'and', found 'or' at column 9");
    expect(r.stderr).toContain('          ^');
    expect(() => readFileSync(join(serve.dir, 'presets.json'))).toThrow();
  });

  test('our presets.json carries 1MCP’s fields plus the expression', async () => {
    const r = await preset('create', 'dev', '--filter', 'web', '--description', 'web only');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`${serve.origin}/mcp?preset=dev`);
    expect(r.stdout).toContain('Matches now: web');
    const file = JSON.parse(readFileSync(join(serve.dir, 'presets.json'), 'utf8'));
    expect(file.version).toBe('1.0.0');
    const dev = file.presets.dev;
    expect(Object.keys(dev).sort()).toEqual(['created', 'description', 'filter', 'lastModified', 'name', 'strategy', 'tagQuery']);
    expect(dev).toMatchObject({ name: 'dev', strategy: 'or', tagQuery: { tag: 'web' }, filter: 'web' });
  });

  test('preset test counts the tools a preset exposes and warns above well-known client limits', async () => {
    expect((await preset('create', 'wide', '--filter', 'web or files or test')).code).toBe(0);
    const r = await preset('test', 'wide');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Servers in wide: web, files, tests');
    const tools = Number(/Tools: (\d+) \(about (\d+) tokens/.exec(r.stdout)![1]);
    expect(tools).toBeGreaterThan(40);
    expect(r.stdout).toMatch(/about \d+ tokens/);
    expect(r.stderr).toContain('more than 40 tools');
    expect(r.stderr).not.toContain('more than 128 tools');
  });

  test('preset edit and a hand edit of presets.json reach an open session: list_changed, new list, old tools refused', async () => {
    const client = await connectHttp(`${serve.url}?preset=dev`);
    let changes = 0;
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => void changes++);
    try {
      const names = async () => [...new Set((await client.listTools()).tools.map((t) => t.name.split('_1mcp_')[0]))].sort();
      expect(await names()).toEqual(['web']);

      expect((await preset('edit', 'dev', '--filter', 'files and not test')).code).toBe(0);
      await waitFor(() => changes >= 1, { what: 'list_changed after preset edit' });
      expect(await names()).toEqual(['files']);
      await expect(client.callTool({ name: 'web_1mcp_echo', arguments: { text: 'x' } })).rejects.toThrow(/unknown tool/);

      // A hand edit: change the stored expression directly.
      const path = join(serve.dir, 'presets.json');
      const file = JSON.parse(readFileSync(path, 'utf8'));
      file.presets.dev.filter = 'test';
      file.presets.dev.tagQuery = { tag: 'test' };
      writeFileSync(path, JSON.stringify(file, null, 2));
      await waitFor(() => changes >= 2, { what: 'list_changed after a hand edit' });
      expect(await names()).toEqual(['tests']);
      await expect(client.callTool({ name: 'files_1mcp_echo', arguments: { text: 'x' } })).rejects.toThrow(/unknown tool/);
    } finally {
      await client.close();
    }
  });
});
