/** Aggregated pagination (docs/protocol.md) and the instructions template (§4.8). */
import { expect, test } from 'bun:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixtureEntry } from '../helpers/fixture.ts';
import { connectHttp } from '../helpers/mcp-client.ts';
import { startServe } from '../helpers/serve.ts';

test('?pagination=true pages the aggregated list with opaque cursors; without it, one page', async () => {
  const serve = await startServe({ mcpServers: { p: fixtureEntry(['--name', 'p', '--tools', '150']), q: fixtureEntry(['--name', 'q', '--tools', '50']) } });
  try {
    const whole = await connectHttp(serve.url);
    const all = (await whole.listTools()).tools.map((t) => t.name);
    expect(all.length).toBeGreaterThan(200);
    await whole.close();

    const paged = await connectHttp(`${serve.url}?pagination=true`);
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await paged.listTools(cursor ? { cursor } : {});
      seen.push(...page.tools.map((t) => t.name));
      cursor = page.nextCursor;
      pages++;
      if (cursor) expect(cursor).not.toContain('_1mcp_');
    } while (cursor);
    expect(pages).toBeGreaterThanOrEqual(3);
    expect(seen).toEqual(all);
    await expect(paged.listTools({ cursor: 'bm90LWEtY3Vyc29y' })).rejects.toThrow(/invalid cursor/);
    await paged.close();
  } finally {
    await serve.stop();
  }
});

test('--instructions-template lays out the aggregated instructions', async () => {
  const dir = mkdtempSync(join(tmpdir(), '1mcp-template-'));
  const template = join(dir, 'instructions.md');
  writeFileSync(template, 'Servers ({{count}}): {{serverNames}}\n\n{{servers}}');
  const serve = await startServe(
    { mcpServers: { a: fixtureEntry(['--name', 'a', '--instructions', 'Use a for apples.']), b: fixtureEntry(['--name', 'b']) } },
    { args: ['--instructions-template', template] },
  );
  try {
    const client = await connectHttp(serve.url);
    expect(client.getInstructions()).toBe('Servers (2): a, b\n\n## a\nUse a for apples.');
    await client.close();
  } finally {
    await serve.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('collisions: a bare name taken by an earlier server is a reported load error; a taken resource URI gets an alias', async () => {
  const serve = await startServe({
    mcpServers: {
      first: fixtureEntry(['--name', 'same'], { prefix: '' }),
      second: fixtureEntry(['--name', 'same'], { prefix: '' }),
      third: fixtureEntry(['--name', 'same']),
    },
  });
  try {
    const client = await connectHttp(serve.url);
    const tools = (await client.listTools()).tools.map((t) => t.name);
    expect(tools.filter((t) => t === 'echo')).toHaveLength(1);
    expect(tools).toContain('third_1mcp_echo');
    const echo = await client.callTool({ name: 'echo', arguments: { text: 'who' } });
    expect((echo.content as { text: string }[])[0]!.text).toBe('who');
    const uris = (await client.listResources()).resources.map((r) => r.uri);
    // first owns the URI; the later servers get <prefix>_1mcp_<uri> (second's prefix is empty).
    expect(uris).toEqual(['fixture://same/static', '_1mcp_fixture://same/static', 'third_1mcp_fixture://same/static']);
    const read = await client.readResource({ uri: 'third_1mcp_fixture://same/static' });
    expect((read.contents[0] as { text: string }).text).toBe('static of same');
    await client.close();
    const status = (await (await fetch(`${serve.origin}/api/status`)).json()) as { problems: { server: string; message: string }[] };
    expect(status.problems.some((p) => p.server === 'second' && p.message.includes('tool "echo"') && p.message.includes('"first"'))).toBe(true);
    expect(status.problems.filter((p) => p.server === 'third')).toEqual([]);
  } finally {
    await serve.stop();
  }
});
