/**
 * A real Codex (@openai/codex), offline against a scripted model, whose own config.toml had an MCP
 * server: after `1mcp app consolidate codex` that server lives in mcp.json and Codex reaches its tool
 * through 1mcp's proxy; `1mcp app restore codex` gives the file back byte for byte.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.ts';
import { providerConfig, runCodex } from '../helpers/codex.ts';
import { fixtureCommand } from '../helpers/fixture.ts';
import { startMockModel, type MockModel } from '../helpers/mock-model.ts';
import { e2eMode } from '../helpers/mode.ts';
import { startServe, type ServeHandle } from '../helpers/serve.ts';


let home: string;
let codexHome: string;
let configDir: string;
let model: MockModel;
let serve: ServeHandle | undefined;

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), '1mcp-codex-consolidate-'));
  codexHome = join(home, '.codex');
  configDir = join(home, '.config', '1mcp');
  mkdirSync(codexHome, { recursive: true });
  mkdirSync(join(home, 'project'));
  model = startMockModel({ namespace: 'mcp__1mcp', tool: 'math_1mcp_add', args: { a: 4, b: 5 } });
});

afterAll(async () => {
  model?.stop();
  await serve?.stop();
  rmSync(home, { recursive: true, force: true });
});

function codexConfig(baseUrl: string): string {
  const math = fixtureCommand(['--name', 'math']);
  return `# my Codex setup\r\n${providerConfig(baseUrl, '\r\n')}\r
[mcp_servers.math]   # the server Codex had before 1mcp\r
command = ${JSON.stringify(math.command)}\r
args = ${JSON.stringify(math.args)}\r
`;
}


test("Codex calls a tool from its own old config through 1mcp after consolidate; restore gives config.toml back byte for byte", async () => {
  const original = codexConfig(model.baseUrl);
  const configPath = join(codexHome, 'config.toml');
  writeFileSync(configPath, original);

  const done = await runCli(['app', 'consolidate', 'codex', '--yes', '--config-dir', configDir, '--platform', 'linux'], { env: { HOME: home, CODEX_HOME: codexHome }, mode: e2eMode() });
  expect(done.stderr).not.toContain('1mcp: ');
  expect(done.code).toBe(0);
  const rewritten = readFileSync(configPath, 'utf8');
  expect(rewritten).not.toContain('[mcp_servers.math]');
  expect(rewritten).toContain('[mcp_servers.1mcp]\r\n');
  expect(rewritten).toStartWith(original.slice(0, original.indexOf('[mcp_servers.math]')));
  const imported = JSON.parse(readFileSync(join(configDir, 'mcp.json'), 'utf8'));
  expect(imported.mcpServers.math).toEqual({ ...fixtureCommand(['--name', 'math']), tags: ['codex'] });

  // serve runs the imported config as it is (startServe writes back the same content).
  serve = await startServe(imported, { dir: configDir, mode: e2eMode() });
  const { events } = await runCodex({ home, codexHome, cwd: join(home, 'project'), prompt: 'Use the add tool on 4 and 5.' });
  const calls = events.filter((e) => e.type === 'item.completed' && e.item?.type === 'mcp_tool_call');
  if (calls.length === 0) console.log(JSON.stringify(events).slice(0, 2000));
  expect(calls).toHaveLength(1);
  expect(calls[0].item).toMatchObject({ server: '1mcp', tool: 'math_1mcp_add', status: 'completed', error: null });
  expect(calls[0].item.result.content).toEqual([{ type: 'text', text: '9' }]);

  const back = await runCli(['app', 'restore', 'codex', '--config-dir', configDir], { env: { HOME: home, CODEX_HOME: codexHome }, mode: e2eMode() });
  expect(back.code).toBe(0);
  expect(readFileSync(configPath, 'utf8')).toBe(original);
}, 120_000);
