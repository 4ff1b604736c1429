/**
 * `1mcp app consolidate | restore` as real CLI processes against fake homes (Linux, macOS and Windows
 * layouts) holding real-looking configs of every client: servers imported into mcp.json with the
 * client's tag (same server once, conflicts suffixed), each client file left with one 1mcp entry and
 * everything else byte for byte (comments, CRLF, unknown keys), then restored byte for byte.
 */
import { afterEach, beforeEach, expect, test } from 'bun:test';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { parseJsonText } from '../../src/config/json-text.ts';
import { cliCommand, runCli } from '../helpers/cli.ts';
import { fixtureCommand } from '../helpers/fixture.ts';
import { connectHttp, connectStdio, stdioPid, textOf } from '../helpers/mcp-client.ts';
import { isAlive, waitFor } from '../helpers/processes.ts';
import { startServe } from '../helpers/serve.ts';
import { appData as sharedAppData, crlf, fakeHomeEnv, type Platform, snapshotFiles, writeFile } from '../helpers/fake-home.ts';
import { makeTempDir, type TempDir } from '../helpers/tmp.ts';

let tmp: TempDir;
let home: string;
let project: string;
let configDir: string;

beforeEach(() => {
  tmp = makeTempDir('1mcp-consolidate-');
  home = join(tmp.path, 'home');
  project = join(tmp.path, 'project');
  configDir = join(tmp.path, 'config');
  mkdirSync(home);
  mkdirSync(project);
});
afterEach(() => tmp.cleanup());

const app = (platform: Platform, ...args: string[]) =>
  runCli(['app', ...args, '--platform', platform, '--config-dir', configDir], {
    cwd: project,
    env: { ...fakeHomeEnv(home), ONE_MCP_CONFIG_DIR: undefined },
  });
const restore = (...args: string[]) => runCli(['app', 'restore', ...args, '--config-dir', configDir], { cwd: project, env: { HOME: home } });

const appData = (platform: Platform) => sharedAppData(home, platform);

const write = writeFile;
const read = (path: string) => readFileSync(path, 'utf8');

/** Where each client keeps its user file on `platform`. */
function paths(platform: Platform) {
  return {
    codex: join(home, '.codex', 'config.toml'),
    claudeCode: join(home, '.claude.json'),
    claudeProject: join(project, '.mcp.json'),
    claudeDesktop: join(appData(platform), 'Claude', 'claude_desktop_config.json'),
    cursor: join(home, '.cursor', 'mcp.json'),
    cursorProject: join(project, '.cursor', 'mcp.json'),
    vscode: join(appData(platform), 'Code', 'User', 'mcp.json'),
    vscodeProject: join(project, '.vscode', 'mcp.json'),
    windsurf: join(home, '.codeium', 'windsurf', 'mcp_config.json'),
    gemini: join(home, '.gemini', 'settings.json'),
    cline: join(appData(platform), 'Code', 'User', 'globalStorage', 'saoudrizwan.claude-dev', 'settings', 'cline_mcp_settings.json'),
    zed: platform === 'win32' ? join(appData(platform), 'Zed', 'settings.json') : join(home, '.config', 'zed', 'settings.json'),
  };
}

/** Every client's files as each documents them, with comments, unknown keys and CRLF where allowed. */
function writeClientConfigs(platform: Platform) {
  const p = paths(platform);
  write(
    p.codex,
    crlf(`# Codex settings
model = "gpt-5"

[mcp_servers.memory]
command = "npx"
args = ["-y", "@modelcontextprotocol/server-memory"]
env = { MEMORY_FILE = "\${HOME}/memory.json" }
startup_timeout_sec = 20

[mcp_servers.github]   # remote, token from the environment
url = "https://api.githubcopilot.com/mcp/"
bearer_token_env_var = "GITHUB_PAT"
tool_timeout_sec = 90
enabled_tools = ["search_code"]

[mcp_servers.off]
command = "uvx"
args = ["mcp-server-time"]
enabled = false

[profiles.fast]
model = "gpt-5-mini"
`),
  );
  write(
    p.claudeCode,
    JSON.stringify(
      {
        numStartups: 12,
        mcpServers: { fs: { type: 'stdio', command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '/srv'], env: {} } },
        projects: { '/work/app': { allowedTools: [], mcpServers: { db: { type: 'http', url: 'https://db.example.com/mcp', headers: { Authorization: 'Bearer ${DB_TOKEN}' } } } } },
        userID: 'abc',
      },
      null,
      2,
    ),
  );
  write(p.claudeProject, JSON.stringify({ mcpServers: { sentry: { type: 'sse', url: 'https://mcp.sentry.dev/sse' } } }, null, 2));
  write(p.claudeDesktop, JSON.stringify({ mcpServers: { memory: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-memory'], env: { MEMORY_FILE: '${HOME}/memory.json' } } }, globalShortcut: 'Ctrl+Space' }, null, 2));
  write(
    p.cursor,
    `{
  // Cursor: a remote server
  "mcpServers": {
    "linear": { "url": "https://mcp.linear.app/mcp", "headers": { "Authorization": "Bearer \${env:LINEAR}" } },
  },
}
`,
  );
  write(p.cursorProject, JSON.stringify({ mcpServers: { local: { command: 'node', args: ['server.js'], envFile: '.env' } } }));
  write(
    p.vscode,
    crlf(`{
  // VS Code user servers
  "inputs": [
    { "type": "promptString", "id": "gh-token", "description": "GitHub token", "password": true }
  ],
  "servers": {
    "github": { "type": "http", "url": "https://api.githubcopilot.com/mcp/", "headers": { "Authorization": "Bearer \${input:gh-token}" } },
    "py": { "type": "stdio", "command": "uvx", "args": ["mcp-server-fetch"], "envFile": "\${workspaceFolder}/.env" }
  }
}
`),
  );
  write(p.vscodeProject, JSON.stringify({ servers: { playwright: { command: 'npx', args: ['@playwright/mcp@latest'] } } }));
  write(p.windsurf, JSON.stringify({ mcpServers: { zapier: { serverUrl: 'https://actions.zapier.com/mcp/KEY/sse', disabled: false }, git: { command: 'uvx', args: ['mcp-server-git'], disabled: true } } }, null, 2));
  write(
    p.gemini,
    `{
  "theme": "GitHub", // unrelated setting
  "mcpServers": {
    "api": { "httpUrl": "https://api.example.com/mcp", "headers": { "X-Key": "$API_KEY" }, "timeout": 30000, "trust": false },
    "local": { "command": "python", "args": ["-m", "srv"], "cwd": "./tools" }
  }
}
`,
  );
  write(p.cline, JSON.stringify({ mcpServers: { weather: { command: 'node', args: ['/opt/weather/index.js'], autoApprove: ['forecast'] }, remote: { type: 'streamableHttp', url: 'https://remote.example.com/mcp' } } }, null, 2));
  write(
    p.zed,
    `// Zed settings
{
  "theme": "One Dark",
  "context_servers": {
    "new-style": { "command": "npx", "args": ["-y", "mcp-server-x"], "env": { "A": "1" } },
    "from-extension": { "source": "extension", "enabled": true, "settings": {} },
    "remote": { "url": "https://mcp.example.com/mcp", "headers": { "Authorization": "Bearer <token>" } }
  }
}
`,
  );
  return p;
}

/** Every file under the fake home and project, as bytes. */
const snapshot = () => snapshotFiles(home, home, project);

/** mcp.json's servers (the file may keep the user's comments). */
const mcpServers = () => (parseJsonText(read(join(configDir, 'mcp.json')), { lenient: true }) as any).mcpServers as Record<string, any>;

for (const platform of ['linux', 'darwin', 'win32'] as const) {
  test(`${platform}: consolidate --all imports every server once with its tags, leaves one 1mcp entry per client, restore puts every file back byte for byte`, async () => {
    const p = writeClientConfigs(platform);
    const before = snapshot();

    const done = await app(platform, 'consolidate', '--all', '--yes', '--json');
    expect(done.stderr).toBe('');
    expect(done.code).toBe(0);
    const report = JSON.parse(done.stdout);
    expect(report.apps).toEqual(['codex', 'claude-code', 'claude-desktop', 'cursor', 'vscode', 'windsurf', 'gemini', 'cline', 'zed']);
    expect(report.skipped).toEqual([{ app: 'zed', name: 'from-extension', reason: 'provided by a Zed extension: its command is not in settings.json, so it cannot be imported' }]);
    const outcome = (app: string, from: string) => report.imports.find((o: any) => o.app === app && o.from === from);
    expect(outcome('claude-desktop', 'memory')).toMatchObject({ name: 'memory', action: 'tagged' });
    expect(outcome('vscode', 'github')).toMatchObject({ name: 'github-vscode', action: 'renamed', notes: ['"github" in mcp.json is a different server; imported as "github-vscode"', 'needs a value for ${input:gh-token} (GitHub token), a secret'] });
    expect(outcome('claude-code', 'db')).toMatchObject({ name: 'db', action: 'imported', project: '/work/app' });

    // mcp.json: the same server once with both tags, conflicts suffixed, values as written, client-only fields aside.
    const servers = mcpServers();
    expect(Object.keys(servers).sort()).toEqual(
      ['memory', 'github', 'off', 'fs', 'db', 'sentry', 'linear', 'local', 'github-vscode', 'py', 'playwright', 'zapier', 'git', 'api', 'local-gemini', 'weather', 'remote', 'new-style', 'remote-zed'].sort(),
    );
    expect(servers.memory).toEqual({ command: 'npx', args: ['-y', '@modelcontextprotocol/server-memory'], env: { MEMORY_FILE: '${HOME}/memory.json' }, connectionTimeout: 20000, tags: ['codex', 'claude-desktop'] });
    expect(servers.github).toEqual({ url: 'https://api.githubcopilot.com/mcp/', headers: { Authorization: 'Bearer ${GITHUB_PAT}' }, requestTimeout: 90000, tags: ['codex'], clientFields: { enabled_tools: ['search_code'] } });
    expect(servers['github-vscode']).toEqual({ type: 'http', url: 'https://api.githubcopilot.com/mcp/', headers: { Authorization: 'Bearer ${input:gh-token}' }, tags: ['vscode'] });
    expect(servers.off).toMatchObject({ disabled: true, tags: ['codex'] });
    expect(servers.db).toEqual({ type: 'http', url: 'https://db.example.com/mcp', headers: { Authorization: 'Bearer ${DB_TOKEN}' }, tags: ['claude-code'] });
    expect(servers.linear.headers).toEqual({ Authorization: 'Bearer ${env:LINEAR}' });
    expect(servers.py.clientFields).toEqual({ envFile: '${workspaceFolder}/.env' });
    expect(servers.api).toEqual({ type: 'http', url: 'https://api.example.com/mcp', headers: { 'X-Key': '$API_KEY' }, tags: ['gemini'], clientFields: { timeout: 30000, trust: false } });
    expect(servers['local-gemini']).toMatchObject({ command: 'python', cwd: './tools', tags: ['gemini'] });
    expect(servers['remote-zed']).toMatchObject({ url: 'https://mcp.example.com/mcp', tags: ['zed'] });

    // Each client now has only 1mcp's entry (and what could not be imported); its other content is untouched.
    const after = JSON.parse((await app(platform, 'discover', '--json')).stdout) as { servers: any[]; errors: unknown[] };
    expect(after.errors).toEqual([]);
    expect(after.servers.map((s) => `${s.app}/${s.name}`).sort()).toEqual(
      ['codex/1mcp', 'claude-code/1mcp', 'claude-desktop/1mcp', 'cursor/1mcp', 'vscode/1mcp', 'windsurf/1mcp', 'gemini/1mcp', 'cline/1mcp', 'zed/1mcp', 'zed/from-extension'].sort(),
    );
    for (const s of after.servers.filter((s) => s.name === '1mcp')) {
      expect(s.notes[0]).toBe('this is 1mcp itself (its proxy), not a server to import');
      expect(s.entry.args.slice(-3)).toEqual(['proxy', '--config-dir', configDir]); // not the config dir HOME implies
      expect(s.file).not.toContain(project); // the entry goes into the user file
    }
    const codex = read(p.codex);
    expect(codex).toStartWith('# Codex settings\r\nmodel = "gpt-5"\r\n');
    expect(codex).toContain('[profiles.fast]\r\nmodel = "gpt-5-mini"\r\n');
    expect(codex).toContain('[mcp_servers.1mcp]\r\ncommand = ');
    expect(codex).not.toContain('\n[mcp_servers.memory]');
    expect(codex.replace(/\r\n/g, '')).not.toContain('\n');
    const vscode = read(p.vscode);
    expect(vscode).toStartWith('{\r\n  // VS Code user servers\r\n  "inputs": [\r\n    { "type": "promptString", "id": "gh-token", "description": "GitHub token", "password": true }\r\n  ],\r\n');
    expect(vscode.replace(/\r\n/g, '')).not.toContain('\n');
    expect(JSON.parse(vscode.replace(/\/\/.*$/m, '')).servers['1mcp'].type).toBe('stdio');
    expect(read(p.cursor)).toContain('  // Cursor: a remote server\n');
    expect(read(p.gemini)).toContain('"theme": "GitHub", // unrelated setting\n');
    expect(read(p.zed)).toStartWith('// Zed settings\n{\n  "theme": "One Dark",\n');
    expect(read(p.zed)).toContain('"from-extension": { "source": "extension", "enabled": true, "settings": {} }');
    const claude = JSON.parse(read(p.claudeCode));
    expect(claude).toMatchObject({ numStartups: 12, userID: 'abc', projects: { '/work/app': { allowedTools: [], mcpServers: {} } } });
    expect(Object.keys(claude.mcpServers)).toEqual(['1mcp']);
    expect(JSON.parse(read(p.claudeProject))).toEqual({ mcpServers: {} });

    // Again: nothing left to do.
    const again = await app(platform, 'consolidate', '--all', '--yes');
    expect(again).toMatchObject({ code: 0, stderr: '' });
    expect(again.stdout).toContain('already run through 1mcp; nothing to change.');

    const back = await restore('--all', '--remove-imported', '--yes');
    expect(back.stderr).toBe('');
    expect(back.code).toBe(0);
    expect(snapshot()).toEqual(before);
    expect(mcpServers()).toEqual({});
    expect(existsSync(join(configDir, 'app-backups', 'codex'))).toBe(false);
  }, 60_000);
}

test('conflicts with servers already in mcp.json: a different server gets a suffix, the same one a tag; restore --remove-imported takes back only what consolidate added', async () => {
  const cursor = join(home, '.cursor', 'mcp.json');
  const cursorText = crlf(`{
  "mcpServers": {
    "memory": { "command": "npx", "args": ["-y", "@modelcontextprotocol/server-memory"] },
    "linear": { "url": "https://mcp.linear.app/mcp" }
  },
  "unknownSetting": [1, 2, 3]
}
`);
  write(cursor, cursorText);
  const mcpText = `{
  // my servers
  "mcpServers": {
    "memory": { "command": "node", "args": ["my-memory.js"] },
    "lin": { "url": "https://mcp.linear.app/mcp", "tags": ["work"] }
  }
}
`;
  write(join(configDir, 'mcp.json'), mcpText);

  const done = await app('linux', 'consolidate', 'cursor', '--yes');
  expect(done.code).toBe(0);
  expect(done.stdout).toMatch(/^cursor +memory +memory-cursor +renamed +"memory" in mcp.json is a different server; imported as "memory-cursor"$/m);
  expect(done.stdout).toMatch(/^cursor +linear +lin +tagged\s*$/m);
  const servers = mcpServers();
  expect(servers.memory).toEqual({ command: 'node', args: ['my-memory.js'] });
  expect(servers['memory-cursor']).toEqual({ command: 'npx', args: ['-y', '@modelcontextprotocol/server-memory'], tags: ['cursor'] });
  expect(servers.lin.tags).toEqual(['work', 'cursor']);
  expect(read(join(configDir, 'mcp.json'))).toContain('  // my servers\n');
  expect(read(cursor)).toContain('\r\n  "unknownSetting": [1, 2, 3]\r\n}\r\n');

  const back = await restore('cursor', '--remove-imported');
  expect(back.code).toBe(0);
  expect(back.stdout).toContain('cursor: removed from mcp.json: memory-cursor');
  expect(back.stdout).toContain('cursor: kept in mcp.json (still used, or there before): lin');
  expect(read(cursor)).toBe(cursorText);
  expect(read(join(configDir, 'mcp.json'))).toBe(mcpText);
}, 30_000);

test('the same server in two clients is imported once; restoring one client keeps it for the other', async () => {
  const entry = { command: 'uvx', args: ['mcp-server-git'], env: { GIT_DIR: '${HOME}/src' } };
  write(join(home, '.cursor', 'mcp.json'), JSON.stringify({ mcpServers: { git: entry } }, null, 2));
  write(join(home, '.codeium', 'windsurf', 'mcp_config.json'), JSON.stringify({ mcpServers: { 'git-tools': entry } }, null, 2));
  expect((await app('linux', 'consolidate', 'cursor', 'windsurf', '--yes')).code).toBe(0);
  expect(mcpServers()).toEqual({ git: { ...entry, tags: ['cursor', 'windsurf'] } });
  const back = await restore('cursor', '--remove-imported');
  expect(back.code).toBe(0);
  expect(mcpServers()).toEqual({ git: { ...entry, tags: ['windsurf'] } });
  expect((await restore('windsurf', '--remove-imported')).code).toBe(0);
  expect(mcpServers()).toEqual({});
}, 30_000);

test('--dry-run prints the change as a diff and changes nothing', async () => {
  writeClientConfigs('linux');
  const before = snapshot();
  const dry = await app('linux', 'consolidate', 'cursor', 'codex', '--dry-run');
  expect(dry.code).toBe(0);
  expect(dry.stdout).toContain(`--- ${join(home, '.cursor', 'mcp.json')}`);
  expect(dry.stdout).toContain('-    "linear": { "url": "https://mcp.linear.app/mcp", "headers": { "Authorization": "Bearer ${env:LINEAR}" } },');
  expect(dry.stdout).toContain('+    "1mcp": {');
  expect(dry.stdout).toContain('-[mcp_servers.memory]');
  expect(dry.stdout).toContain('+[mcp_servers.1mcp]');
  expect(dry.stdout).toContain(`+++ ${join(configDir, 'mcp.json')}`);
  expect(dry.stdout).toContain('(line endings: CRLF, kept)');
  expect(dry.stdout).toEndWith('Dry run: nothing was changed.\n');
  expect(snapshot()).toEqual(before);
  expect(existsSync(configDir)).toBe(false);
  const json = JSON.parse((await app('linux', 'consolidate', 'cursor', '--dry-run', '--json')).stdout);
  expect(json).toMatchObject({ dryRun: true, apps: ['cursor'], files: [{ app: 'cursor', path: join(home, '.cursor', 'mcp.json'), created: false }, { app: 'cursor', path: join(project, '.cursor', 'mcp.json'), created: false }] });
  expect(snapshot()).toEqual(before);
}, 30_000);

test('restore refuses to overwrite a file edited after consolidate unless --force; bad arguments are one-line errors', async () => {
  const cursor = join(home, '.cursor', 'mcp.json');
  const original = JSON.stringify({ mcpServers: { linear: { url: 'https://mcp.linear.app/mcp' } } }, null, 2);
  write(cursor, original);
  expect((await restore('cursor')).stderr).toBe(`1mcp: nothing to restore for cursor: no consolidate of it is recorded in ${join(configDir, 'app-backups', 'cursor')} (check --config-dir)\n`);
  expect((await app('linux', 'consolidate', 'cursor', '--yes')).code).toBe(0);
  const edited = read(cursor).replace('"mcpServers"', '"theme": "dark",\n  "mcpServers"');
  write(cursor, edited);
  const refused = await restore('cursor');
  expect(refused.code).toBe(1);
  expect(refused.stderr).toContain(`1mcp: ${cursor} changed after "1mcp app consolidate cursor"; restoring would lose those changes. Nothing was restored. Run again with --force`);
  expect(read(cursor)).toBe(edited);
  const forced = await restore('cursor', '--force');
  expect(forced.code).toBe(0);
  expect(read(cursor)).toBe(original);

  expect(await app('linux', 'consolidate')).toMatchObject({ code: 2, stderr: expect.stringContaining('name the apps to consolidate (codex, claude-code') });
  expect(await app('linux', 'consolidate', 'cursor', '--all')).toMatchObject({ code: 2, stderr: '1mcp: name apps or pass --all, not both (got cursor and --all)\n' });
  expect(await app('linux', 'consolidate', 'curser')).toMatchObject({ code: 2, stderr: expect.stringContaining('unknown app "curser"; did you mean "cursor"?') });
  expect(await app('linux', 'consolidate', 'zed')).toMatchObject({ code: 1, stderr: expect.stringContaining('1mcp: zed: no Zed configuration found (looked for ') });
  // A client file that is a link (a dotfiles manager's) is refused before anything is written.
  const real = join(tmp.path, 'dotfiles-windsurf.json');
  write(real, JSON.stringify({ mcpServers: { git: { command: 'uvx', args: ['mcp-server-git'] } } }));
  mkdirSync(join(home, '.codeium', 'windsurf'), { recursive: true });
  symlinkSync(real, join(home, '.codeium', 'windsurf', 'mcp_config.json'));
  const linked = await app('linux', 'consolidate', 'windsurf', '--yes');
  expect(linked.code).toBe(1);
  expect(linked.stderr).toContain('it is a symbolic link');
  expect(linked.stderr.trim().split('\n')).toHaveLength(1);
  expect(Object.keys(mcpServers())).toEqual(['linear']); // from the cursor run above; no git
  rmSync(join(home, '.codeium', 'windsurf', 'mcp_config.json'));
  write(join(home, '.codeium', 'windsurf', 'mcp_config.json'), '{ "mcpServers": ');
  const broken = await app('linux', 'consolidate', 'windsurf', 'cursor', '--yes');
  expect(broken.code).toBe(1);
  expect(broken.stderr).toMatch(/^1mcp: windsurf: .*mcp_config\.json: invalid JSON: .*; fix that file \(or leave windsurf out\) and try again — nothing was changed\n$/);
  expect(read(cursor)).toBe(original);
}, 30_000);

test('--http: apps that connect by URL get the running serve\'s /mcp (Claude Desktop keeps the proxy); the running serve picks up the imported server and calls its tool', async () => {
  const serve = await startServe({ mcpServers: {} }, { dir: configDir });
  try {
    const math = fixtureCommand(['--name', 'math']);
    write(join(home, '.cursor', 'mcp.json'), JSON.stringify({ mcpServers: { math } }, null, 2));
    write(join(home, '.config', 'Claude', 'claude_desktop_config.json'), JSON.stringify({ mcpServers: { math } }, null, 2));
    write(join(home, '.gemini', 'settings.json'), '{}\n');
    const done = await app('linux', 'consolidate', 'cursor', 'claude-desktop', 'gemini', '--http', '--yes');
    expect(done.code).toBe(0);
    expect(done.stderr).toContain('claude-desktop: Claude Desktop only starts stdio servers, so it gets the proxy, not the URL');
    const url = `${serve.origin}/mcp`;
    expect(JSON.parse(read(join(home, '.cursor', 'mcp.json')))).toEqual({ mcpServers: { '1mcp': { url } } });
    expect(JSON.parse(read(join(home, '.gemini', 'settings.json')))).toEqual({ mcpServers: { '1mcp': { httpUrl: url } } });
    const desktop = JSON.parse(read(join(home, '.config', 'Claude', 'claude_desktop_config.json'))).mcpServers['1mcp'];
    expect(desktop.args.slice(-3)).toEqual(['proxy', '--config-dir', configDir]);
    expect(mcpServers()).toEqual({ math: { ...math, tags: ['cursor', 'claude-desktop'] } });
    // serve reloads mcp.json: the server that was the clients' own now answers through it.
    const client = await connectHttp(serve.url);
    try {
      await waitFor(async () => (await client.listTools()).tools.some((t) => t.name === 'math_1mcp_add'), { what: 'the imported server in serve' });
      expect(textOf(await client.callTool({ name: 'math_1mcp_add', arguments: { a: 1, b: 2 } }))).toBe('3');
    } finally {
      await client.close();
    }
    // The proxy entry as Claude Desktop would start it, with little more than HOME (whose default config
    // dir is not this one): it finds this serve through --config-dir and reaches the same tool.
    const proxy = await connectStdio(desktop.command, desktop.args, { env: { HOME: home }, cwd: project });
    const proxyPid = stdioPid(proxy);
    try {
      expect(textOf(await proxy.callTool({ name: 'math_1mcp_add', arguments: { a: 2, b: 2 } }))).toBe('4');
    } finally {
      await proxy.close();
    }
    await waitFor(() => !isAlive(proxyPid), { what: 'the proxy to exit' });
  } finally {
    await serve.stop();
  }
}, 30_000);

test('setup codex writes the same entry as consolidate codex (and points at consolidate for the servers it leaves); consolidate then only moves the servers', async () => {
  const config = join(home, '.codex', 'config.toml');
  write(config, 'model = "gpt-5"\n\n[mcp_servers.memory]\ncommand = "npx"\nargs = ["-y", "@modelcontextprotocol/server-memory"]\n');
  const env = { HOME: home, CODEX_HOME: undefined, USERPROFILE: undefined };
  const setup = await runCli(['setup', 'codex', '--config-dir', configDir], { cwd: project, env });
  expect(setup.code).toBe(0);
  expect(setup.stderr).toContain('Codex still starts its own servers too (memory); "1mcp app consolidate codex" moves them into 1mcp.');
  const afterSetup = read(config);
  expect((await app('linux', 'consolidate', 'codex', '--yes')).code).toBe(0);
  const start = afterSetup.indexOf('[mcp_servers.memory]');
  const end = afterSetup.indexOf('[mcp_servers.1mcp]');
  expect(read(config)).toBe(afterSetup.slice(0, start) + afterSetup.slice(end));
  expect(Object.keys(mcpServers())).toEqual(['memory']);
  expect((await restore('codex')).code).toBe(0);
  expect(read(config)).toBe(afterSetup);
}, 30_000);

// On a terminal consolidate asks first; `script` gives the CLI a real pseudo-terminal.
test.skipIf(!existsSync('/usr/bin/script'))('on a terminal it asks: "n" changes nothing, "y" goes ahead', async () => {
  const cursor = join(home, '.cursor', 'mcp.json');
  const original = JSON.stringify({ mcpServers: { linear: { url: 'https://mcp.linear.app/mcp' } } }, null, 2);
  write(cursor, original);
  const onTerminal = (answer: string) => {
    const command = [...cliCommand(), 'app', 'consolidate', 'cursor', '--platform', 'linux', '--config-dir', configDir].map((a) => `'${a}'`).join(' ');
    return new Promise<{ code: number; out: string }>((resolve, reject) => {
      const child = spawn('/usr/bin/script', ['-qec', command, '/dev/null'], { cwd: project, env: { ...process.env, HOME: home, NO_COLOR: '1' }, stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code: code ?? -1, out }));
      child.stdin.end(`${answer}\n`);
    });
  };
  const declined = await onTerminal('n');
  expect(declined.out).toContain('Consolidate cursor? [y/N]');
  expect(declined.out).toContain('Nothing changed.');
  expect(declined.code).toBe(1);
  expect(read(cursor)).toBe(original);
  expect(existsSync(join(configDir, 'mcp.json'))).toBe(false);
  const accepted = await onTerminal('y');
  expect(accepted.code).toBe(0);
  expect(Object.keys(JSON.parse(read(cursor)).mcpServers)).toEqual(['1mcp']);
  expect(Object.keys(mcpServers())).toEqual(['linear']);
}, 30_000);

test('a client name that is not a valid mcp.json name is imported under a cleaned one, and says so', async () => {
  const config = join(home, '.codex', 'config.toml');
  const original = '[mcp_servers."my.server"]\ncommand = "uvx"\nargs = ["mcp-server-time"]\n\n[mcp_servers.ok]\ncommand = "uvx"\nargs = ["mcp-server-fetch"]\n';
  write(config, original);
  const done = await app('linux', 'consolidate', 'codex', '--yes', '--json');
  expect(done.code).toBe(0);
  expect(JSON.parse(done.stdout).imports.map((o: any) => [o.from, o.name, o.notes])).toEqual([
    ['my.server', 'my-server', [`"my.server" is not a valid mcp.json name (letters, digits, '_' or '-', at most 50); named "my-server"`]],
    ['ok', 'ok', []],
  ]);
  expect(Object.keys(mcpServers())).toEqual(['my-server', 'ok']);
  expect(read(config)).not.toContain('my.server');
  const back = await restore('codex', '--remove-imported', '--json');
  expect(JSON.parse(back.stdout)).toEqual([{ app: 'codex', files: [{ path: config, action: 'restored', backup: expect.any(String) }], removed: ['my-server', 'ok'], untagged: [] }]);
  expect(read(config)).toBe(original);
}, 30_000);
