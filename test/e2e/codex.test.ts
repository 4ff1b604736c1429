/**
 * A real Codex binary (@openai/codex) drives 1mcp end to end, offline: a scripted local model endpoint
 * asks for one MCP tool call (docs/codex.md). Codex's config is written by `1mcp setup codex`.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, runCli } from '../helpers/cli.ts';
import { completedToolCalls, providerConfig, runCodex } from '../helpers/codex.ts';
import { fixtureEntry } from '../helpers/fixture.ts';
import { connectHttp, textOf } from '../helpers/mcp-client.ts';
import { offeredTools, startMockModel, type MockModel } from '../helpers/mock-model.ts';
import { e2eMode } from '../helpers/mode.ts';
import { startServe, type ServeHandle } from '../helpers/serve.ts';

const ADD_PROMPT = 'Use the add tool on 2 and 3.';




describe('Codex → 1mcp', () => {
  let home: string;
  let codexHome: string;
  let project: string;
  let serve: ServeHandle;
  let model: MockModel;

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), '1mcp-codex-'));
    codexHome = join(home, '.codex');
    project = join(home, 'project');
    mkdirSync(codexHome, { recursive: true });
    mkdirSync(project);
    const configDir = join(home, '.config', '1mcp');
    mkdirSync(configDir, { recursive: true });
    writeFileSync(join(configDir, 'presets.json'), JSON.stringify({ version: '1.0.0', presets: { mathonly: { name: 'mathonly', strategy: 'or', tagQuery: { tag: 'math' } } } }));
    serve = await startServe(
      {
        mcpServers: {
          math: fixtureEntry(['--name', 'math'], { tags: ['math'] }),
          other: fixtureEntry(['--name', 'other'], { tags: ['other'] }),
        },
      },
      { dir: configDir, mode: e2eMode() },
    );
    model = startMockModel({ namespace: 'mcp__1mcp', tool: 'math_1mcp_add', args: { a: 2, b: 3 } });
  });

  afterAll(async () => {
    model?.stop();
    await serve?.stop();
    rmSync(home, { recursive: true, force: true });
  });

  const setup = async (...args: string[]) => {
    writeFileSync(join(codexHome, 'config.toml'), providerConfig(model.baseUrl));
    const r = await runCli(['setup', 'codex', '--config-dir', serve.dir, ...args], { env: { CODEX_HOME: codexHome }, mode: e2eMode() });
    expect(r.code).toBe(0);
    return readFileSync(join(codexHome, 'config.toml'), 'utf8');
  };

  const backendCalls = async (server: string) => {
    const c = await connectHttp(serve.url);
    try {
      return JSON.parse(textOf(await c.callTool({ name: `${server}_1mcp_stats`, arguments: {} }))).calls.filter((x: { name: string }) => x.name === 'add');
    } finally {
      await c.close();
    }
  };

  test('(a) Codex → proxy → serve → backend: a completed mcp_tool_call with the right result', async () => {
    const config = await setup();
    if (e2eMode() === 'binary') expect(config).toContain(`command = ${JSON.stringify(join(ROOT, 'dist', '1mcp'))}`);
    const before = (await backendCalls('math')).length;
    model.requests.length = 0;
    const run = await runCodex({ home, codexHome, cwd: project, prompt: ADD_PROMPT });
    const calls = completedToolCalls(run.events);
    if (calls.length === 0) console.log(run.stderr.slice(-2000), JSON.stringify(run.events).slice(0, 2000));
    expect(calls).toHaveLength(1);
    expect(calls[0].item.status).toBe('completed');
    expect(calls[0].item).toMatchObject({ server: '1mcp', tool: 'math_1mcp_add', arguments: { a: 2, b: 3 }, error: null });
    expect(calls[0].item.result.content).toEqual([{ type: 'text', text: '5' }]);
    expect((await backendCalls('math')).length).toBe(before + 1);
  }, 90_000);

  test('(b) the project’s .1mcprc picks a preset: the other server’s tools never reach the model', async () => {
    await setup();
    writeFileSync(join(project, '.1mcprc'), '{ "preset": "mathonly" } // only the math server here\n');
    model.requests.length = 0;
    try {
      const run = await runCodex({ home, codexHome, cwd: project, prompt: ADD_PROMPT });
      expect(completedToolCalls(run.events)).toHaveLength(1);
      const offered = offeredTools(model.requests[0], 'mcp__1mcp');
      expect(offered.some((n) => n.startsWith('math_1mcp_'))).toBe(true);
      expect(offered.filter((n) => n.startsWith('other_1mcp_'))).toEqual([]);
    } finally {
      rmSync(join(project, '.1mcprc'));
    }
  }, 90_000);

  test('(c) Codex → serve directly over Streamable HTTP (setup codex --http)', async () => {
    const config = await setup('--http');
    expect(config).toContain(`url = "${serve.url}"`);
    const before = (await backendCalls('math')).length;
    model.requests.length = 0;
    const run = await runCodex({ home, codexHome, cwd: project, prompt: ADD_PROMPT });
    const calls = completedToolCalls(run.events);
    expect(calls).toHaveLength(1);
    expect(calls[0].item.status).toBe('completed');
    expect((await backendCalls('math')).length).toBe(before + 1);
    // Both kinds of tool offered: every server, since no view was chosen.
    const offered = offeredTools(model.requests[0], 'mcp__1mcp');
    expect(offered.some((n) => n.startsWith('other_1mcp_'))).toBe(true);
  }, 90_000);
});


describe('Codex → serve --enable-auth over HTTP', () => {
  test('(d) bearer_token_env_var written by setup codex --http --token-env: the call goes through', async () => {
    const home = mkdtempSync(join(tmpdir(), '1mcp-codex-auth-'));
    const codexHome = join(home, '.codex');
    const project = join(home, 'project');
    mkdirSync(codexHome, { recursive: true });
    mkdirSync(project);
    const configDir = join(home, '.config', '1mcp');
    mkdirSync(configDir, { recursive: true });
    const serve = await startServe({ mcpServers: { math: fixtureEntry(['--name', 'math']) } }, { dir: configDir, mode: e2eMode(), args: ['--enable-auth'] });
    const model = startMockModel({ namespace: 'mcp__1mcp', tool: 'math_1mcp_add', args: { a: 20, b: 22 } });
    try {
      const token = (await runCli(['auth', 'token', 'create', '--name', 'codex', '--config-dir', configDir])).stdout.trim();
      writeFileSync(join(codexHome, 'config.toml'), providerConfig(model.baseUrl));
      const setup = await runCli(['setup', 'codex', '--http', '--token-env', 'MY_1MCP_TOKEN', '--config-dir', configDir], { env: { CODEX_HOME: codexHome }, mode: e2eMode() });
      expect(setup.code).toBe(0);
      expect(readFileSync(join(codexHome, 'config.toml'), 'utf8')).toContain('bearer_token_env_var = "MY_1MCP_TOKEN"');
      const run = await runCodex({ home, codexHome, cwd: project, prompt: ADD_PROMPT, env: { MY_1MCP_TOKEN: token } });
      const calls = completedToolCalls(run.events);
      expect(calls).toHaveLength(1);
      expect(calls[0].item.result.content).toEqual([{ type: 'text', text: '42' }]);
      // Without the token Codex gets no tools from 1mcp at all.
      model.requests.length = 0;
      const refused = await runCodex({ home, codexHome, cwd: project, prompt: ADD_PROMPT });
      expect(completedToolCalls(refused.events)).toHaveLength(0);
      expect(offeredTools(model.requests[0], 'mcp__1mcp')).toEqual([]);
    } finally {
      model.stop();
      await serve.stop();
      rmSync(home, { recursive: true, force: true });
    }
  }, 90_000);
});
