/**
 * Config loading and the serve lifecycle against real processes: ${VAR}s resolved per server, one
 * serve per config dir, writes that keep comments and never follow links, log file modes, and the
 * words serve logs on reload.
 */
import { afterEach, beforeEach, describe, expect, test } from 'bun:test';
import { chownSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.ts';
import { fixtureEntry } from '../helpers/fixture.ts';
import { connectHttp, textOf } from '../helpers/mcp-client.ts';
import { assertNoSurvivors, spawnTracked, waitFor, waitForExit } from '../helpers/processes.ts';
import { cliCommand } from '../helpers/cli.ts';
import { startServe, type ServeHandle } from '../helpers/serve.ts';
import { makeTempDir, type TempDir } from '../helpers/tmp.ts';

const UNSET = 'ONE_MCP_TEST_NEVER_SET_D2';

async function state(serve: ServeHandle, name: string): Promise<{ state: string; lastError?: string }> {
  return (await (await fetch(`${serve.origin}/health/mcp/${name}`)).json()) as never;
}

let tmp: TempDir;
beforeEach(() => {
  tmp = makeTempDir('1mcp-lifecycle-');
});
afterEach(async () => {
  tmp.cleanup();
  await assertNoSurvivors();
});

const cli = (args: string[], env: Record<string, string | undefined> = {}) => {
  const dd = args.indexOf('--');
  const withDir = dd < 0 ? [...args, '--config-dir', tmp.path] : [...args.slice(0, dd), '--config-dir', tmp.path, ...args.slice(dd)];
  return runCli(withDir, { env: { [UNSET]: undefined, ...env } });
};

describe('${VAR} is resolved per server, when it starts', () => {
  test('mcp add stores ${VAR} as written and says what a running serve will do with it', async () => {
    const add = await cli(['mcp', 'add', 'web', '--url', 'https://example.com/mcp', '--headers', `Authorization=Bearer \${${UNSET}}`]);
    expect(add.code).toBe(0);
    expect(JSON.parse(readFileSync(join(tmp.path, 'mcp.json'), 'utf8')).mcpServers.web.headers.Authorization).toBe(`Bearer \${${UNSET}}`);
    expect(add.stderr).toContain(`\${${UNSET}}`);
    expect(add.stderr).toContain('not set in this shell');
    expect(add.stderr).not.toContain('picks this up by itself');
    // With the variable set, the usual promise holds.
    const ok = await cli(['mcp', 'add', 'web2', '--url', 'https://example.com/mcp', '--headers', `Authorization=Bearer \${${UNSET}}`], { [UNSET]: 'x' });
    expect(ok.code).toBe(0);
    expect(ok.stderr).toContain('picks this up by itself');
    // A disabled server is not resolved, so nothing to warn about.
    const off = await cli(['mcp', 'add', 'off', '--disabled', '--', 'node', `\${${UNSET}}`]);
    expect(off.code).toBe(0);
    expect(off.stderr).toContain('picks this up by itself');
  });

  test('an unset variable fails only its server (state error naming it); disable/enable are logged as such; a reload that resolves it starts it', async () => {
    const config = {
      mcpServers: {
        ok: fixtureEntry(['--name', 'ok']),
        web: fixtureEntry(['--name', 'web'], { env: { TOKEN: `Bearer \${${UNSET}}` } }),
        off: fixtureEntry(['--name', 'off'], { disabled: true, env: { TOKEN: `\${${UNSET}_TOO}` } }),
      } as Record<string, any>,
    };
    const serve = await startServe(config, { dir: tmp.path, env: {} });
    const client = await connectHttp(serve.url);
    try {
      expect(textOf(await client.callTool({ name: 'ok_1mcp_echo', arguments: { text: 'hi' } }))).toBe('hi');
      const web = await state(serve, 'web');
      expect(web.state).toBe('error');
      expect(web.lastError).toContain(`\${${UNSET}}`);
      expect(web.lastError).toContain('env.TOKEN');
      expect((await state(serve, 'off')).state).toBe('disabled');
      // The startup line labels resource templates.
      expect(serve.stderr()).toMatch(/\[ok\] connected \(\d+ tools, \d+ resources \+ \d+ templates, \d+ prompts\)/);

      // `mcp status` shows it, with the variable's name.
      const status = await runCli(['mcp', 'status', '--config-dir', tmp.path]);
      expect(status.stdout).toMatch(/web\s+error/);
      expect(status.stdout).toContain(UNSET);

      // Reloads go on for the others: add a server while web is in error.
      config.mcpServers.extra = fixtureEntry(['--name', 'extra']);
      serve.writeConfig(config);
      await waitFor(async () => (await state(serve, 'extra')).state === 'connected', { what: 'extra to connect' });
      expect(serve.stderr()).not.toContain('config not reloaded');

      // Disabling and enabling are called that in the log (not "restarted").
      expect((await runCli(['mcp', 'disable', 'web', '--config-dir', tmp.path])).code).toBe(0);
      await waitFor(() => serve.stderr().includes('config reloaded: disabled web'), { what: 'the "disabled web" log line' });
      expect((await state(serve, 'web')).state).toBe('disabled');
      expect((await runCli(['mcp', 'enable', 'web', '--config-dir', tmp.path])).code).toBe(0);
      await waitFor(() => serve.stderr().includes('config reloaded: enabled web'), { what: 'the "enabled web" log line' });
      expect(serve.stderr()).not.toMatch(/config reloaded: restarted web/);
      await waitFor(async () => (await state(serve, 'web')).state === 'error', { what: 'web in error again' });

      // The variable gets a value (here through a default): the reload starts the server.
      config.mcpServers.web.env.TOKEN = `\${${UNSET}:-fallback}`;
      serve.writeConfig(config);
      await waitFor(async () => (await state(serve, 'web')).state === 'connected', { what: 'web to connect once resolved' });
      expect(textOf(await client.callTool({ name: 'web_1mcp_env', arguments: { name: 'TOKEN' } }))).toBe('fallback');
    } finally {
      await client.close();
      await serve.stop();
    }
  }, 60_000);
});

describe('one serve per config dir', () => {
  test('a second serve refuses while the first lives (pid and URL in the message); --force runs beside it without touching server.pid', async () => {
    const first = await startServe({ mcpServers: {} }, { dir: tmp.path });
    const pidFile = join(tmp.path, 'server.pid');
    const before = readFileSync(pidFile);
    try {
      const second = await runCli(['serve', '--port', '0', '--config-dir', tmp.path]);
      expect(second.code).not.toBe(0);
      const line = second.stderr.trim();
      expect(line.split('\n')).toHaveLength(1);
      expect(line).toContain(`pid ${first.child.pid}`);
      expect(line).toContain(first.url);
      expect(line).toContain('--force');
      expect(readFileSync(pidFile).equals(before)).toBe(true);

      const [cmd, ...pre] = cliCommand();
      const forced = spawnTracked(cmd!, [...pre, 'serve', '--port', '0', '--config-dir', tmp.path, '--force'], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
      let err = '';
      forced.stderr!.on('data', (d) => (err += d));
      await waitFor(() => /serving/.test(err), { what: 'the forced serve to listen', timeout: 15_000 });
      expect(err).toContain(`pid ${first.child.pid}`);
      expect(readFileSync(pidFile).equals(before)).toBe(true);
      forced.kill('SIGTERM');
      await waitForExit(forced, 5000);
      // Its exit leaves the first serve's file alone: the first is still found.
      expect(readFileSync(pidFile).equals(before)).toBe(true);
      expect((await fetch(`${first.origin}/health/live`)).status).toBe(200);
    } finally {
      await first.stop();
    }
    expect(existsSync(pidFile)).toBe(false);
  }, 60_000);

  test('a stale server.pid (dead pid, or a live pid that is no serve) is replaced', async () => {
    const dead = spawnTracked('true');
    await waitForExit(dead);
    const pidFile = join(tmp.path, 'server.pid');
    for (const pid of [dead.pid!, process.pid]) {
      writeFileSync(pidFile, JSON.stringify({ pid, url: 'http://127.0.0.1:9/mcp', port: 9, host: '127.0.0.1' }));
      const serve = await startServe({ mcpServers: {} }, { dir: tmp.path });
      expect(JSON.parse(readFileSync(pidFile, 'utf8')).pid).toBe(serve.child.pid);
      await serve.stop();
      expect(existsSync(pidFile)).toBe(false);
    }
  }, 60_000);
});

describe('writes never follow links and keep comments', () => {
  test('symlinks planted in backups/ for the next backup names receive nothing; the write succeeds', async () => {
    const outside = makeTempDir('1mcp-outside-');
    try {
      expect((await cli(['auth', 'token', 'create', '--name', 'first'])).code).toBe(0);
      expect((await cli(['mcp', 'add', 'a', '--', 'echo'])).code).toBe(0);
      const backups = join(tmp.path, 'backups');
      mkdirSync(backups, { recursive: true });
      // Every name a backup could get in the next 10 s points outside.
      const now = Date.now();
      for (let ms = 0; ms < 10_000; ms++) {
        const stamp = new Date(now + ms).toISOString().replace(/[:.]/g, '-');
        for (const file of ['tokens.json', 'mcp.json']) symlinkSync(join(outside.path, `${file}.stolen`), join(backups, `${file}.${stamp}.bak`));
      }
      const token = await cli(['auth', 'token', 'create', '--name', 'second']);
      expect(token.code).toBe(0);
      expect(readFileSync(join(tmp.path, 'tokens.json'), 'utf8')).toContain('second');
      const add = await cli(['mcp', 'add', 'b', '--', 'echo']);
      expect(add.code).toBe(0);
      expect(JSON.parse(readFileSync(join(tmp.path, 'mcp.json'), 'utf8')).mcpServers.b).toBeDefined();
      expect(readdirSync(outside.path)).toEqual([]);
    } finally {
      outside.cleanup();
    }
  }, 60_000);

  test('backups/ or mcp.json as a symbolic link, or a config dir of another user: refused in one line, nothing written', async () => {
    const outside = makeTempDir('1mcp-outside-');
    try {
      writeFileSync(join(tmp.path, 'mcp.json'), '{ "mcpServers": {} }\n');
      symlinkSync(outside.path, join(tmp.path, 'backups'));
      const viaLinkDir = await cli(['mcp', 'add', 'a', '--', 'echo']);
      expect(viaLinkDir.code).not.toBe(0);
      expect(viaLinkDir.stderr.trim()).toMatch(/backups.*symbolic link/);
      expect(viaLinkDir.stderr.trim().split('\n')).toHaveLength(1);
      expect(readdirSync(outside.path)).toEqual([]);
      expect(readFileSync(join(tmp.path, 'mcp.json'), 'utf8')).toBe('{ "mcpServers": {} }\n');
      // The same for setup codex, whose backups go to backups/codex.
      const codexHome = join(tmp.path, 'codex-home');
      mkdirSync(codexHome);
      writeFileSync(join(codexHome, 'config.toml'), 'model = "x"\n');
      const codex = await runCli(['setup', 'codex', '--config-dir', tmp.path], { env: { CODEX_HOME: codexHome } });
      expect(codex.code).not.toBe(0);
      expect(codex.stderr).toMatch(/backups.*symbolic link/);
      expect(readdirSync(outside.path)).toEqual([]);
      expect(readFileSync(join(codexHome, 'config.toml'), 'utf8')).toBe('model = "x"\n');

      const linked = makeTempDir('1mcp-linked-');
      try {
        const real = join(outside.path, 'real.json');
        writeFileSync(real, '{ "mcpServers": {} }\n');
        symlinkSync(real, join(linked.path, 'mcp.json'));
        const r = await runCli(['mcp', 'add', 'a', '--config-dir', linked.path, '--', 'echo']);
        expect(r.code).not.toBe(0);
        expect(r.stderr).toMatch(/mcp\.json: it is a symbolic link/);
        expect(readFileSync(real, 'utf8')).toBe('{ "mcpServers": {} }\n');
        expect(lstatSync(join(linked.path, 'mcp.json')).isSymbolicLink()).toBe(true);
      } finally {
        linked.cleanup();
      }

      if (process.getuid?.() === 0) {
        // Only root can give a folder away; as root, a folder owned by someone else is still refused.
        const theirs = makeTempDir('1mcp-theirs-');
        try {
          chownSync(theirs.path, 65534, 65534);
          const r = await runCli(['mcp', 'add', 'a', '--config-dir', theirs.path, '--', 'echo']);
          expect(r.code).not.toBe(0);
          expect(r.stderr).toMatch(/belongs to another user/);
          expect(readdirSync(theirs.path)).toEqual([]);
        } finally {
          theirs.cleanup();
        }
      }
    } finally {
      outside.cleanup();
    }
  });

  test('mcp add/disable/remove keep comments, order and formatting of everything else (CRLF file)', async () => {
    const original = [
      '// servers I use',
      '{',
      '  /* the one for files */',
      '  "mcpServers": {',
      '    "fs": { "command": "echo", "args": ["x"] }, // keep me',
      '    "remote": {',
      '      "url": "https://example.com/mcp", // trailing comment',
      '      "tags": ["web"],',
      '    },',
      '  },',
      '  "custom": [1, 2, 3], // unknown field',
      '}',
      '',
    ].join('\r\n');
    writeFileSync(join(tmp.path, 'mcp.json'), original);
    expect((await cli(['mcp', 'add', 'new1', '--tags', 'a', '--', 'echo', 'hi'])).code).toBe(0);
    expect((await cli(['mcp', 'disable', 'remote'])).code).toBe(0);
    let text = readFileSync(join(tmp.path, 'mcp.json'), 'utf8');
    for (const kept of ['// servers I use', '/* the one for files */', '// keep me', '// trailing comment', '"custom": [1, 2, 3], // unknown field']) expect(text).toContain(kept);
    expect(text.split('\n').every((line, i, all) => i === all.length - 1 || line.endsWith('\r'))).toBe(true);
    const list = JSON.parse((await cli(['mcp', 'list', '--json', '--show-disabled'])).stdout);
    expect(list.map((s: { name: string; disabled: boolean }) => [s.name, s.disabled])).toEqual([['fs', false], ['remote', true], ['new1', false]]);
    // Undo both: the file is back to the original, byte for byte.
    expect((await cli(['mcp', 'remove', 'new1', '--yes'])).code).toBe(0);
    expect((await cli(['mcp', 'enable', 'remote'])).code).toBe(0);
    text = readFileSync(join(tmp.path, 'mcp.json'), 'utf8');
    expect(text).toBe(original);
  });
});

describe('logs', () => {
  test('--log-file is created 0600 in a logs folder created 0700', async () => {
    const logFile = join(tmp.path, 'logs', 'serve.log');
    const serve = await startServe({ mcpServers: { ok: fixtureEntry(['--name', 'ok']) } }, { dir: tmp.path, args: ['--log-file', logFile] });
    try {
      await waitFor(() => existsSync(logFile) && readFileSync(logFile, 'utf8').includes('connected'), { what: 'log lines in the file' });
      expect(statSync(logFile).mode & 0o777).toBe(0o600);
      expect(statSync(join(tmp.path, 'logs')).mode & 0o777).toBe(0o700);
    } finally {
      await serve.stop();
    }
  });
});
