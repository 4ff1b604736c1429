/**
 * `1mcp mcp …` on real files through the real CLI process (README.md, docs/configuration.md).
 * Runs against the source by default; ONE_MCP_CLI=node runs the same suite against the npm bundle.
 */
import { afterEach, beforeEach, describe, expect, test } from 'bun:test';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.ts';

let dir: string;
const file = () => join(dir, 'mcp.json');
/** Options must come before a `--` (what follows it is the server's command line). */
const cli = (args: string[], env: Record<string, string | undefined> = {}) => {
  const dd = args.indexOf('--');
  const withDir = dd < 0 ? [...args, '--config-dir', dir] : [...args.slice(0, dd), '--config-dir', dir, ...args.slice(dd)];
  return runCli(withDir, { env });
};

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), '1mcp-cli-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('mcp add / list', () => {
  test('add a stdio server with tags and list it (table and --json); the file is in the documented format', async () => {
    const add = await cli(['mcp', 'add', 'fs', '--tags=files,local', '--', 'npx', '-y', '@modelcontextprotocol/server-filesystem', '/tmp']);
    expect(add.code).toBe(0);
    expect(JSON.parse(readFileSync(file(), 'utf8'))).toEqual({
      mcpServers: { fs: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '/tmp'], tags: ['files', 'local'] } },
    });
    const list = await cli(['mcp', 'list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain('fs');
    expect(list.stdout).toContain('files,local');
    const json = await cli(['mcp', 'list', '--json']);
    expect(JSON.parse(json.stdout)).toEqual([
      { name: 'fs', type: 'stdio', command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '/tmp'], tags: ['files', 'local'], disabled: false },
    ]);
  });

  test('http and sse types are inferred from --url; env and headers are redacted unless --show-secrets', async () => {
    expect((await cli(['mcp', 'add', 'remote', '--url', 'https://example.com/mcp', '--headers', 'Authorization=Bearer s3cret', '-e', 'K=v'])).code).toBe(0);
    expect((await cli(['mcp', 'add', 'legacy', '--url', 'https://example.com/sse'])).code).toBe(0);
    const rows = JSON.parse((await cli(['mcp', 'list', '--json'])).stdout);
    expect(rows.map((r: any) => [r.name, r.type])).toEqual([['remote', 'http'], ['legacy', 'sse']]);
    expect(rows[0].headers.Authorization).toBe('*****');
    expect(JSON.stringify(rows)).not.toContain('s3cret');
    const secret = JSON.parse((await cli(['mcp', 'list', '--json', '--show-secrets'])).stdout);
    expect(secret[0].headers.Authorization).toBe('Bearer s3cret');
  });

  test('list --tags shows servers with any of the tags (case-insensitive)', async () => {
    await cli(['mcp', 'add', 'a', '--tags', 'Web,api', '--', 'echo']);
    await cli(['mcp', 'add', 'b', '--tags', 'files', '--', 'echo']);
    await cli(['mcp', 'add', 'c', '--', 'echo']);
    const names = async (tags: string) => JSON.parse((await cli(['mcp', 'list', '--json', '--tags', tags])).stdout).map((r: { name: string }) => r.name);
    expect(await names('web')).toEqual(['a']);
    expect(await names('FILES,api')).toEqual(['a', 'b']);
    expect(await names('none')).toEqual([]);
  });

  test('update replaces tags, merges env, replaces the command; enable/disable; remove --yes', async () => {
    await cli(['mcp', 'add', 's', '-e', 'A=1', '--tags', 'x', '--', 'node', 'a.js']);
    expect((await cli(['mcp', 'update', 's', '-e', 'B=2', '--tags', 'y,z', '--', 'bun', 'b.ts'])).code).toBe(0);
    let s = JSON.parse(readFileSync(file(), 'utf8')).mcpServers.s;
    expect(s).toEqual({ command: 'bun', args: ['b.ts'], env: { A: '1', B: '2' }, tags: ['y', 'z'] });
    expect((await cli(['mcp', 'disable', 's'])).code).toBe(0);
    expect(JSON.parse(readFileSync(file(), 'utf8')).mcpServers.s.disabled).toBe(true);
    expect(JSON.parse((await cli(['mcp', 'list', '--json'])).stdout)).toEqual([]);
    expect(JSON.parse((await cli(['mcp', 'list', '--json', '--show-disabled'])).stdout)).toHaveLength(1);
    expect((await cli(['mcp', 'enable', 's'])).code).toBe(0);
    expect(JSON.parse(readFileSync(file(), 'utf8')).mcpServers.s.disabled).toBeUndefined();
    expect((await cli(['mcp', 'tools', 'disable', 's', 'danger'])).code).toBe(0);
    expect(JSON.parse(readFileSync(file(), 'utf8')).mcpServers.s.disabledTools).toEqual(['danger']);
    expect((await cli(['mcp', 'remove', 's', '--yes'])).code).toBe(0);
    expect(JSON.parse(readFileSync(file(), 'utf8')).mcpServers).toEqual({});
  });
});

describe('compatibility: pasted configs keep every field', () => {
  test('a Claude Desktop config loads and survives an add', async () => {
    const claude = {
      mcpServers: {
        filesystem: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '/Users/me/Desktop'] },
        github: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-github'], env: { GITHUB_PERSONAL_ACCESS_TOKEN: '<token>' } },
      },
      globalShortcut: 'Ctrl+Space',
    };
    writeFileSync(file(), JSON.stringify(claude, null, 2));
    expect((await cli(['mcp', 'list'])).code).toBe(0);
    expect((await cli(['mcp', 'add', 'extra', '--', 'echo'])).code).toBe(0);
    const after = JSON.parse(readFileSync(file(), 'utf8'));
    expect(after.globalShortcut).toBe('Ctrl+Space');
    expect(after.mcpServers.filesystem).toEqual(claude.mcpServers.filesystem);
    expect(after.mcpServers.github).toEqual(claude.mcpServers.github);
    expect(after.mcpServers.extra).toEqual({ command: 'echo', args: [] });
  });

  test('a 1MCP mcp.json with extra fields (top level and per server) survives an add', async () => {
    const oneMcp = {
      $schema: 'https://docs.1mcp.app/schemas/v1.0.0/mcp-config.json',
      mcpServers: {
        web: { type: 'streamableHttp', url: 'https://example.com/mcp', tags: ['web'], oauth: { clientId: 'abc' }, connectionTimeout: 5000 },
        local: { command: 'node', args: ['x.js'], tags: ['local'], restartOnExit: true, maxRestarts: 3, customThing: { nested: [1, 2] } },
      },
      mcpTemplates: { t: { command: 'x' } },
      serverDefaults: { requestTimeout: 60000 },
    };
    writeFileSync(file(), JSON.stringify(oneMcp, null, 2));
    expect((await cli(['mcp', 'list', '--json'])).code).toBe(0);
    expect((await cli(['mcp', 'add', 'new1', '--url', 'http://127.0.0.1:9/mcp'])).code).toBe(0);
    const after = JSON.parse(readFileSync(file(), 'utf8'));
    const { new1, ...rest } = after.mcpServers;
    expect(new1).toEqual({ url: 'http://127.0.0.1:9/mcp' });
    expect({ ...after, mcpServers: rest }).toEqual(oneMcp);
  });
});

describe('bad input: one clear line, non-zero exit, file untouched', () => {
  const seed = { mcpServers: { a: { command: 'echo', tags: ['x'] } } };
  const cases: [string, string | undefined, string[], RegExp][] = [
    ['invalid JSON names line and column', '{\n  "mcpServers": {\n    "a": { "command": "echo" "args": [] }\n  }\n}\n', ['mcp', 'add', 'b', '--', 'echo'], /line 3, column 30/],
    ['unknown type', JSON.stringify({ mcpServers: { a: { type: 'carrier-pigeon', command: 'x' } } }), ['mcp', 'add', 'b', '--', 'echo'], /server "a", field "type"/],
    ['neither command nor url', JSON.stringify({ mcpServers: { a: { tags: ['x'] } } }), ['mcp', 'add', 'b', '--', 'echo'], /server "a": needs "command" .* or "url"/],
    ['duplicate name on add', JSON.stringify(seed), ['mcp', 'add', 'a', '--', 'echo'], /server "a" already exists/],
    ['bad name', JSON.stringify(seed), ['mcp', 'add', 'bad.name!', '--', 'echo'], /invalid server name "bad\.name!"/],
    // An unset ${VAR} is no error for `mcp add`: it is stored as written (config-lifecycle.test.ts).
    ['unknown server on update', JSON.stringify(seed), ['mcp', 'update', 'nope', '--tags', 'y'], /no server named "nope"/],
    ['unknown server on remove', JSON.stringify(seed), ['mcp', 'remove', 'nope', '--yes'], /no server named "nope"/],
    ['add without a command or url', JSON.stringify(seed), ['mcp', 'add', 'b'], /needs a command/],
  ];
  for (const [name, content, args, message] of cases) {
    test(name, async () => {
      if (content !== undefined) writeFileSync(file(), content);
      const before = readFileSync(file());
      const result = await cli(args);
      expect(result.code).not.toBe(0);
      const lines = result.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(message);
      expect(readFileSync(file()).equals(before)).toBe(true);
      expect(readdirSync(dir).filter((f) => f.endsWith('.tmp') || f.endsWith('.lock'))).toEqual([]);
    });
  }
});

describe('usage errors', () => {
  test('unknown command and unknown option: one line naming the nearest, exit code 2', async () => {
    const cmd = await runCli(['mcp', 'lsit']);
    expect(cmd.code).toBe(2);
    expect(cmd.stderr.trim()).toBe('1mcp: unknown command "1mcp mcp lsit"; did you mean "1mcp mcp list"?');
    const top = await runCli(['serv']);
    expect(top.code).toBe(2);
    expect(top.stderr).toContain('did you mean "1mcp serve"');
    const opt = await cli(['mcp', 'list', '--jsno']);
    expect(opt.code).toBe(2);
    expect(opt.stderr.trim()).toBe('1mcp: unknown option --jsno; did you mean --json?');
  });

  test('--version prints the bare version; --help works on every group', async () => {
    const pkg = JSON.parse(readFileSync(join(import.meta.dir, '..', '..', 'package.json'), 'utf8'));
    const v = await runCli(['--version']);
    expect(v.stdout).toBe(`${pkg.version}\n`);
    for (const args of [['--help'], ['mcp', '--help'], ['mcp', 'add', '--help'], ['serve', '--help'], ['proxy', '--help']]) {
      const r = await runCli(args);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('Usage');
    }
  });

  test('ONE_MCP_CONFIG_DIR is the twin of --config-dir', async () => {
    const r = await runCli(['mcp', 'add', 'viaenv', '--', 'echo'], { env: { ONE_MCP_CONFIG_DIR: dir } });
    expect(r.code).toBe(0);
    expect(JSON.parse(readFileSync(file(), 'utf8')).mcpServers.viaenv).toBeDefined();
  });
});

describe('safe writes', () => {
  test('20 concurrent mcp add processes: all 20 servers are in the file', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => cli(['mcp', 'add', `s${i}`, '--', 'echo', String(i)])));
    for (const r of results) expect(r.code).toBe(0);
    const servers = JSON.parse(readFileSync(file(), 'utf8')).mcpServers;
    expect(Object.keys(servers).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `s${i}`).sort());
  }, 60_000);

  test('each write leaves the previous version under backups/, keeping the last 20', async () => {
    for (let i = 0; i < 23; i++) expect((await cli(['mcp', 'add', `b${i}`, '--', 'echo'])).code).toBe(0);
    const backups = readdirSync(join(dir, 'backups')).filter((f) => f.startsWith('mcp.json.')).sort();
    expect(backups).toHaveLength(20);
    // The newest backup is the file as it was before the last add.
    const newest = JSON.parse(readFileSync(join(dir, 'backups', backups.at(-1)!), 'utf8'));
    expect(Object.keys(newest.mcpServers)).toHaveLength(22);
    expect(newest.mcpServers.b22).toBeUndefined();
  }, 60_000);
});
