/** Editing Codex's config.toml as text (README.md): only our table changes, idempotent, reversible. */
import { describe, expect, test } from 'bun:test';
import { parse } from 'smol-toml';
import { codexConfigPath, codexServerEntry, removeCodexServer, upsertCodexServer } from '../../src/integrations/codex.ts';

const stdio = { command: '/home/me/.local/bin/1mcp', args: ['proxy'], startup_timeout_sec: 30 };
const http = { url: 'http://127.0.0.1:3050/mcp', startup_timeout_sec: 30 };
const OURS = '[mcp_servers.1mcp]\ncommand = "/home/me/.local/bin/1mcp"\nargs = ["proxy"]\nstartup_timeout_sec = 30\n';

const entry = (text: string, name = '1mcp') => (parse(text) as any).mcp_servers?.[name];

const USER_CONFIG = `# My Codex config
model = "gpt-5" # the model

[mcp_servers.github]
command = "npx"
args = [
  "-y",
  "@modelcontextprotocol/server-github", # trailing comment
  ["not", "a header"],
]
env = { GITHUB_TOKEN = "x" }
notes = """
[mcp_servers.1mcp]
command = "not really"
"""

# Notes about tools
[mcp_servers.github.tools.create_issue]
approval_mode = "approve"

[profiles.fast]
model = "gpt-5-mini"
`;

/** A user's file that already has our entry, between other servers, with their own keys and sub-tables. */
const EXISTING = `model = "gpt-5"

[mcp_servers.memory]
command = "npx"

[mcp_servers.1mcp]
# installed by hand
command = "/old/path/1mcp"  # keep this note
args = [
  "proxy",
  "--preset", "web",
]
startup_timeout_sec = 12
tool_timeout_sec = 600
enabled_tools = ["a", "b"]

[mcp_servers.1mcp.env]
ONE_MCP_CONFIG_DIR = "/somewhere"

[mcp_servers.1mcp.tools.search]
approval_mode = "approve"

# The next server
[mcp_servers.zeta]
url = "https://example.com/mcp"
`;

describe('upsert', () => {
  test('appends our table after one blank line; every other byte stays; parses back to what we meant', () => {
    const { text, changed } = upsertCodexServer(USER_CONFIG, '1mcp', stdio);
    expect(changed).toBe(true);
    expect(text).toBe(`${USER_CONFIG}\n${OURS}`);
    expect(entry(text)).toEqual({ command: stdio.command, args: ['proxy'], startup_timeout_sec: 30 });
    expect(entry(text, 'github').notes).toContain('not really');
  });

  test('running it twice changes nothing the second time', () => {
    for (const start of [USER_CONFIG, EXISTING, '', 'a = 1', 'a = 1\r\n', '[mcp_servers]\n1mcp = { command = "x" }\n']) {
      for (const e of [stdio, http]) {
        const once = upsertCodexServer(start, '1mcp', e).text;
        expect(upsertCodexServer(once, '1mcp', e)).toEqual({ text: once, changed: false });
      }
    }
  });

  test('an existing entry: owned keys replaced in place (their comments kept), user keys, comments and sub-tables kept, startup_timeout_sec not overwritten', () => {
    const { text, changed } = upsertCodexServer(EXISTING, '1mcp', stdio);
    expect(changed).toBe(true);
    expect(text).toBe(
      EXISTING.replace('command = "/old/path/1mcp"  # keep', 'command = "/home/me/.local/bin/1mcp"  # keep').replace(
        'args = [\n  "proxy",\n  "--preset", "web",\n]',
        'args = ["proxy"]',
      ),
    );
    expect(entry(text)).toEqual({
      command: stdio.command,
      args: ['proxy'],
      startup_timeout_sec: 12,
      tool_timeout_sec: 600,
      enabled_tools: ['a', 'b'],
      env: { ONE_MCP_CONFIG_DIR: '/somewhere' },
      tools: { search: { approval_mode: 'approve' } },
    });
  });

  test('values already right keep the way the user wrote them', () => {
    const text = "[mcp_servers.1mcp]\ncommand = '/home/me/.local/bin/1mcp'\nargs = [\n  'proxy',\n]\nstartup_timeout_sec = 5\n";
    expect(upsertCodexServer(text, '1mcp', stdio)).toEqual({ text, changed: false });
  });

  test("the user's startup timeout wins, also in Codex's older startup_timeout_ms spelling", () => {
    const text = '[mcp_servers.1mcp]\ncommand = "x"\nstartup_timeout_ms = 20000\n';
    const out = upsertCodexServer(text, '1mcp', stdio).text;
    expect(entry(out)).toEqual({ command: stdio.command, args: ['proxy'], startup_timeout_ms: 20000 });
  });

  test('a missing startup timeout goes after the last key of our table, before the next table', () => {
    const text = 'a = 1\n\n[mcp_servers.1mcp]\ncommand = "x"\nenv = { A = "1" }\n\n[b]\nc = 2\n';
    expect(upsertCodexServer(text, '1mcp', stdio).text).toBe(
      'a = 1\n\n[mcp_servers.1mcp]\ncommand = "/home/me/.local/bin/1mcp"\nargs = ["proxy"]\nenv = { A = "1" }\nstartup_timeout_sec = 30\n\n[b]\nc = 2\n',
    );
  });

  test('switching to --http replaces command/args with url (user keys stay), and back', () => {
    const toHttp = upsertCodexServer(EXISTING, '1mcp', { ...http, bearer_token_env_var: 'ONE_MCP_TOKEN' }).text;
    expect(entry(toHttp)).toMatchObject({ url: http.url, bearer_token_env_var: 'ONE_MCP_TOKEN', startup_timeout_sec: 12, tool_timeout_sec: 600 });
    expect(entry(toHttp).command).toBeUndefined();
    expect(entry(toHttp).args).toBeUndefined();
    expect(toHttp).toContain('[mcp_servers.1mcp]\n# installed by hand\nurl = "http://127.0.0.1:3050/mcp"\nbearer_token_env_var = "ONE_MCP_TOKEN"\nstartup_timeout_sec = 12\n');
    const back = upsertCodexServer(toHttp, '1mcp', stdio).text;
    expect(entry(back)).toMatchObject({ command: stdio.command, args: ['proxy'], startup_timeout_sec: 12 });
    expect(entry(back).url).toBeUndefined();
    expect(entry(back).bearer_token_env_var).toBeUndefined();
    // Everything outside our table is still the user's text.
    expect(back.slice(0, back.indexOf('[mcp_servers.1mcp]'))).toBe(EXISTING.slice(0, EXISTING.indexOf('[mcp_servers.1mcp]')));
    expect(back.slice(back.indexOf('[mcp_servers.1mcp.env]'))).toBe(EXISTING.slice(EXISTING.indexOf('[mcp_servers.1mcp.env]')));
  });

  test('an empty or missing file gets just our table', () => {
    expect(upsertCodexServer('', '1mcp', stdio).text).toBe(OURS);
  });

  test('a file without a final line break keeps having none', () => {
    expect(upsertCodexServer('model = "x"', '1mcp', stdio).text).toBe(`model = "x"\n\n${OURS.trimEnd()}`);
    const edited = upsertCodexServer('[mcp_servers.1mcp]\nurl = "http://x"', '1mcp', stdio).text;
    expect(edited).toBe(OURS.trimEnd());
  });

  test('CRLF files keep CRLF, in new and edited tables; a mixed file keeps each line as it was', () => {
    const crlf = 'model = "x"\r\n\r\n[a]\r\nb = 1\r\n';
    const added = upsertCodexServer(crlf, '1mcp', stdio).text;
    expect(added).toBe(`${crlf}\r\n${OURS.replace(/\n/g, '\r\n')}`);
    const switched = upsertCodexServer(added, '1mcp', http).text;
    expect(switched.replace(/\r\n/g, '')).not.toContain('\n');
    expect(entry(switched)).toEqual({ url: http.url, startup_timeout_sec: 30 });
    const mixed = 'a = 1\r\nb = 2\n\n[mcp_servers.1mcp]\r\nurl = "x"\n';
    expect(upsertCodexServer(mixed, '1mcp', http).text).toBe(mixed.replace('url = "x"', `url = "${http.url}"`).replace('"\n', '"\nstartup_timeout_sec = 30\r\n'));
  });

  test('a custom name (--name), also one that needs quoting', () => {
    const hub = upsertCodexServer(USER_CONFIG, 'my-1mcp', stdio).text;
    expect(hub).toContain('\n[mcp_servers.my-1mcp]\n');
    expect(entry(hub, 'my-1mcp')).toEqual({ command: stdio.command, args: ['proxy'], startup_timeout_sec: 30 });
    expect(entry(hub)).toBeUndefined();
    const dotted = upsertCodexServer(USER_CONFIG, 'team.hub', stdio).text;
    expect(dotted).toContain('\n[mcp_servers."team.hub"]\n');
    expect(upsertCodexServer(dotted, 'team.hub', stdio).changed).toBe(false);
    expect(removeCodexServer(dotted, 'team.hub').text).toBe(USER_CONFIG);
  });

  test('paths with spaces, backslashes, quotes and control characters round-trip through smol-toml', () => {
    const windows = { command: 'C:\\Program Files\\1mcp\\1mcp.exe', args: ['proxy', "it's \\ \"quoted\"", 'tab\there', 'line\nbreak', 'del\x7f'] };
    const out = upsertCodexServer('', '1mcp', windows).text;
    expect(out).toContain("command = 'C:\\Program Files\\1mcp\\1mcp.exe'");
    expect(entry(out)).toEqual(windows);
    expect(upsertCodexServer(out, '1mcp', windows).changed).toBe(false);
  });

  test('invalid TOML is refused with line and column, and says nothing changed', () => {
    expect(() => upsertCodexServer('model = "x"\n[broken\n', '1mcp', stdio)).toThrow(/not valid TOML \(line 2, column \d+.*not changed/);
    expect(() => removeCodexServer('a = 1\na = 2\n', '1mcp')).toThrow(/line 2, column \d+.*not changed/);
  });

  test('an inline table under [mcp_servers] is edited in place, keeping the user entries', () => {
    const text = '[mcp_servers]\nother = { command = "y" }\n"1mcp" = { url = "http://old", env = { A = "b" } } # mine\nlast = { command = "z" }\n';
    const out = upsertCodexServer(text, '1mcp', stdio).text;
    expect(out).toBe(
      '[mcp_servers]\nother = { command = "y" }\n"1mcp" = { command = "/home/me/.local/bin/1mcp", args = ["proxy"], env = { A = "b" }, startup_timeout_sec = 30 } # mine\nlast = { command = "z" }\n',
    );
    expect(entry(out)).toEqual({ command: stdio.command, args: ['proxy'], env: { A: 'b' }, startup_timeout_sec: 30 });
  });

  test('a dotted inline definition at the top level is edited in place too', () => {
    const out = upsertCodexServer('mcp_servers.1mcp = { command = "old", args = ["proxy"] }\n', '1mcp', stdio).text;
    expect(out).toBe('mcp_servers.1mcp = { command = "/home/me/.local/bin/1mcp", args = ["proxy"], startup_timeout_sec = 30 }\n');
  });

  test('forms that cannot be edited safely are refused with the line and what to do', () => {
    const refused = [
      '[mcp_servers]\n1mcp.command = "x"\n1mcp.args = ["proxy"]\n',
      'mcp_servers = { "1mcp" = { command = "x" } }\n',
      'mcp_servers = { other = { command = "x" } }\n',
      '[mcp_servers]\n1mcp = { command = "x", args = [\n  "proxy",\n] }\n',
    ];
    for (const text of refused) expect(() => upsertCodexServer(text, '1mcp', stdio)).toThrow(/line \d+\).*\[mcp_servers\.1mcp\] table.*nothing was changed/);
    expect(() => upsertCodexServer('[[mcp_servers]]\nx = 1\n', '1mcp', stdio)).toThrow(/mcp_servers .*is not a table/);
    expect(() => upsertCodexServer('[mcp_servers]\n1mcp = "x"\n', '1mcp', stdio)).toThrow(/mcp_servers\.1mcp .*is not a table/);
  });

  test('only sub-tables of our entry so far: the table itself is added, the sub-tables stay', () => {
    const text = '[mcp_servers.1mcp.env]\nA = "1"\n';
    const out = upsertCodexServer(text, '1mcp', stdio).text;
    expect(out).toBe(`${text}\n${OURS}`);
    expect(entry(out)).toEqual({ command: stdio.command, args: ['proxy'], startup_timeout_sec: 30, env: { A: '1' } });
  });
});

describe('remove', () => {
  test('after upsert, restores the original byte for byte', () => {
    const originals = [USER_CONFIG, '', '\n', 'model = "x"', 'model = "x"\n\n\n', 'a = 1\r\n\r\n[b]\r\nc = 2\r\n', '# only a comment', '[mcp_servers.other]\ncommand = "y"\n'];
    for (const original of originals) {
      for (const e of [stdio, http]) {
        const added = upsertCodexServer(original, 'hub', e).text;
        expect(removeCodexServer(added, 'hub')).toEqual({ text: original, changed: true });
      }
    }
  });

  test('removes our table and its sub-tables, keeps the comment that introduces the next table', () => {
    const out = removeCodexServer(EXISTING, '1mcp');
    expect(out.changed).toBe(true);
    expect(out.text).toBe('model = "gpt-5"\n\n[mcp_servers.memory]\ncommand = "npx"\n\n# The next server\n[mcp_servers.zeta]\nurl = "https://example.com/mcp"\n');
  });

  test('a table at the end takes the blank line before it along', () => {
    expect(removeCodexServer('a = 1\n\n[mcp_servers.1mcp]\ncommand = "x"\n\n[mcp_servers.1mcp.env]\nK = "v"\n', '1mcp').text).toBe('a = 1\n');
  });

  test('inline and dotted definitions are removed line by line', () => {
    expect(removeCodexServer('[mcp_servers]\na = { command = "y" }\n1mcp = { command = "x" }\nb = { command = "z" }\n', '1mcp').text).toBe(
      '[mcp_servers]\na = { command = "y" }\nb = { command = "z" }\n',
    );
    expect(removeCodexServer('[mcp_servers]\n1mcp.command = "x"\nother.command = "y"\n1mcp.args = ["proxy"]\n', '1mcp').text).toBe('[mcp_servers]\nother.command = "y"\n');
  });

  test('nothing to remove: unchanged', () => {
    expect(removeCodexServer(USER_CONFIG, '1mcp')).toEqual({ text: USER_CONFIG, changed: false });
    expect(removeCodexServer('', '1mcp')).toEqual({ text: '', changed: false });
  });
});

test('codexServerEntry reads our entry as Codex will', () => {
  expect(codexServerEntry(EXISTING, '1mcp')).toMatchObject({ command: '/old/path/1mcp', tool_timeout_sec: 600 });
  expect(codexServerEntry(USER_CONFIG, '1mcp')).toBeUndefined();
});

test('config path: $CODEX_HOME/config.toml, else ~/.codex/config.toml', () => {
  expect(codexConfigPath({ CODEX_HOME: '/x/codex' })).toBe('/x/codex/config.toml');
  expect(codexConfigPath({ HOME: '/home/me' })).toBe('/home/me/.codex/config.toml');
});
