/** The MCP Inspector CLI as a client: through serve over HTTP, and through the proxy over stdio. */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { cliCommand, ROOT } from '../helpers/cli.ts';
import { fixtureEntry } from '../helpers/fixture.ts';
import { e2eMode } from '../helpers/mode.ts';
import { startServe, type ServeHandle } from '../helpers/serve.ts';

const BUILD = join(ROOT, 'node_modules', '@modelcontextprotocol', 'inspector-cli', 'build');
const INSPECTOR = join(BUILD, 'index.js');

function inspector(args: string[]): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    // It looks for its package.json relative to the working directory: run it from its build folder.
    const child = spawn('node', [INSPECTOR, ...args], { cwd: BUILD, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.resume();
    child.on('exit', (code) => resolve({ code: code ?? -1, stdout }));
  });
}

describe('MCP Inspector CLI', () => {
  let serve: ServeHandle;
  beforeAll(async () => {
    serve = await startServe({ mcpServers: { calc: fixtureEntry(['--name', 'calc']) } }, { mode: e2eMode() });
  });
  afterAll(async () => {
    await serve.stop();
  });

  test('tools/list and tools/call over Streamable HTTP', async () => {
    const list = await inspector([serve.url, '--transport', 'http', '--method', 'tools/list']);
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout).tools.map((t: { name: string }) => t.name)).toContain('calc_1mcp_add');
    const call = await inspector([serve.url, '--transport', 'http', '--method', 'tools/call', '--tool-name', 'calc_1mcp_add', '--tool-arg', 'a=1', 'b=2']);
    expect(call.code).toBe(0);
    expect(JSON.parse(call.stdout).content[0].text).toBe('3');
  }, 60_000);

  test('tools/call through the stdio proxy', async () => {
    const [cmd, ...pre] = cliCommand(e2eMode());
    const call = await inspector([cmd!, ...pre, 'proxy', '--url', serve.url, '--method', 'tools/call', '--tool-name', 'calc_1mcp_echo', '--tool-arg', 'text=hello']);
    expect(call.code).toBe(0);
    expect(JSON.parse(call.stdout).content[0].text).toBe('hello');
  }, 60_000);
});
