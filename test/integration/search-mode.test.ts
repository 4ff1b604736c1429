/**
 * Search mode through a real serve (docs/configuration.md, "Search mode"): tools/list shows pins and the
 * three meta-tools; search, describe and call see exactly the view's visible tools; 1mcp_call_tool behaves
 * like a direct tools/call (progress, cancellation, sampling, errors, per-session instances); `auto`
 * switches at --discovery-threshold with list_changed; the index follows mcp.json and presets.json edits;
 * presets and .1mcprc (through the proxy) choose it.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { CreateTaskResultSchema, ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { z } from 'zod';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.ts';
import { BUN, fixtureEntry } from '../helpers/fixture.ts';
import { connectHttp, connectSse, textOf } from '../helpers/mcp-client.ts';
import { waitFor } from '../helpers/processes.ts';
import { connectProxy } from '../helpers/proxy.ts';
import { startServe, type ServeHandle } from '../helpers/serve.ts';

const META = ['1mcp_search_tools', '1mcp_describe_tool', '1mcp_call_tool'];

const names = async (client: Client) => (await client.listTools()).tools.map((t) => t.name);

const searchNames = async (client: Client, query: string, limit = 50): Promise<string[]> => {
  const result = (await client.callTool({ name: '1mcp_search_tools', arguments: { query, limit } })) as any;
  const hits = result.structuredContent.tools as { name: string }[];
  // The text and the structured form say the same thing.
  expect(textOf(result).split('\n').filter(Boolean).length).toBe(hits.length || 1);
  return hits.map((h) => h.name);
};

const callVia = (client: Client, name: string, args?: Record<string, unknown>, options?: Parameters<Client['callTool']>[2]) =>
  client.callTool({ name: '1mcp_call_tool', arguments: { name, ...(args ? { arguments: args } : {}) } }, undefined, options);

const errorOf = async (p: Promise<unknown>): Promise<string> => {
  try {
    await p;
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected a JSON-RPC error');
};

const presetsWith = (searchy: Record<string, unknown>) => ({
  version: '1.0.0',
  presets: { searchy: { name: 'searchy', filter: 'files,web', ...searchy } },
});

describe('search mode chosen per request and per preset', () => {
  let serve: ServeHandle;
  beforeAll(async () => {
    serve = await startServe(
      {
        mcpServers: {
          files: fixtureEntry(['--name', 'files', '--fidelity', '--conformance'], { tags: ['files'], disabledTools: ['crash'] }),
          web: fixtureEntry(['--name', 'web', '--tasks'], { tags: ['web'] }),
          fs: fixtureEntry(['--name', 'fs'], { tags: ['fs'], scope: 'session' }),
        },
      },
      { presets: presetsWith({ discovery: 'search', pin: ['files_1mcp_echo'] }) },
    );
  });
  afterAll(async () => {
    await serve?.stop();
  });

  test('?discovery=search: tools/list is the three meta-tools; search ranks the view and both result forms agree', async () => {
    const c = await connectHttp(`${serve.url}?discovery=search`);
    try {
      expect(await names(c)).toEqual(META);
      expect(c.getInstructions()).toMatch(/Search mode: this view has \d+ tools, not all listed\. Find one with 1mcp_search_tools/);
      const found = await searchNames(c, 'add two numbers', 5);
      expect(found).toContain('files_1mcp_add');
      expect(found).toContain('web_1mcp_add');
      const result = (await c.callTool({ name: '1mcp_search_tools', arguments: { query: 'add two numbers', limit: 1 } })) as any;
      expect(result.structuredContent.tools).toHaveLength(1);
      expect(result.structuredContent.tools[0]).toMatchObject({ server: expect.any(String), description: 'Add two numbers' });
      expect(textOf(result)).toMatch(/^(files|web|fs)_1mcp_add \((files|web|fs)\) — Add two numbers$/);
      // Every meta-tool name fits the exposed-name budget (53) and pattern.
      for (const n of META) expect(n).toMatch(/^[A-Za-z0-9_-]{1,53}$/);
    } finally {
      await c.close();
    }
  });

  test('hidden by the view or by disabledTools: never found, described or called (refused like an unknown name)', async () => {
    const c = await connectHttp(`${serve.url}?tags=files&discovery=search`);
    try {
      const all = await searchNames(c, 'echo add crash exits process text numbers', 50);
      expect(all.length).toBeGreaterThan(0);
      expect(all.every((n) => n.startsWith('files_1mcp_'))).toBe(true);
      expect(await searchNames(c, 'exits the process during the call')).not.toContain('files_1mcp_crash');

      const unknown = await errorOf(c.callTool({ name: '1mcp_describe_tool', arguments: { name: 'no_such_tool' } }));
      expect(unknown).toContain('unknown tool "no_such_tool"');
      for (const hidden of ['web_1mcp_echo', 'files_1mcp_crash']) {
        expect(await errorOf(c.callTool({ name: '1mcp_describe_tool', arguments: { name: hidden } }))).toContain(`unknown tool "${hidden}"`);
        expect(await errorOf(callVia(c, hidden, {}))).toContain(`unknown tool "${hidden}"`);
      }
      // A visible tool: described in full, called through.
      const described = JSON.parse(textOf(await c.callTool({ name: '1mcp_describe_tool', arguments: { name: 'files_1mcp_add' } })));
      expect(described).toMatchObject({ name: 'files_1mcp_add', description: 'Add two numbers', inputSchema: { type: 'object', required: ['a', 'b'] }, annotations: { readOnlyHint: true } });
      expect(textOf(await callVia(c, 'files_1mcp_add', { a: 2, b: 3 }))).toBe('5');
    } finally {
      await c.close();
    }
  });

  test('bad meta-tool arguments and a bad ?discovery= are one-line errors', async () => {
    const c = await connectHttp(`${serve.url}?discovery=search`);
    try {
      expect(await errorOf(c.callTool({ name: '1mcp_search_tools', arguments: {} }))).toContain('1mcp_search_tools needs "query"');
      expect(await errorOf(c.callTool({ name: '1mcp_search_tools', arguments: { query: 'x', limit: 500 } }))).toContain('"limit" must be a whole number from 1 to 50');
      expect(await errorOf(c.callTool({ name: '1mcp_call_tool', arguments: {} }))).toContain('1mcp_call_tool needs "name"');
      expect(await errorOf(callVia(c, 'files_1mcp_add', [1, 2] as any))).toContain('"arguments" must be an object');
    } finally {
      await c.close();
    }
    const r = await fetch(`${serve.url}?discovery=sometimes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } }),
    });
    expect(r.status).toBe(400);
    expect(await r.text()).toContain('?discovery= must be search, auto or off (got \\"sometimes\\")');
  });

  test('pins: listed beside the meta-tools only when the view can see them', async () => {
    const pins = ['files_1mcp_echo', 'web_1mcp_echo', 'files_1mcp_crash', 'files_1mcp_add'].join(',');
    const c = await connectHttp(`${serve.url}?tags=files&discovery=search&pin=${pins}`);
    try {
      expect(await names(c)).toEqual(['files_1mcp_echo', 'files_1mcp_add', ...META]);
      expect(textOf(await c.callTool({ name: 'files_1mcp_echo', arguments: { text: 'pinned' } }))).toBe('pinned');
    } finally {
      await c.close();
    }
  });

  test('off (serve default): the whole list, and the meta-tool names are unknown tools', async () => {
    const c = await connectHttp(serve.url);
    try {
      const listed = await names(c);
      expect(listed).toContain('web_1mcp_echo');
      expect(listed.filter((n) => META.includes(n))).toEqual([]);
      expect(c.getInstructions()).not.toContain('Search mode');
      expect(await errorOf(c.callTool({ name: '1mcp_search_tools', arguments: { query: 'echo' } }))).toContain('unknown tool "1mcp_search_tools"');
    } finally {
      await c.close();
    }
  });

  test('1mcp_call_tool = a direct call: backend JSON-RPC errors stay errors, tool error results stay results', async () => {
    const c = await connectHttp(`${serve.url}?discovery=search`);
    try {
      const rpc = await errorOf(callVia(c, 'files_1mcp_fail', { code: -32010, message: 'backend says no' }));
      expect(rpc).toContain('backend says no');
      expect(rpc).toContain('-32010');
      const toolError = (await callVia(c, 'files_1mcp_test_error_handling', {})) as any;
      expect(toolError.isError).toBe(true);
      expect(textOf(toolError)).toContain('intentionally returns an error');
      // No "arguments" at all works for tools without parameters.
      expect(JSON.parse(textOf(await callVia(c, 'files_1mcp_stats'))).calls.length).toBeGreaterThan(0);
    } finally {
      await c.close();
    }
  });

  test('progress, cancellation and sampling during 1mcp_call_tool reach this client', async () => {
    const c = await connectHttp(`${serve.url}?discovery=search`, {
      hooks: { sampling: (p) => `sampled:${(p.messages[0]!.content as { text: string }).text}`, elicitation: (p) => ({ action: 'accept', content: { ok: p.message === 'sure?' } }) },
    });
    try {
      const progress: number[] = [];
      const done = await callVia(c, 'web_1mcp_slow', { ms: 200, steps: 3 }, { onprogress: (p) => progress.push(p.progress) });
      expect(textOf(done)).toBe('done');
      expect(progress).toEqual([1, 2, 3]);

      expect(textOf(await callVia(c, 'web_1mcp_sample', { prompt: 'hello' }))).toBe('sampled:hello');
      expect(JSON.parse(textOf(await callVia(c, 'web_1mcp_elicit', { message: 'sure?' })))).toEqual({ action: 'accept', content: { ok: true } });

      const controller = new AbortController();
      const hanging = callVia(c, 'web_1mcp_hang', {}, { signal: controller.signal });
      // The backend has the call once stats shows it; then the client cancels.
      await waitFor(async () => JSON.parse(textOf(await c.callTool({ name: 'web_1mcp_stats', arguments: {} }))).calls.some((x: { name: string }) => x.name === 'hang'), { what: 'the hang call to reach the backend' });
      controller.abort('changed my mind');
      await expect(hanging).rejects.toThrow();
      await waitFor(async () => JSON.parse(textOf(await c.callTool({ name: 'web_1mcp_stats', arguments: {} }))).cancelled.includes('hang'), { what: 'the backend to see the cancellation' });
    } finally {
      await c.close();
    }
  });

  test('a task-augmented 1mcp_call_tool creates the task at the backend, under this session', async () => {
    const c = await connectHttp(`${serve.url}?discovery=search`);
    try {
      const created = await c.request(
        { method: 'tools/call', params: { name: '1mcp_call_tool', arguments: { name: 'web_1mcp_task_work', arguments: { text: 't', ms: 100 } }, task: { ttl: 60_000 } } },
        CreateTaskResultSchema,
      );
      expect(created.task.status).toBe('working');
      const result = await c.request({ method: 'tasks/result', params: { taskId: created.task.taskId } }, z.looseObject({}));
      expect(textOf(result)).toBe('worked:t');
    } finally {
      await c.close();
    }
  });

  test('the legacy SSE transport takes ?discovery= too', async () => {
    const c = await connectSse(`${serve.origin}/sse?discovery=search&pin=web_1mcp_echo`);
    try {
      expect(await names(c)).toEqual(['web_1mcp_echo', ...META]);
      expect(textOf(await callVia(c, 'files_1mcp_add', { a: 1, b: 1 }))).toBe('2');
    } finally {
      await c.close();
    }
  });

  test('per-session servers: 1mcp_call_tool reaches this session’s own instance, like a direct call', async () => {
    const a = await connectHttp(`${serve.url}?discovery=search`);
    const b = await connectHttp(`${serve.url}?discovery=search`);
    try {
      const pidA = textOf(await callVia(a, 'fs_1mcp_pid'));
      const pidB = textOf(await callVia(b, 'fs_1mcp_pid'));
      expect(pidA).not.toBe(pidB);
      expect(textOf(await a.callTool({ name: 'fs_1mcp_pid', arguments: {} }))).toBe(pidA);
    } finally {
      await a.close();
      await b.close();
    }
  });

  test('a preset chooses search mode and pins; ?discovery= overrides it; editing the preset reaches open sessions', async () => {
    const c = await connectHttp(`${serve.url}?preset=searchy`);
    const off = await connectHttp(`${serve.url}?preset=searchy&discovery=off`);
    try {
      expect(await names(c)).toEqual(['files_1mcp_echo', ...META]);
      expect(await searchNames(c, 'echo text back')).toEqual(expect.arrayContaining(['files_1mcp_echo', 'web_1mcp_echo']));
      expect(await searchNames(c, 'process id')).not.toContain('fs_1mcp_pid');
      const offList = await names(off);
      expect(offList).toContain('web_1mcp_add');
      expect(offList).not.toContain('1mcp_search_tools');

      let changed = 0;
      c.setNotificationHandler(ToolListChangedNotificationSchema, () => void changed++);
      writeFileSync(join(serve.dir, 'presets.json'), JSON.stringify(presetsWith({ filter: 'files', discovery: 'off' })));
      await waitFor(() => changed > 0, { what: 'list_changed after the preset edit' });
      const now = await names(c);
      expect(now).toContain('files_1mcp_add');
      expect(now.some((n) => n.startsWith('web_'))).toBe(false);
      expect(now).not.toContain('1mcp_search_tools');
    } finally {
      writeFileSync(join(serve.dir, 'presets.json'), JSON.stringify(presetsWith({ discovery: 'search', pin: ['files_1mcp_echo'] })));
      await c.close();
      await off.close();
    }
  });
});

describe('auto: search mode above --discovery-threshold, following mcp.json at once', () => {
  let serve: ServeHandle;
  const one = { mcpServers: { alpha: fixtureEntry(['--name', 'alpha']) } };
  beforeAll(async () => {
    // The fixture has 16 tools: one server is below 20, two are above.
    serve = await startServe(one, { args: ['--discovery', 'auto', '--discovery-threshold', '20'] });
  });
  afterAll(async () => {
    await serve?.stop();
  });

  test('crossing the threshold switches the list (with list_changed); search follows added servers and disabledTools', async () => {
    const c = await connectHttp(serve.url);
    const pinned = await connectHttp(`${serve.url}?discovery=off`);
    try {
      let changed = 0;
      c.setNotificationHandler(ToolListChangedNotificationSchema, () => void changed++);
      const below = await names(c);
      expect(below).toContain('alpha_1mcp_echo');
      expect(below).not.toContain('1mcp_search_tools');
      // auto answers the meta-tools below the threshold too (a client may race a switch).
      expect(await searchNames(c, 'echo text back')).toContain('alpha_1mcp_echo');

      serve.writeConfig({ mcpServers: { ...one.mcpServers, beta: fixtureEntry(['--name', 'beta']) } });
      await waitFor(() => changed > 0, { timeout: 15_000, what: 'list_changed when the view crosses the threshold' });
      await waitFor(async () => (await names(c)).join() === META.join(), { what: 'the meta-tools as the list' });
      expect(await searchNames(c, 'echo text back')).toContain('beta_1mcp_echo');
      // A view that chose "off" keeps every tool.
      expect(await names(pinned)).toContain('beta_1mcp_echo');

      serve.writeConfig({ mcpServers: { ...one.mcpServers, beta: fixtureEntry(['--name', 'beta'], { disabledTools: ['echo'] }) } });
      await waitFor(async () => !(await searchNames(c, 'echo text back')).includes('beta_1mcp_echo'), { what: 'the disabled tool to leave search' });
      expect(await errorOf(callVia(c, 'beta_1mcp_echo', { text: 'x' }))).toContain('unknown tool "beta_1mcp_echo"');

      const before = changed;
      serve.writeConfig(one);
      await waitFor(() => changed > before, { timeout: 15_000, what: 'list_changed when the view drops below the threshold' });
      await waitFor(async () => (await names(c)).includes('alpha_1mcp_echo'), { what: 'the full list again' });
    } finally {
      await c.close();
      await pinned.close();
    }
  }, 60_000);
});

describe('.1mcprc chooses search mode for the proxy', () => {
  let serve: ServeHandle;
  let home: string;
  beforeAll(async () => {
    serve = await startServe({ mcpServers: { alpha: fixtureEntry(['--name', 'alpha']) } });
    home = mkdtempSync(join(tmpdir(), '1mcp-search-rc-'));
  });
  afterAll(async () => {
    await serve?.stop();
    rmSync(home, { recursive: true, force: true });
  });

  test('"discovery": "search" and "pin" reach serve as ?discovery= and ?pin=; --discovery off wins over the file', async () => {
    const project = join(home, 'project');
    mkdirSync(project, { recursive: true });
    writeFileSync(join(project, '.1mcprc'), '{ "discovery": "search", "pin": ["alpha_1mcp_add"], } // search mode here\n');
    const viaRc = await connectProxy({ home, cwd: project, args: ['--url', serve.url] });
    try {
      expect(await names(viaRc.client)).toEqual(['alpha_1mcp_add', ...META]);
      const found = await searchNames(viaRc.client, 'echo text back', 3);
      expect(found[0]).toBe('alpha_1mcp_echo');
      expect(textOf(await callVia(viaRc.client, found[0]!, { text: 'through the proxy' }))).toBe('through the proxy');
    } finally {
      await viaRc.client.close();
    }
    const flag = await connectProxy({ home, cwd: project, args: ['--url', serve.url, '--discovery', 'off'] });
    try {
      expect(await names(flag.client)).toContain('alpha_1mcp_echo');
    } finally {
      await flag.client.close();
    }
  });
});

describe('a backend tool named like a meta-tool (prefix "")', () => {
  let serve: ServeHandle;
  beforeAll(async () => {
    const clash = { command: BUN, args: [join(import.meta.dir, '..', 'fixtures', 'meta-name-server.ts')], prefix: '' };
    serve = await startServe({ mcpServers: { clash, alpha: fixtureEntry(['--name', 'alpha']) } });
  });
  afterAll(async () => {
    await serve?.stop();
  });

  test('is a load problem of that server: never listed, never called; the meta-tool stays 1mcp’s', async () => {
    const status = await (await fetch(new URL('/api/status', serve.origin))).json();
    expect(JSON.stringify(status.problems)).toContain('would be exposed as \\"1mcp_search_tools\\", which 1mcp uses for search mode');
    const direct = await connectHttp(serve.url);
    const searching = await connectHttp(`${serve.url}?discovery=search`);
    try {
      const listed = await names(direct);
      expect(listed).toContain('lookup');
      expect(listed).not.toContain('1mcp_search_tools');
      expect(await errorOf(direct.callTool({ name: '1mcp_search_tools', arguments: { query: 'glossary' } }))).toContain('unknown tool "1mcp_search_tools"');
      // In search mode the name is the meta-tool; the backend's tool of that name is never reached.
      expect((await searchNames(searching, 'look up a word in the glossary', 3))[0]).toBe('lookup');
      expect(await searchNames(searching, 'happens to use a meta-tool name')).not.toContain('1mcp_search_tools');
    } finally {
      await direct.close();
      await searching.close();
    }
  });
});

describe('search mode under a tag-limited token', () => {
  let serve: ServeHandle;
  beforeAll(async () => {
    serve = await startServe(
      { mcpServers: { files: fixtureEntry(['--name', 'files'], { tags: ['files'] }), web: fixtureEntry(['--name', 'web'], { tags: ['web'] }) } },
      { args: ['--enable-auth', '--discovery', 'search'] },
    );
  });
  afterAll(async () => {
    await serve?.stop();
  });

  test('the token’s tags bound search, describe and call, whatever the request asks (serve --discovery search)', async () => {
    const created = await runCli(['auth', 'token', 'create', '--name', 'files-only', '--tags', 'files', '--config-dir', serve.dir]);
    expect(created.code).toBe(0);
    const c = await connectHttp(`${serve.url}?tags=files,web`, { headers: { authorization: `Bearer ${created.stdout.trim()}` } });
    try {
      expect(await names(c)).toEqual(META);
      const found = await searchNames(c, 'echo add text numbers process id', 50);
      expect(found.length).toBeGreaterThan(0);
      expect(found.every((n) => n.startsWith('files_1mcp_'))).toBe(true);
      expect(await errorOf(c.callTool({ name: '1mcp_describe_tool', arguments: { name: 'web_1mcp_echo' } }))).toContain('unknown tool "web_1mcp_echo"');
      expect(await errorOf(callVia(c, 'web_1mcp_echo', { text: 'x' }))).toContain('unknown tool "web_1mcp_echo"');
      expect(textOf(await callVia(c, 'files_1mcp_echo', { text: 'mine' }))).toBe('mine');
    } finally {
      await c.close();
    }
    // The request's own choice survives the token's narrowing too.
    const off = await connectHttp(`${serve.url}?discovery=off`, { headers: { authorization: `Bearer ${created.stdout.trim()}` } });
    try {
      const listed = await names(off);
      expect(listed).toContain('files_1mcp_echo');
      expect(listed.some((n) => n.startsWith('web_') || META.includes(n))).toBe(false);
    } finally {
      await off.close();
    }
  });
});

test('serve --discovery with a wrong value: a usage error (exit 2) before anything listens', async () => {
  const dir = mkdtempSync(join(tmpdir(), '1mcp-search-flag-'));
  try {
    const r = await runCli(['serve', '--port', '0', '--config-dir', dir, '--discovery', 'sometimes']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--discovery must be search, auto or off (got "sometimes")');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
