/**
 * Agent commands against a real serve and fixture backends: `1mcp instructions | inspect | run | wait`, their
 * output, --json shapes, views (flags and .1mcprc) narrowing them, and the exit codes scripts rely on:
 * 0 ok, 1 tool error, 2 usage, 3 serve not reachable / not ready.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.ts';
import { fixtureEntry } from '../helpers/fixture.ts';
import { freePort } from '../helpers/ports.ts';
import { startServe, type ServeHandle } from '../helpers/serve.ts';
import { makeTempDir, type TempDir } from '../helpers/tmp.ts';

const config = {
  mcpServers: {
    files: fixtureEntry(['--name', 'files', '--instructions', 'Files of the project. Read them before editing.'], { tags: ['files'], disabledTools: ['hang'] }),
    web: fixtureEntry(['--name', 'web', '--tools', '3'], { tags: ['web'] }),
    conf: fixtureEntry(['--name', 'conf', '--conformance', '--fidelity'], { tags: ['conf'] }),
  },
};
const presets = { version: '1.0.0', presets: { webonly: { name: 'webonly', strategy: 'or', tagQuery: { tag: 'web' } } } };

let serve: ServeHandle;
let cwd: TempDir;
const cli = (args: string[], options: { input?: string; cwd?: string; env?: Record<string, string | undefined> } = {}) =>
  runCli([...args, '--config-dir', serve.dir], { cwd: options.cwd ?? cwd.path, input: options.input, env: options.env });
const names = (servers: { name: string }[]) => servers.map((s) => s.name);

beforeAll(async () => {
  cwd = makeTempDir('1mcp-agent-cwd-');
  serve = await startServe(config, { presets });
});
afterAll(async () => {
  await serve?.stop();
  cwd?.cleanup();
});

describe('instructions', () => {
  test('one line per server with its tool count and what it is for, and how to use the other commands', async () => {
    const r = await cli(['instructions']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^1mcp serve \(default view\): 3 servers, \d+ tools\.$/);
    expect(lines[1]).toContain('1mcp run <server>/<tool>');
    expect(lines.slice(2)).toEqual(['- files (15 tools) — Files of the project.', '- web (19 tools)', expect.stringMatching(/^- conf \(\d+ tools\)$/)]);
    expect(r.stdout.length).toBeLessThan(600);
  });

  test('--json; a view narrows it (flag, .1mcprc, flag over .1mcprc)', async () => {
    const all = JSON.parse((await cli(['instructions', '--json'])).stdout);
    expect(all.view).toBe('default view');
    expect(all.url).toBe(serve.url);
    expect(all.servers[0]).toEqual({ name: 'files', state: 'connected', tools: 15, about: 'Files of the project.' });
    expect(all.tools).toBe(all.servers.reduce((n: number, s: { tools: number }) => n + s.tools, 0));
    expect(names(JSON.parse((await cli(['instructions', '--json', '--tags', 'web,conf'])).stdout).servers)).toEqual(['web', 'conf']);
    const project = makeTempDir('1mcp-agent-rc-');
    try {
      // Search mode for the project's MCP clients; the shell commands still see every tool of the view.
      writeFileSync(join(project.path, '.1mcprc'), '// chosen by the project\n{ "preset": "webonly", "discovery": "search" }');
      const fromRc = await cli(['instructions'], { cwd: project.path });
      expect(fromRc.stdout).toContain('1mcp serve (preset webonly): 1 server, 19 tools.');
      expect(fromRc.stdout).not.toContain('files');
      const flag = JSON.parse((await cli(['instructions', '--json', '--filter', 'files'], { cwd: project.path })).stdout);
      expect(names(flag.servers)).toEqual(['files']);
    } finally {
      project.cleanup();
    }
  });
});

describe('inspect', () => {
  test('servers; a server\'s tools as exposed name — first sentence; a tool\'s parameters', async () => {
    const servers = await cli(['inspect']);
    expect(servers.code, servers.stderr).toBe(0);
    expect(servers.stdout.split('\n')[0]).toBe('files (15 tools) — Files of the project.');
    const tools = await cli(['inspect', 'files']);
    expect(tools.code, tools.stderr).toBe(0);
    expect(tools.stdout).toContain('\nfiles_1mcp_echo — Echo text back\n');
    expect(tools.stdout).toContain("call: 1mcp run files/<tool> --args '<json>'");
    const tool = await cli(['inspect', 'files/echo']);
    expect(tool.code, tool.stderr).toBe(0);
    expect(tool.stdout).toBe("files_1mcp_echo (files/echo)\nEcho text back\nParameters:\n  - text: string, required\nCall: 1mcp run files/echo --args '<json>'\n");
    // The exposed name works too; outputSchema and annotations are summarised.
    const fancy = await cli(['inspect', 'web/web_1mcp_fancy']);
    expect(fancy.stdout).toContain('web_1mcp_fancy (web/fancy) "Fancy tool" [read-only]');
    expect(fancy.stdout).toContain('Returns: object {answer}');
  });

  test('--json shapes', async () => {
    const servers = JSON.parse((await cli(['inspect', '--json'])).stdout);
    expect(names(servers.servers)).toEqual(['files', 'web', 'conf']);
    const files = JSON.parse((await cli(['inspect', 'files', '--json'])).stdout);
    expect(files.server).toBe('files');
    expect(files.tools).toContainEqual({ name: 'echo', exposedName: 'files_1mcp_echo', description: 'Echo text back' });
    const echo = JSON.parse((await cli(['inspect', 'files/echo', '--json'])).stdout);
    expect(echo).toMatchObject({ server: 'files', name: 'echo', exposedName: 'files_1mcp_echo', inputSchema: { type: 'object', required: ['text'] } });
  });

  test('a view hides servers; unknown server or tool: exit 2 naming what exists', async () => {
    expect(names(JSON.parse((await cli(['inspect', '--json', '--preset', 'webonly'])).stdout).servers)).toEqual(['web']);
    const hidden = await cli(['inspect', 'files', '--preset', 'webonly']);
    expect(hidden.code).toBe(2);
    expect(hidden.stderr).toContain('no server named "files" in the preset webonly (servers: web)');
    const typo = await cli(['inspect', 'files/ehco']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('files has no tool "ehco" in this view; did you mean "files/echo"?');
    const badView = await cli(['inspect', '--preset', 'nope']);
    expect(badView.code).toBe(2);
    expect(badView.stderr).toContain('unknown preset "nope"');
    expect((await cli(['inspect', 'a', 'b'])).code).toBe(2);
    expect((await cli(['inspect', 'files/'])).code).toBe(2);
  });
});

describe('run', () => {
  test('result text on stdout (exit 0): --args, JSON on stdin, the exposed name; the backend got the calls', async () => {
    const echo = await cli(['run', 'files/echo', '--args', '{"text":"hello from a shell"}']);
    expect(echo).toMatchObject({ code: 0, stdout: 'hello from a shell\n', stderr: '' });
    const added = await cli(['run', 'files_1mcp_add'], { input: '{"a": 2, "b": 40}' });
    expect(added).toMatchObject({ code: 0, stdout: '42\n' });
    const stats = JSON.parse((await cli(['run', 'files/stats'])).stdout);
    expect(stats.calls.map((c: { name: string; args: unknown }) => [c.name, c.args])).toEqual([
      ['echo', { text: 'hello from a shell' }],
      ['add', { a: 2, b: 40 }],
      ['stats', {}],
    ]);
    const json = JSON.parse((await cli(['run', 'files/echo', '--args', '{"text":"x"}', '--json'])).stdout);
    expect(json.content).toEqual([{ type: 'text', text: 'x' }]);
  });

  test('a tool error (isError): exit 1, its message on stderr, nothing on stdout', async () => {
    const r = await cli(['run', 'conf/test_error_handling']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('This tool intentionally returns an error for testing\n');
    const json = await cli(['run', 'conf/test_error_handling', '--json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout).isError).toBe(true);
  });

  test('a JSON-RPC error: exit 1 with its message; a tool outside the view is refused by serve (exit 1)', async () => {
    const r = await cli(['run', 'conf/fail', '--args', '{"code":-32050,"message":"backend says no"}']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('backend says no');
    const json = await cli(['run', 'conf/fail', '--args', '{"code":-32050,"message":"no"}', '--json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout).error.code).toBe(-32050);
    const outside = await cli(['run', 'files/echo', '--args', '{"text":"x"}', '--tags', 'web']);
    expect(outside.code).toBe(1);
    expect(outside.stderr).toContain('files/echo (tags web)');
  });

  test('progress notifications keep a long call alive past --timeout', async () => {
    const r = await cli(['run', 'files/slow', '--args', '{"ms":2000,"steps":20}', '--timeout', '1000']);
    expect(r).toMatchObject({ code: 0, stdout: 'done\n' });
  });

  test('each command ends its session on serve: sessions do not pile up', async () => {
    const sessions = async () => ((await (await fetch(`${serve.origin}/api/status`)).json()) as { sessions: number }).sessions;
    const before = await sessions();
    for (const args of [['run', 'files/echo', '--args', '{"text":"x"}'], ['run', 'web/nope'], ['run', 'conf/test_error_handling'], ['inspect', 'files'], ['instructions'], ['mcp', 'tokens']]) {
      await cli(args);
    }
    expect(await sessions()).toBe(before);
  });

  test('a tool hidden by disabledTools is not listed, and serve refuses to run it (exit 1)', async () => {
    expect((await cli(['inspect', 'files'])).stdout).not.toContain('files_1mcp_hang');
    const r = await cli(['run', 'files/hang', '--timeout', '5000']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('files/hang (default view):');
    expect(r.stderr).not.toContain('timed out');
  });

  test('bad input is a usage error (exit 2) and nothing is called', async () => {
    const before = JSON.parse((await cli(['run', 'web/stats'])).stdout).calls.length;
    for (const [args, message] of [
      [['run', 'web/echo', '--args', '{"text":'], '--args is not valid JSON'],
      [['run', 'web/echo', '--args', '[1]'], '--args must be a JSON object'],
      [['run', 'web/ech', '--args', '{}'], 'web has no tool "ech"; did you mean "web/echo"?'],
      [['run', 'nope/echo', '--args', '{}'], 'serve has no server named "nope"'],
      [['run'], 'usage: 1mcp run <server>/<tool>'],
    ] as const) {
      const r = await cli([...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toContain(message);
    }
    const stdin = await cli(['run', 'web/echo'], { input: 'not json' });
    expect(stdin.code).toBe(2);
    expect(stdin.stderr).toContain('stdin is not valid JSON');
    // Only the stats calls themselves reached the backend.
    expect(JSON.parse((await cli(['run', 'web/stats'])).stdout).calls.length).toBe(before + 1);
  });
});

describe('wait', () => {
  test('ready at once for a connected server, the default view and a view; --json', async () => {
    const one = await cli(['wait', 'files']);
    expect(one).toMatchObject({ code: 0, stdout: `ready: files is connected (serve at ${serve.origin})\n` });
    expect((await cli(['wait'])).code).toBe(0);
    expect((await cli(['wait', '--tags', 'web'])).code).toBe(0);
    expect(JSON.parse((await cli(['wait', 'web', '--json'])).stdout)).toEqual({ ready: true, url: serve.url, server: 'web', state: 'connected' });
  });

  test('a server that never comes: exit 3 after --timeout, saying what was seen', async () => {
    const r = await cli(['wait', 'nope', '--timeout', '300']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`not ready after 300 ms: serve at ${serve.origin} has no server named "nope"`);
    const json = await cli(['wait', 'nope', '--timeout', '100', '--json']);
    expect(json.code).toBe(3);
    expect(JSON.parse(json.stdout).ready).toBe(false);
    expect((await cli(['wait', 'a', 'b'])).code).toBe(2);
  });
});

describe('serve not running', () => {
  test('every agent command: exit 3 and how to start serve; --url to a closed port too', async () => {
    const dir = makeTempDir('1mcp-agent-none-');
    const port = await freePort();
    try {
      const at = (args: string[]) => runCli([...args, '--config-dir', dir.path], { cwd: cwd.path });
      for (const args of [['instructions'], ['inspect'], ['inspect', 'files'], ['run', 'files/echo', '--args', '{}'], ['wait', '--timeout', '200']]) {
        const r = await at(args);
        expect(r.code, args.join(' ')).toBe(3);
        expect(r.stdout).toBe('');
        expect(r.stderr).toContain(`no running 1mcp serve found for ${dir.path}`);
        expect(r.stderr).toContain('1mcp serve');
      }
      const closed = await at(['inspect', '--url', `http://127.0.0.1:${port}/mcp`]);
      expect(closed.code).toBe(3);
      expect(closed.stderr).toContain(`could not reach serve at http://127.0.0.1:${port}/mcp`);
      expect((await at(['wait', '--url', `http://127.0.0.1:${port}`, '--timeout', '200'])).code).toBe(3);
    } finally {
      dir.cleanup();
    }
  });

  test('wait keeps looking: it returns 0 once a serve started after it is ready', async () => {
    const dir = makeTempDir('1mcp-agent-late-');
    let late: ServeHandle | undefined;
    try {
      const waiting = runCli(['wait', 'files', '--timeout', '20000', '--config-dir', dir.path], { cwd: cwd.path });
      late = await startServe({ mcpServers: { files: config.mcpServers.files } }, { dir: dir.path, waitReady: false });
      const r = await waiting;
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe(`ready: files is connected (serve at ${late.origin})\n`);
    } finally {
      await late?.stop();
      rmSync(dir.path, { recursive: true, force: true });
    }
  });
});

describe('a server of the view that is not connected', () => {
  test('inspect and instructions list it with its state and error; wait for it times out saying so (exit 3)', async () => {
    const broken = { command: '/nonexistent/mcp-server', tags: ['web'], restartOnExit: false };
    const other = await startServe({ mcpServers: { web: config.mcpServers.web, broken, files: config.mcpServers.files } });
    try {
      const at = (args: string[]) => runCli([...args, '--config-dir', other.dir], { cwd: cwd.path });
      const servers = JSON.parse((await at(['inspect', '--tags', 'web', '--json'])).stdout).servers;
      expect(names(servers)).toEqual(['web', 'broken']);
      expect(servers[1]).toMatchObject({ name: 'broken', state: 'error', tools: 0 });
      expect(servers[1].lastError).toBeString();
      expect((await at(['instructions', '--tags', 'web'])).stdout).toMatch(/^- broken \(error: .+; 0 tools\)$/m);
      const waited = await at(['wait', 'broken', '--timeout', '300']);
      expect(waited.code).toBe(3);
      expect(waited.stderr).toContain('not ready after 300 ms: broken is error');
      // Without a server, ready means no server is still starting (as /health/ready): a failed one does not block.
      expect((await at(['wait', '--tags', 'web'])).code).toBe(0);
    } finally {
      await other.stop();
    }
  });
});

describe('serve --enable-auth', () => {
  test('no token: exit 3 saying how to pass one (wait does not wait for it); --token and ONE_MCP_TOKEN work', async () => {
    const secured = await startServe({ mcpServers: { files: config.mcpServers.files } }, { args: ['--enable-auth'] });
    try {
      const created = await runCli(['auth', 'token', 'create', '--name', 'agent', '--config-dir', secured.dir]);
      expect(created.code, created.stderr).toBe(0);
      const token = created.stdout.trim();
      const at = (args: string[], env: Record<string, string | undefined> = {}) => runCli([...args, '--config-dir', secured.dir], { cwd: cwd.path, env: { ONE_MCP_TOKEN: undefined, ...env } });
      for (const args of [['instructions'], ['inspect', 'files'], ['run', 'files/echo', '--args', '{"text":"x"}'], ['wait', 'files', '--timeout', '20000']]) {
        const refused = await at(args);
        expect(refused.code, args.join(' ')).toBe(3);
        expect(refused.stderr).toContain('requires a token: pass --token or set ONE_MCP_TOKEN');
      }
      expect(await at(['run', 'files/echo', '--args', '{"text":"with token"}', '--token', token])).toMatchObject({ code: 0, stdout: 'with token\n' });
      expect((await at(['inspect', 'files'], { ONE_MCP_TOKEN: token })).code).toBe(0);
      expect((await at(['wait', 'files'], { ONE_MCP_TOKEN: token })).code).toBe(0);
    } finally {
      await secured.stop();
    }
  });
});
