/** `1mcp setup codex` on real files (README.md): only its table changes, backup, idempotent, --remove. */
import { afterEach, beforeEach, expect, test } from 'bun:test';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'smol-toml';
import { runCli } from '../helpers/cli.ts';

let dir: string;
let codexHome: string;
let configDir: string;
const configFile = () => join(codexHome, 'config.toml');
const setup = (...args: string[]) => runCli(['setup', 'codex', '--config-dir', configDir, ...args], { env: { CODEX_HOME: codexHome } });

const ORIGINAL = `# Codex settings
model = "gpt-5"

[mcp_servers.memory]
command = "npx"
args = ["-y", "@modelcontextprotocol/server-memory"]

[mcp_servers.1mcp]
command = "/stale/1mcp"   # an older install
args = ["proxy"]
tool_timeout_sec = 120

[tui]
notifications = true
`;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), '1mcp-setup-'));
  codexHome = join(dir, 'codex');
  configDir = join(dir, 'config');
  mkdirSync(codexHome);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test('updates only its own table, keeps a backup, changes nothing on a second run, --remove takes it out', async () => {
  writeFileSync(configFile(), ORIGINAL);
  const first = await setup();
  expect(first.code).toBe(0);
  const after = readFileSync(configFile(), 'utf8');
  const doc = parse(after) as any;
  // Not the config dir HOME implies, so the proxy is told which one (a client starts it with little environment).
  expect(doc.mcp_servers['1mcp'].args.slice(-3)).toEqual(['proxy', '--config-dir', configDir]);
  expect(doc.mcp_servers['1mcp'].command).not.toBe('/stale/1mcp');
  expect(doc.mcp_servers['1mcp'].tool_timeout_sec).toBe(120);
  expect(doc.mcp_servers['1mcp'].startup_timeout_sec).toBe(30);
  // Everything outside our table is byte-identical.
  const outside = (t: string) => t.replace(/\[mcp_servers\.1mcp\][\s\S]*?(?=\n\[tui\])/, '<ours>');
  expect(outside(after)).toBe(outside(ORIGINAL));
  const backups = readdirSync(join(configDir, 'backups', 'codex'));
  expect(backups).toHaveLength(1);
  expect(readFileSync(join(configDir, 'backups', 'codex', backups[0]!), 'utf8')).toBe(ORIGINAL);

  const second = await setup();
  expect(second.code).toBe(0);
  expect(second.stdout).toContain('nothing changed');
  expect(readFileSync(configFile(), 'utf8')).toBe(after);
  expect(readdirSync(join(configDir, 'backups', 'codex'))).toHaveLength(1);

  const dry = await setup('--http', '--dry-run');
  expect(dry.stdout).toContain('url = "http://127.0.0.1:3050/mcp"');
  expect(readFileSync(configFile(), 'utf8')).toBe(after);

  const removed = await setup('--remove');
  expect(removed.code).toBe(0);
  expect((parse(readFileSync(configFile(), 'utf8')) as any).mcp_servers['1mcp']).toBeUndefined();
});

test('on a file without our entry, setup then --remove restores the original exactly', async () => {
  const original = ORIGINAL.replace(/\[mcp_servers\.1mcp\][\s\S]*?\n\n/, '');
  writeFileSync(configFile(), original);
  expect((await setup('--name', 'hub')).code).toBe(0);
  expect(readFileSync(configFile(), 'utf8')).toContain('[mcp_servers.hub]');
  expect((await setup('--name', 'hub', '--remove')).code).toBe(0);
  expect(readFileSync(configFile(), 'utf8')).toBe(original);
});

test('no config yet: creates it; invalid TOML: refused, file untouched', async () => {
  expect((await setup('--http')).code).toBe(0);
  expect((parse(readFileSync(configFile(), 'utf8')) as any).mcp_servers['1mcp'].url).toBe('http://127.0.0.1:3050/mcp');
  writeFileSync(configFile(), 'model = \n');
  const bad = await setup();
  expect(bad.code).not.toBe(0);
  expect(bad.stderr).toMatch(/not valid TOML \(line 1, column \d+/);
  expect(readFileSync(configFile(), 'utf8')).toBe('model = \n');
  // Nothing was written, so nothing was backed up either (creating the file had no previous version).
  expect(existsSync(join(configDir, 'backups', 'codex'))).toBe(false);
});

test('setup --list says whether Codex is found and configured', async () => {
  writeFileSync(configFile(), ORIGINAL);
  const list = async () => JSON.parse((await runCli(['setup', '--list', '--json', '--config-dir', configDir], { env: { CODEX_HOME: codexHome } })).stdout);
  expect(await list()).toEqual([{ client: 'codex', config: configFile(), found: true, configured: true }]);
  expect((await setup('--remove')).code).toBe(0);
  expect((await list())[0].configured).toBe(false);
});
