/**
 * `1mcp app list | discover` against fake homes holding real-looking configs of every client, in the
 * formats each client documents (comments, unknown keys, CRLF where the client allows them), at the
 * paths each uses on Linux, macOS and Windows. Read-only: every file is byte for byte the same after.
 */
import { afterEach, beforeEach, expect, test } from 'bun:test';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.ts';
import { appData as sharedAppData, crlf, fakeHomeEnv, type Platform, snapshotFiles, writeFile } from '../helpers/fake-home.ts';
import { makeTempDir, type TempDir } from '../helpers/tmp.ts';

let tmp: TempDir;
let home: string;
let project: string;

beforeEach(() => {
  tmp = makeTempDir('1mcp-app-');
  home = join(tmp.path, 'home');
  project = join(tmp.path, 'project');
  mkdirSync(home);
  mkdirSync(project);
});
afterEach(() => tmp.cleanup());

const app = (platform: Platform, ...args: string[]) =>
  runCli(['app', ...args, '--platform', platform], { cwd: project, env: fakeHomeEnv(home) });

const appData = (platform: Platform) => sharedAppData(home, platform);

const write = writeFile;


/** Every client's files, as each documents them. Returns the paths written. */
function writeClientConfigs(platform: Platform): string[] {
  const files: Record<string, string> = {
    [join(home, '.codex', 'config.toml')]: crlf(`# Codex settings
model = "gpt-5"

[mcp_servers.memory]
command = "npx"
args = ["-y", "@modelcontextprotocol/server-memory"]
env = { MEMORY_FILE = "\${HOME}/memory.json" }
startup_timeout_sec = 20

[mcp_servers.github]   # remote, token from the environment
url = "https://api.githubcopilot.com/mcp/"
bearer_token_env_var = "GITHUB_PAT"
http_headers = { "X-Team" = "core" }
tool_timeout_sec = 90
enabled_tools = ["search_code"]

[mcp_servers.off]
command = "uvx"
args = ["mcp-server-time"]
enabled = false

[mcp_servers.1mcp]
command = "/usr/local/bin/1mcp"
args = ["proxy"]
`),
    [join(home, '.claude.json')]: JSON.stringify(
      {
        numStartups: 12,
        userID: 'abc',
        mcpServers: { fs: { type: 'stdio', command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '/srv'], env: {} } },
        projects: {
          '/work/app': { allowedTools: [], mcpServers: { db: { type: 'http', url: 'https://db.example.com/mcp', headers: { Authorization: 'Bearer ${DB_TOKEN}' } } } },
          '/work/empty': { allowedTools: [] },
        },
      },
      null,
      2,
    ),
    [join(project, '.mcp.json')]: JSON.stringify({ mcpServers: { sentry: { type: 'sse', url: 'https://mcp.sentry.dev/sse' } } }, null, 2),
    [join(appData(platform), 'Claude', 'claude_desktop_config.json')]: JSON.stringify({ mcpServers: { memory: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-memory'], env: { MEMORY_FILE: '${HOME}/memory.json' } } }, globalShortcut: 'Ctrl+Space' }, null, 2),
    [join(home, '.cursor', 'mcp.json')]: `{
  // Cursor: a remote server
  "mcpServers": {
    "linear": { "url": "https://mcp.linear.app/mcp", "headers": { "Authorization": "Bearer \${env:LINEAR}" } },
  },
}
`,
    [join(project, '.cursor', 'mcp.json')]: JSON.stringify({ mcpServers: { local: { command: 'node', args: ['server.js'], envFile: '.env' } } }),
    [join(appData(platform), 'Code', 'User', 'mcp.json')]: crlf(`{
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
    [join(project, '.vscode', 'mcp.json')]: JSON.stringify({ servers: { playwright: { command: 'npx', args: ['@playwright/mcp@latest'] } } }),
    [join(home, '.codeium', 'windsurf', 'mcp_config.json')]: JSON.stringify({ mcpServers: { zapier: { serverUrl: 'https://actions.zapier.com/mcp/KEY/sse', disabled: false }, git: { command: 'uvx', args: ['mcp-server-git'], disabled: true } } }, null, 2),
    [join(home, '.gemini', 'settings.json')]: `{
  "theme": "GitHub", // unrelated setting
  "mcpServers": {
    "api": { "httpUrl": "https://api.example.com/mcp", "headers": { "X-Key": "$API_KEY" }, "timeout": 30000, "trust": false },
    "legacy": { "url": "http://localhost:8080/sse" },
    "local": { "command": "python", "args": ["-m", "srv"], "cwd": "./tools", "includeTools": ["a"] }
  }
}
`,
    [join(appData(platform), 'Code', 'User', 'globalStorage', 'saoudrizwan.claude-dev', 'settings', 'cline_mcp_settings.json')]: JSON.stringify(
      { mcpServers: { weather: { command: 'node', args: ['/opt/weather/index.js'], disabled: false, autoApprove: ['forecast'] }, remote: { type: 'streamableHttp', url: 'https://remote.example.com/mcp' } } },
      null,
      2,
    ),
    [platform === 'win32' ? join(appData(platform), 'Zed', 'settings.json') : join(home, '.config', 'zed', 'settings.json')]: `// Zed settings
{
  "theme": "One Dark",
  "context_servers": {
    "new-style": { "command": "npx", "args": ["-y", "mcp-server-x"], "env": { "A": "1" } },
    "old-style": { "source": "custom", "command": { "path": "uvx", "args": ["mcp-server-y"], "env": {} }, "enabled": false },
    "from-extension": { "source": "extension", "enabled": true, "settings": {} },
    "remote": { "url": "https://mcp.example.com/mcp", "headers": { "Authorization": "Bearer <token>" } }
  }
}
`,
  };
  for (const [path, text] of Object.entries(files)) write(path, text);
  return Object.keys(files);
}

const snapshot = (root: string) => snapshotFiles(home, root);

for (const platform of ['linux', 'darwin', 'win32'] as const) {
  test(`${platform}: every client's files found where it keeps them, every server read and mapped, nothing changed`, async () => {
    const written = writeClientConfigs(platform);
    const before = snapshot(tmp.path);

    const list = await app(platform, 'list', '--json');
    expect(list.stderr).toBe('');
    expect(list.code).toBe(0);
    const files = (JSON.parse(list.stdout) as { app: string; files: { path: string; found: boolean; error?: string }[] }[]).flatMap((c) => c.files.map((f) => ({ app: c.app, ...f })));
    expect(files.filter((f) => f.found).map((f) => f.path).sort()).toEqual([...written].sort());
    expect(files.filter((f) => f.error)).toEqual([]);
    // Only Codex runs 1mcp's proxy already.
    expect(files.filter((f) => (f as { hasOneMcp?: boolean }).hasOneMcp).map((f) => f.app)).toEqual(['codex']);
    // Another machine's layout does not find them.
    const other = platform === 'darwin' ? 'win32' : 'darwin';
    const elsewhere = JSON.parse((await app(other, 'list', '--json')).stdout) as { app: string; files: { found: boolean }[] }[];
    expect(elsewhere.find((c) => c.app === 'claude-desktop')!.files[0]!.found).toBe(false);

    const discovered = await app(platform, 'discover', '--json');
    expect(discovered.stderr).toBe('');
    expect(discovered.code).toBe(0);
    const { servers, errors } = JSON.parse(discovered.stdout) as { servers: any[]; errors: unknown[] };
    expect(errors).toEqual([]);
    const byKey = new Map(servers.map((s) => [`${s.app}/${s.name}`, s]));
    expect([...byKey.keys()].sort()).toEqual(
      [
        'codex/memory', 'codex/github', 'codex/off', 'codex/1mcp',
        'claude-code/fs', 'claude-code/db', 'claude-code/sentry',
        'claude-desktop/memory',
        'cursor/linear', 'cursor/local',
        'vscode/github', 'vscode/py', 'vscode/playwright',
        'windsurf/zapier', 'windsurf/git',
        'gemini/api', 'gemini/legacy', 'gemini/local',
        'cline/weather', 'cline/remote',
        'zed/new-style', 'zed/old-style', 'zed/from-extension', 'zed/remote',
      ].sort(),
    );
    const pick = (key: string) => {
      const s = byKey.get(key)!;
      return { scope: s.scope, project: s.project, entry: s.entry, extra: s.extra, notes: s.notes, sameAs: s.sameAs };
    };
    // Codex: header variables become ${VAR} references, seconds become milliseconds, enabled=false is disabled.
    expect(pick('codex/memory')).toEqual({ scope: 'user', project: undefined, entry: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-memory'], env: { MEMORY_FILE: '${HOME}/memory.json' }, connectionTimeout: 20000 }, extra: {}, notes: [], sameAs: ['claude-desktop/memory'] });
    expect(pick('codex/github')).toMatchObject({ entry: { url: 'https://api.githubcopilot.com/mcp/', headers: { 'X-Team': 'core', Authorization: 'Bearer ${GITHUB_PAT}' }, requestTimeout: 90000 }, extra: { enabled_tools: ['search_code'] }, notes: [] });
    expect(pick('codex/off').entry).toEqual({ command: 'uvx', args: ['mcp-server-time'], disabled: true });
    expect(pick('codex/1mcp').notes).toEqual(['this is 1mcp itself (its proxy), not a server to import']);
    // Claude Code: user, local (per project in ~/.claude.json) and project (.mcp.json) scopes.
    expect(pick('claude-code/fs')).toMatchObject({ scope: 'user', entry: { type: 'stdio', command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '/srv'], env: {} } });
    expect(pick('claude-code/db')).toMatchObject({ scope: 'local', project: '/work/app', entry: { type: 'http', url: 'https://db.example.com/mcp', headers: { Authorization: 'Bearer ${DB_TOKEN}' } } });
    expect(pick('claude-code/sentry')).toMatchObject({ scope: 'project', entry: { type: 'sse', url: 'https://mcp.sentry.dev/sse' } });
    expect(pick('claude-desktop/memory').sameAs).toEqual(['codex/memory']);
    expect(pick('cursor/linear')).toMatchObject({ entry: { url: 'https://mcp.linear.app/mcp', headers: { Authorization: 'Bearer ${env:LINEAR}' } }, extra: {} });
    expect(pick('cursor/local')).toMatchObject({ scope: 'project', entry: { command: 'node', args: ['server.js'] }, extra: { envFile: '.env' } });
    // VS Code: servers key, inputs reported as needing a value.
    expect(pick('vscode/github')).toMatchObject({ entry: { type: 'http', headers: { Authorization: 'Bearer ${input:gh-token}' } }, notes: ['needs a value for ${input:gh-token} (GitHub token), a secret'] });
    expect(pick('vscode/py')).toMatchObject({ entry: { type: 'stdio', command: 'uvx' }, extra: { envFile: '${workspaceFolder}/.env' } });
    expect(pick('vscode/playwright').scope).toBe('project');
    // Windsurf: serverUrl is the URL.
    expect(pick('windsurf/zapier').entry).toEqual({ url: 'https://actions.zapier.com/mcp/KEY/sse', disabled: false });
    expect(pick('windsurf/git').entry).toMatchObject({ disabled: true });
    // Gemini: httpUrl is Streamable HTTP, url is SSE; its own fields kept aside.
    expect(pick('gemini/api')).toMatchObject({ entry: { type: 'http', url: 'https://api.example.com/mcp', headers: { 'X-Key': '$API_KEY' } }, extra: { timeout: 30000, trust: false } });
    expect(pick('gemini/legacy').entry).toEqual({ type: 'sse', url: 'http://localhost:8080/sse' });
    expect(pick('gemini/local')).toMatchObject({ entry: { command: 'python', cwd: './tools' }, extra: { includeTools: ['a'] } });
    expect(pick('cline/weather')).toMatchObject({ entry: { command: 'node', disabled: false }, extra: { autoApprove: ['forecast'] } });
    expect(pick('cline/remote').entry).toEqual({ type: 'http', url: 'https://remote.example.com/mcp' });
    // Zed: both command forms, enabled, extension-provided servers cannot be imported.
    expect(pick('zed/new-style').entry).toEqual({ command: 'npx', args: ['-y', 'mcp-server-x'], env: { A: '1' } });
    expect(pick('zed/old-style')).toMatchObject({ entry: { command: 'uvx', args: ['mcp-server-y'], env: {}, disabled: true }, extra: { source: 'custom' } });
    expect(pick('zed/from-extension').notes).toEqual(['provided by a Zed extension: its command is not in settings.json, so it cannot be imported']);
    expect(pick('zed/remote').entry).toEqual({ url: 'https://mcp.example.com/mcp', headers: { Authorization: 'Bearer <token>' } });

    // The table a person reads.
    const human = await app(platform, 'discover', 'codex', 'zed');
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^APP +NAME +SCOPE +TRANSPORT +RUNS +NOTES$/m);
    expect(human.stdout).toMatch(/^codex +github +user +http +https:\/\/api\.githubcopilot\.com\/mcp\/ +other fields: enabled_tools$/m);
    expect(human.stdout).not.toContain('cursor');

    expect(snapshot(tmp.path)).toEqual(before);
  }, 30_000);
}

test('a broken file is reported and the other clients are still read; bad names and platforms are usage errors', async () => {
  writeClientConfigs('linux');
  write(join(home, '.config', 'Claude', 'claude_desktop_config.json'), '{ "mcpServers": { "x": { "command": "a" } ');
  const discovered = await app('linux', 'discover', '--json');
  expect(discovered.code).toBe(0);
  const { servers, errors } = JSON.parse(discovered.stdout);
  expect(errors).toEqual([{ app: 'claude-desktop', path: join(home, '.config', 'Claude', 'claude_desktop_config.json'), error: expect.stringMatching(/^.*claude_desktop_config\.json: invalid JSON: .* at line 1, column \d+$/) }]);
  expect(servers.length).toBe(23);
  const list = await app('linux', 'list');
  expect(list.stdout).toMatch(/^claude-desktop +user +unreadable +\//m);
  expect(list.stdout).toMatch(/^codex +user +yes, 4 servers +yes +\//m);
  const human = await app('linux', 'discover', 'claude-desktop');
  expect(human.stderr).toContain('claude-desktop: ');
  expect(human.stdout).toContain('No MCP servers found in claude-desktop');

  expect(await app('linux', 'discover', 'cursr')).toMatchObject({ code: 2, stderr: `1mcp: unknown app "cursr"; did you mean "cursor"? (known: codex, claude-code, claude-desktop, cursor, vscode, windsurf, gemini, cline, zed)\n` });
  const bad = await runCli(['app', 'list', '--platform', 'bsd'], { cwd: project, env: { HOME: home } });
  expect(bad).toMatchObject({ code: 2, stderr: '1mcp: --platform must be linux, darwin or win32 (got "bsd")\n' });
  // Consolidating the client whose file is broken is refused (test/integration/app-consolidate.test.ts has the rest).
  const refused = await app('linux', 'consolidate', 'claude-desktop', '--yes');
  expect(refused.code).toBe(1);
  expect(refused.stderr).toContain('fix that file (or leave claude-desktop out) and try again — nothing was changed');
}, 30_000);
