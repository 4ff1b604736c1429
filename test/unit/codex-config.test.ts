/** Editing Codex's config.toml as text (SPEC §1.6): only our table changes, idempotent, reversible. */
import { describe, expect, test } from 'bun:test';
import { parse } from 'smol-toml';
import { codexConfigPath, removeCodexServer, upsertCodexServer } from '../../src/integrations/codex.ts';

const stdio = { command: '/home/me/.local/bin/1mcp', args: ['proxy'], startup_timeout_sec: 30 };

const USER_CONFIG = `# My Codex config
model = "gpt-5" # the model

[mcp_servers.github]
command = "npx"
args = [
  "-y",
  "@modelcontextprotocol/server-github", # trailing comment
]
env = { GITHUB_TOKEN = "x" }

# Notes about tools
[mcp_servers.github.tools.create_issue]
approval_mode = "approve"

[profiles.fast]
model = "gpt-5-mini"
`;

describe('upsert', () => {
  test('appends our table; every other byte stays; parses back to what we meant', () => {
    const { text, changed } = upsertCodexServer(USER_CONFIG, '1mcp', stdio);
    expect(changed).toBe(true);
    expect(text.startsWith(USER_CONFIG)).toBe(true);
    expect(text.slice(USER_CONFIG.length)).toBe(`\n[mcp_servers.1mcp]\ncommand = "/home/me/.local/bin/1mcp"\nargs = ["proxy"]\nstartup_timeout_sec = 30\n`);
    const doc = parse(text) as any;
    expect(doc.mcp_servers['1mcp']).toEqual({ command: stdio.command, args: ['proxy'], startup_timeout_sec: 30 });
    expect(doc.mcp_servers.github.args).toEqual(['-y', '@modelcontextprotocol/server-github']);
  });

  test('running it twice changes nothing the second time', () => {
    const once = upsertCodexServer(USER_CONFIG, '1mcp', stdio).text;
    const twice = upsertCodexServer(once, '1mcp', stdio);
    expect(twice.changed).toBe(false);
    expect(twice.text).toBe(once);
  });

  test('an existing entry: owned keys replaced in place, user keys, comments and sub-tables kept, startup_timeout_sec not overwritten', () => {
    const existing = `${USER_CONFIG}
[mcp_servers.1mcp]
# installed by hand
command = "/old/path/1mcp"
args = [
  "proxy",
  "--preset", "web",
]
startup_timeout_sec = 12
tool_timeout_sec = 600

[mcp_servers.1mcp.env]
ONE_MCP_CONFIG_DIR = "/somewhere"

[other]
x = 1
`;
    const { text, changed } = upsertCodexServer(existing, '1mcp', stdio);
    expect(changed).toBe(true);
    expect(text).toBe(
      existing.replace('command = "/old/path/1mcp"\nargs = [\n  "proxy",\n  "--preset", "web",\n]', 'command = "/home/me/.local/bin/1mcp"\nargs = ["proxy"]'),
    );
    const doc = parse(text) as any;
    expect(doc.mcp_servers['1mcp']).toEqual({ command: stdio.command, args: ['proxy'], startup_timeout_sec: 12, tool_timeout_sec: 600, env: { ONE_MCP_CONFIG_DIR: '/somewhere' } });
    expect(doc.other).toEqual({ x: 1 });
  });

  test('switching to --http replaces command/args with url, and back', () => {
    const withStdio = upsertCodexServer(USER_CONFIG, '1mcp', stdio).text;
    const http = upsertCodexServer(withStdio, '1mcp', { url: 'http://127.0.0.1:3050/mcp', startup_timeout_sec: 30 });
    expect((parse(http.text) as any).mcp_servers['1mcp']).toEqual({ url: 'http://127.0.0.1:3050/mcp', startup_timeout_sec: 30 });
    expect(http.text.startsWith(USER_CONFIG)).toBe(true);
    const back = upsertCodexServer(http.text, '1mcp', stdio);
    expect((parse(back.text) as any).mcp_servers['1mcp']).toEqual({ command: stdio.command, args: ['proxy'], startup_timeout_sec: 30 });
  });

  test('an empty or missing file gets just our table; CRLF files keep CRLF', () => {
    expect(upsertCodexServer('', '1mcp', stdio).text).toBe('[mcp_servers.1mcp]\ncommand = "/home/me/.local/bin/1mcp"\nargs = ["proxy"]\nstartup_timeout_sec = 30\n');
    const crlf = 'model = "x"\r\n\r\n[a]\r\nb = 1\r\n';
    const out = upsertCodexServer(crlf, '1mcp', stdio).text;
    expect(out.startsWith(crlf)).toBe(true);
    expect(out.replace(/\r\n/g, '')).not.toContain('\n');
  });

  test('a file without a final newline', () => {
    const out = upsertCodexServer('model = "x"', '1mcp', stdio).text;
    expect(out).toBe('model = "x"\n\n[mcp_servers.1mcp]\ncommand = "/home/me/.local/bin/1mcp"\nargs = ["proxy"]\nstartup_timeout_sec = 30\n');
  });

  test('a custom name and paths with spaces, quotes and backslashes round-trip', () => {
    const entry = { command: 'C:\\Program Files\\1mcp\\1mcp.exe', args: ['proxy', 'say "hi"'] };
    const out = upsertCodexServer(USER_CONFIG, 'my-1mcp', entry).text;
    expect(out).toContain('[mcp_servers.my-1mcp]');
    expect((parse(out) as any).mcp_servers['my-1mcp']).toEqual(entry);
  });

  test('invalid TOML is refused with line and column, and says nothing changed', () => {
    expect(() => upsertCodexServer('model = "x"\n[broken\n', '1mcp', stdio)).toThrow(/line 2, column \d+.*not changed/);
  });

  test('an inline definition of our entry is refused with what to do', () => {
    expect(() => upsertCodexServer('[mcp_servers]\n1mcp = { command = "x" }\n', '1mcp', stdio)).toThrow(/inline or dotted form/);
  });
});

describe('remove', () => {
  test('restores the original byte for byte', () => {
    const added = upsertCodexServer(USER_CONFIG, '1mcp', stdio).text;
    const removed = removeCodexServer(added, '1mcp');
    expect(removed.changed).toBe(true);
    expect(removed.text).toBe(USER_CONFIG);
  });

  test('removes our sub-tables too, and nothing else', () => {
    const text = `a = 1\n\n[mcp_servers.1mcp]\ncommand = "x"\n\n[mcp_servers.1mcp.env]\nK = "v"\n\n[mcp_servers.other]\ncommand = "y"\n`;
    expect(removeCodexServer(text, '1mcp').text).toBe('a = 1\n\n[mcp_servers.other]\ncommand = "y"\n');
  });

  test('nothing to remove: unchanged', () => {
    expect(removeCodexServer(USER_CONFIG, '1mcp')).toEqual({ text: USER_CONFIG, changed: false });
  });
});

test('config path: $CODEX_HOME/config.toml, else ~/.codex/config.toml', () => {
  expect(codexConfigPath({ CODEX_HOME: '/x/codex' })).toBe('/x/codex/config.toml');
  expect(codexConfigPath({ HOME: '/home/me' })).toBe('/home/me/.codex/config.toml');
});
