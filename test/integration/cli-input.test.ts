/**
 * What the command line does with what a person types: exact strings, names that are JavaScript
 * object keys, flag validation, help text, and the local commands that talk to a serve running with
 * --enable-auth. Real CLI processes on real config dirs; serve tests use a real serve process.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'bun:test';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, type CliResult } from '../helpers/cli.ts';
import { fixtureEntry } from '../helpers/fixture.ts';
import { startServe, type ServeHandle } from '../helpers/serve.ts';
import { makeTempDir, type TempDir } from '../helpers/tmp.ts';
import { VERSION } from '../../src/version.ts';

/** Run the CLI on `dir`; options go before a `--` (what follows is the server's command line). */
function cliIn(dir: string, args: string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
  const dd = args.indexOf('--');
  const withDir = dd < 0 ? [...args, '--config-dir', dir] : [...args.slice(0, dd), '--config-dir', dir, ...args.slice(dd)];
  // A token or port exported in the shell running the tests must not change what is measured here.
  return runCli(withDir, { env: { ONE_MCP_TOKEN: undefined, ONE_MCP_PORT: undefined, ...env } });
}

const read = (dir: string, file: string) => readFileSync(join(dir, file), 'utf8');
const readJson = (dir: string, file: string) => JSON.parse(read(dir, file));
/** stderr without the "Saved …" notes: the one line of an error. */
const errorLine = (r: CliResult) => r.stderr.trim();

let tmp: TempDir;
let dir: string;
const cli = (args: string[], env?: Record<string, string | undefined>) => cliIn(dir, args, env);

beforeEach(() => {
  tmp = makeTempDir('1mcp-cli-input-');
  dir = tmp.path;
});
afterEach(() => tmp.cleanup());

describe('values stay exactly as typed', () => {
  test('mcp add: --args/--tags/--cwd that look like numbers, "" and -y arrive in mcp.json unchanged', async () => {
    const args = ['007', '1.50', '9007199254740993', '1e3', '0x10', '', '-y', '-5'];
    const r = await cli(['mcp', 'add', 't', '--command', 'node', ...args.flatMap((a) => ['--args', a]), '--tags', '007,1.0', '--cwd', '0012']);
    expect(r.code).toBe(0);
    expect(readJson(dir, 'mcp.json').mcpServers.t).toEqual({ command: 'node', args, cwd: '0012', tags: ['007', '1.0'] });
    // The big number is written as the digits typed, not as a rounded number.
    expect(read(dir, 'mcp.json')).toContain('"9007199254740993"');
    // The same after `--`, and positional names that look like numbers.
    expect((await cli(['mcp', 'add', '0012', '--', 'node', '007', ''])).code).toBe(0);
    expect(readJson(dir, 'mcp.json').mcpServers['0012']).toEqual({ command: 'node', args: ['007', ''] });
    expect((await cli(['mcp', 'update', '0012', '--args', '08', '--args', '1e3'])).code).toBe(0);
    expect(readJson(dir, 'mcp.json').mcpServers['0012'].args).toEqual(['08', '1e3']);
  });

  test('preset --filter 007 and auth token --name 007 / positional 0012 keep their digits', async () => {
    expect((await cli(['preset', 'create', 'p007', '--filter', '007'])).code).toBe(0);
    const preset = readJson(dir, 'presets.json').presets.p007;
    expect(preset.filter).toBe('007');
    expect(preset.tagQuery).toEqual({ tag: '007' });
    expect((await cli(['auth', 'token', 'create', '--name', '007'])).code).toBe(0);
    expect((await cli(['auth', 'token', 'create', '0012'])).code).toBe(0);
    expect(Object.keys(readJson(dir, 'tokens.json').tokens)).toEqual(['007', '0012']);
  });

  test('an empty value where empty makes no sense is a usage error and writes nothing', async () => {
    const cases: [string[], RegExp][] = [
      [['mcp', 'add', 'a', '--cwd', '', '--', 'node'], /--cwd needs a value/],
      [['mcp', 'add', 'a', '--tags', '', '--', 'node'], /--tags needs a value/],
      [['mcp', 'add', 'a', '--tags', ',', '--', 'node'], /--tags needs at least one tag/],
      [['mcp', 'add', 'a', '--url='], /--url needs a value/],
      [['preset', 'create', 'e', '--filter', ''], /--filter needs a value/],
      [['auth', 'token', 'create', '--name', ''], /--name needs a value/],
      [['auth', 'token', 'create', '--tags', ''], /--tags needs a value/],
      [['auth', 'token', 'create', '--tags', ','], /--tags needs at least one tag/],
      [['auth', 'token', 'create', '--tags', ' , ,'], /--tags needs at least one tag/],
    ];
    for (const [args, message] of cases) {
      const r = await cli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(errorLine(r)).toMatch(message);
      expect(errorLine(r).split('\n')).toHaveLength(1);
      expect(r.stdout).toBe('');
    }
    for (const file of ['mcp.json', 'presets.json', 'tokens.json']) expect(existsSync(join(dir, file))).toBe(false);
  });
});

describe('names that are JavaScript object keys behave like any other name', () => {
  const NAMES = ['constructor', 'toString', '__proto__', 'hasOwnProperty'];

  test('mcp add/update/disable/enable/tools disable/remove', async () => {
    for (const name of NAMES) {
      // Not there yet: every command says so and leaves the file alone.
      writeFileSync(join(dir, 'mcp.json'), '{ "mcpServers": {} }\n');
      for (const args of [['mcp', 'remove', name, '--yes'], ['mcp', 'update', name, '--tags', 'x'], ['mcp', 'disable', name], ['mcp', 'tools', 'disable', name, 'echo']]) {
        const r = await cli(args);
        expect(r.code, `${args.join(' ')}`).not.toBe(0);
        expect(errorLine(r)).toContain(`no server named "${name}"`);
        expect(read(dir, 'mcp.json')).toBe('{ "mcpServers": {} }\n');
      }
      expect((await cli(['mcp', 'add', name, '--', 'node', 'x.js'])).code).toBe(0);
      const servers = readJson(dir, 'mcp.json').mcpServers;
      expect(Object.hasOwn(servers, name)).toBe(true);
      expect(servers[name]).toEqual({ command: 'node', args: ['x.js'] });
      const again = await cli(['mcp', 'add', name, '--', 'node']);
      expect(again.code).not.toBe(0);
      expect(errorLine(again)).toContain(`server "${name}" already exists`);
      expect((await cli(['mcp', 'update', name, '--tags', 'a'])).code).toBe(0);
      expect((await cli(['mcp', 'disable', name])).code).toBe(0);
      expect((await cli(['mcp', 'tools', 'disable', name, 'echo'])).code).toBe(0);
      expect(readJson(dir, 'mcp.json').mcpServers[name]).toEqual({ command: 'node', args: ['x.js'], tags: ['a'], disabled: true, disabledTools: ['echo'] });
      expect((await cli(['mcp', 'enable', name])).code).toBe(0);
      const listed = JSON.parse((await cli(['mcp', 'list', '--json'])).stdout);
      expect(listed.map((s: { name: string }) => s.name)).toEqual([name]);
      expect((await cli(['mcp', 'remove', name, '--yes'])).code).toBe(0);
      expect(readJson(dir, 'mcp.json').mcpServers).toEqual({});
    }
  });

  test('preset create/show/url/delete', async () => {
    for (const name of NAMES) {
      for (const args of [['preset', 'delete', name], ['preset', 'show', name], ['preset', 'url', name]]) {
        const r = await cli(args);
        expect(r.code, args.join(' ')).not.toBe(0);
        expect(errorLine(r)).toContain(`no preset named "${name}"`);
      }
      const created = await cli(['preset', 'create', name, '--filter', 'web']);
      expect(created.code, created.stderr).toBe(0);
      expect(Object.hasOwn(readJson(dir, 'presets.json').presets, name)).toBe(true);
      expect(readJson(dir, 'presets.json').presets[name].filter).toBe('web');
      expect((await cli(['preset', 'create', name, '--filter', 'web'])).code).not.toBe(0);
      expect(JSON.parse((await cli(['preset', 'show', name, '--json'])).stdout).filter).toBe('web');
      expect(JSON.parse((await cli(['preset', 'list', '--json'])).stdout).map((p: { name: string }) => p.name)).toEqual([name]);
      expect((await cli(['preset', 'delete', name])).code).toBe(0);
      expect(readJson(dir, 'presets.json').presets).toEqual({});
    }
  });

  test('auth token create/revoke', async () => {
    for (const name of NAMES) {
      const missing = await cli(['auth', 'token', 'revoke', name]);
      expect(missing.code).not.toBe(0);
      expect(errorLine(missing)).toContain(`no token named "${name}"`);
      expect((await cli(['auth', 'token', 'create', '--name', name])).code).toBe(0);
      expect(Object.hasOwn(readJson(dir, 'tokens.json').tokens, name)).toBe(true);
      expect((await cli(['auth', 'token', 'create', '--name', name])).code).not.toBe(0);
      expect(JSON.parse((await cli(['auth', 'token', 'list', '--json'])).stdout).map((t: { name: string }) => t.name)).toEqual([name]);
      expect((await cli(['auth', 'token', 'revoke', name])).code).toBe(0);
      expect(readJson(dir, 'tokens.json').tokens).toEqual({});
    }
  });
});

describe('flag validation', () => {
  test('numbers: range and sign are checked, negative values are read as values (flag and environment)', async () => {
    const cases: [string[], Record<string, string>, string][] = [
      [['serve', '--port', '99999'], {}, '--port must be a whole number from 0 to 65535 (got "99999")'],
      [['serve', '-P', '-1'], {}, '--port must be a whole number from 0 to 65535 (got "-1")'],
      [['serve', '--port', '0x10'], {}, '--port must be a whole number from 0 to 65535 (got "0x10")'],
      [['serve'], { ONE_MCP_PORT: '70000' }, 'ONE_MCP_PORT must be a whole number from 0 to 65535 (got "70000")'],
      [['serve', '--session-idle-timeout', '-1'], {}, '--session-idle-timeout must be a number ≥ 0 (got "-1")'],
      [['serve', '--config-reload-debounce', '-5'], {}, '--config-reload-debounce must be a whole number ≥ 0 (got "-5")'],
      [['mcp', 'add', 'x', '--max-restarts', '-5', '--', 'node'], {}, '--max-restarts must be a whole number ≥ 0 (got "-5")'],
      [['mcp', 'add', 'x', '--restart-delay', '1.5', '--', 'node'], {}, '--restart-delay must be a whole number ≥ 0 (got "1.5")'],
      [['mcp', 'add', 'x', '--timeout', '0', '--', 'node'], {}, '--timeout must be a whole number ≥ 1 (got "0")'],
    ];
    for (const [args, env, message] of cases) {
      const r = await cli(args, env);
      expect(r.code, args.join(' ')).toBe(2);
      expect(errorLine(r)).toBe(`1mcp: ${message}`);
    }
    expect(existsSync(join(dir, 'mcp.json'))).toBe(false);
    expect(existsSync(join(dir, 'server.pid'))).toBe(false);
    // The legitimate values still work.
    expect((await cli(['mcp', 'add', 'x', '--max-restarts', '0', '--timeout', '1500', '--restart-delay', '250', '--', 'node'])).code).toBe(0);
    expect(readJson(dir, 'mcp.json').mcpServers.x).toMatchObject({ maxRestarts: 0, timeout: 1500, restartDelay: 250 });
  });

  test('mcp add -dash: exit 2 naming the bad name, no help dump, nothing added', async () => {
    const r = await cli(['mcp', 'add', '-dash', '--', 'node', 'x.js']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(errorLine(r)).toContain('"-dash"');
    expect(errorLine(r)).toContain('a name cannot start with "-"');
    expect(existsSync(join(dir, 'mcp.json'))).toBe(false);
  });

  test('mcp add --url not-a-url names the flag and the value, not mcp.json', async () => {
    const r = await cli(['mcp', 'add', 'badurl', '--url', 'not-a-url']);
    expect(r.code).toBe(2);
    expect(errorLine(r)).toBe('1mcp: --url must be an http:// or https:// URL such as https://example.com/mcp (got "not-a-url")');
    expect((await cli(['mcp', 'add', 'ftp', '--url', 'ftp://example.com/x'])).code).toBe(2);
    expect(existsSync(join(dir, 'mcp.json'))).toBe(false);
    // ${VAR} parts are kept for serve to fill in.
    expect((await cli(['mcp', 'add', 'remote', '--url', 'https://${MCP_HOST}/mcp'])).code).toBe(0);
    expect(readJson(dir, 'mcp.json').mcpServers.remote.url).toBe('https://${MCP_HOST}/mcp');
  });

  test('auth token create --expires: malformed, zero or absurd lifetimes are refused before anything is written', async () => {
    for (const [value, message] of [
      ['30x', '--expires must look like 30d, 12h, 45m or 90s (got "30x")'],
      ['0d', '--expires must be a lifetime longer than 0'],
      ['99999999999999d', '--expires is too far away'],
      ['', '--expires needs a value'],
    ] as const) {
      const r = await cli(['auth', 'token', 'create', '--name', 't', '--expires', value]);
      expect(r.code, value).toBe(2);
      expect(r.stdout).toBe('');
      expect(errorLine(r)).toContain(message);
    }
    expect(existsSync(join(dir, 'tokens.json'))).toBe(false);
    expect((await cli(['auth', 'token', 'create', '--name', 't', '--expires', '12h'])).code).toBe(0);
    const file = readJson(dir, 'tokens.json');
    const expires = Date.parse(file.tokens.t.expires);
    expect(Math.abs(expires - (Date.now() + 12 * 3_600_000))).toBeLessThan(60_000);
    // A hand-edited, malformed expires is listed as expired (serve refuses it too), never as valid.
    file.tokens.t.expires = '30 days';
    writeFileSync(join(dir, 'tokens.json'), JSON.stringify(file));
    const listed = JSON.parse((await cli(['auth', 'token', 'list', '--json'])).stdout);
    expect(listed).toEqual([expect.objectContaining({ name: 't', expires: '30 days', expired: true })]);
  });

  test('serve --preset nosuch: one message listing the presets, exit 2, nothing started', async () => {
    expect((await cli(['preset', 'create', 'web', '--filter', 'web'])).code).toBe(0);
    const r = await cli(['serve', '--port', '0', '--preset', 'nosuch']);
    expect(r.code).toBe(2);
    expect(errorLine(r)).toBe('1mcp: unknown preset "nosuch" (known: web); create it first with "1mcp preset create nosuch --filter <expr>"');
    expect(r.stderr).not.toContain('(yet)');
    expect(existsSync(join(dir, 'server.pid'))).toBe(false);
  });
});

describe('help and version', () => {
  test('sub-command help has its description; update says what --disabled does; tools shows disable|enable; --no-restart-on-exit listed; status documents its exit code', async () => {
    const help = async (...args: string[]) => {
      const r = await runCli([...args, '--help']);
      expect(r.code).toBe(0);
      return r.stdout;
    };
    const add = await help('mcp', 'add');
    expect(add.split('\n').slice(0, 4).join('\n')).toContain('Add a server');
    expect(add).toContain('--no-restart-on-exit');
    const update = await help('mcp', 'update');
    expect(update).toMatch(/--disabled\s+Disable the server/);
    expect(update).not.toContain('Add the server disabled');
    expect(await help('mcp', 'tools')).toContain('tools disable|enable <server> <tool>');
    expect(await help('mcp', 'status')).toMatch(/Exit code: 0 when every enabled server is connected; 1 when any/);
    expect(await help('preset', 'url')).toContain('ONE_MCP_PORT');
    expect(await help('serve')).toMatch(/-P, --port <n>/);
  });

  test('--version prints the bare version on every command', async () => {
    for (const args of [['--version'], ['serve', '--version'], ['mcp', '--version'], ['mcp', 'add', '--version'], ['preset', '-v'], ['auth', '--version'], ['proxy', '--version']]) {
      const r = await runCli(args);
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.stdout).toBe(`${VERSION}\n`);
    }
  });
});

describe('without a running serve', () => {
  test('preset url honours ONE_MCP_PORT and --port', async () => {
    expect((await cli(['preset', 'create', 'web', '--filter', 'web'])).code).toBe(0);
    // No server.pid here; a serve of another config dir on the probed ports (3050-3052) does not count.
    const plain = await cli(['preset', 'url', 'web']);
    expect(plain.stdout).toBe('http://127.0.0.1:3050/mcp?preset=web\n');
    expect((await cli(['preset', 'url', 'web'], { ONE_MCP_PORT: '4555' })).stdout).toBe('http://127.0.0.1:4555/mcp?preset=web\n');
    expect((await cli(['preset', 'url', 'web', '--port', '4666'], { ONE_MCP_PORT: '4555' })).stdout).toBe('http://127.0.0.1:4666/mcp?preset=web\n');
  });

  test('mcp list hides URL query values and passwords unless --show-secrets', async () => {
    const url = 'https://user:pa55@example.com/mcp?api_key=abc123&mode=fast';
    expect((await cli(['mcp', 'add', 'remote', '--url', url])).code).toBe(0);
    const table = (await cli(['mcp', 'list'])).stdout;
    const json = JSON.parse((await cli(['mcp', 'list', '--json'])).stdout);
    for (const text of [table, JSON.stringify(json)]) {
      expect(text).not.toContain('abc123');
      expect(text).not.toContain('pa55');
      expect(text).not.toContain('fast');
    }
    expect(json[0].url).toBe('https://user:***@example.com/mcp?api_key=***&mode=***');
    expect(JSON.parse((await cli(['mcp', 'list', '--json', '--show-secrets'])).stdout)[0].url).toBe(url);
    expect((await cli(['mcp', 'list', '--show-secrets'])).stdout).toContain(url);
  });
});

describe('local commands against serve --enable-auth', () => {
  let serve: ServeHandle;
  let token: string;
  const at = (args: string[], env: Record<string, string | undefined> = {}) => cliIn(serve.dir, args, env);
  const NEEDS_TOKEN = 'requires a token: pass --token or set ONE_MCP_TOKEN';

  beforeAll(async () => {
    serve = await startServe({ mcpServers: { fs: fixtureEntry(['--name', 'fs'], { tags: ['files'] }) } }, { args: ['--enable-auth'] });
    const created = await runCli(['auth', 'token', 'create', '--name', 'cli', '--config-dir', serve.dir]);
    expect(created.code).toBe(0);
    token = created.stdout.trim();
    writeFileSync(join(serve.dir, 'presets.json'), JSON.stringify({ version: '1.0.0', presets: { files: { name: 'files', strategy: 'or', tagQuery: { tag: 'files' } } } }));
  });
  afterAll(async () => {
    await serve.stop();
  });

  test('mcp status / tools / restart and preset test: a 401 says how to pass a token; --token and ONE_MCP_TOKEN work', async () => {
    for (const args of [['mcp', 'status'], ['mcp', 'tools', 'fs'], ['mcp', 'restart', 'fs'], ['preset', 'test', 'files']]) {
      const refused = await at(args);
      expect(refused.code, args.join(' ')).not.toBe(0);
      expect(refused.stderr).toContain(NEEDS_TOKEN);
      const wrong = await at([...args, '--token', '1mcp_wrong']);
      expect(wrong.code).not.toBe(0);
      expect(wrong.stderr).toContain('refused the token');
    }
    const status = await at(['mcp', 'status', '--json', '--token', token]);
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout).servers.map((s: { name: string; state: string }) => [s.name, s.state])).toEqual([['fs', 'connected']]);
    const tools = await at(['mcp', 'tools', 'fs', '--json'], { ONE_MCP_TOKEN: token });
    expect(tools.code, tools.stderr).toBe(0);
    expect(JSON.parse(tools.stdout).map((t: { name: string }) => t.name)).toContain('echo');
    const tested = await at(['preset', 'test', 'files'], { ONE_MCP_TOKEN: token });
    expect(tested.code, tested.stderr).toBe(0);
    expect(tested.stdout).toMatch(/Tools: \d+/);
    const restarted = await at(['mcp', 'restart', 'fs', '--token', token]);
    expect(restarted.code, restarted.stderr).toBe(0);
    expect(restarted.stdout).toContain('Restarting fs');
  });

  test('mcp tools disable: a name serve does not know is refused (nearest named) unless --force; known names and --force are stored', async () => {
    const before = read(serve.dir, 'mcp.json');
    // Wait until the restarted backend reports its tools again.
    for (let i = 0; i < 100; i++) {
      const r = await at(['mcp', 'tools', 'fs', '--json', '--token', token]);
      if (r.code === 0 && JSON.parse(r.stdout).length > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const typo = await at(['mcp', 'tools', 'disable', 'fs', 'ecko', '--token', token]);
    expect(typo.code).toBe(2);
    expect(errorLine(typo)).toBe('1mcp: fs has no tool "ecko" (did you mean "echo"?); nothing was changed — pass --force to store the name anyway');
    const exposed = await at(['mcp', 'tools', 'disable', 'fs', 'fs_1mcp_echo', '--token', token]);
    expect(exposed.code).toBe(2);
    expect(errorLine(exposed)).toContain('did you mean "echo"?');
    expect(read(serve.dir, 'mcp.json')).toBe(before);

    const known = await at(['mcp', 'tools', 'disable', 'fs', 'echo', '--token', token]);
    expect(known.code, known.stderr).toBe(0);
    expect(known.stderr).not.toContain('warning');
    const forced = await at(['mcp', 'tools', 'disable', 'fs', 'not_yet_there', '--force', '--token', token]);
    expect(forced.code, forced.stderr).toBe(0);
    expect(readJson(serve.dir, 'mcp.json').mcpServers.fs.disabledTools).toEqual(['echo', 'not_yet_there']);

    // Without a token serve cannot be asked: stored, with a warning that says why.
    const unchecked = await at(['mcp', 'tools', 'disable', 'fs', 'add']);
    expect(unchecked.code).toBe(0);
    expect(unchecked.stderr).toContain('warning:');
    expect(unchecked.stderr).toContain(NEEDS_TOKEN);
  });
});

describe('mcp tools disable with no serve running', () => {
  test('stores the name with a warning', async () => {
    expect((await cli(['mcp', 'add', 'fs', '--', 'node', 'x.js'])).code).toBe(0);
    const r = await cli(['mcp', 'tools', 'disable', 'fs', 'whatever']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('warning: no running serve');
    expect(readJson(dir, 'mcp.json').mcpServers.fs.disabledTools).toEqual(['whatever']);
  });
});
