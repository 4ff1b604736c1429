/**
 * Tasks of the `io.modelcontextprotocol/tasks` extension through `1mcp proxy` (docs/protocol.md, "Tasks in both
 * eras"): a raw 2026-07-28 stdio client creates, polls and cancels tasks; the proxy sets `Mcp-Name` to the task id
 * on tasks/get|update|cancel, as serve requires. Real proxy, real serve, real fixture backend.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliCommand } from '../helpers/cli.ts';
import { fixtureEntry } from '../helpers/fixture.ts';
import { textOf } from '../helpers/mcp-client.ts';
import { assertAllGone, waitFor } from '../helpers/processes.ts';
import { startServe, type ServeHandle } from '../helpers/serve.ts';

const VERSION = '2026-07-28';
const ENVELOPE = {
  'io.modelcontextprotocol/protocolVersion': VERSION,
  'io.modelcontextprotocol/clientCapabilities': { extensions: { 'io.modelcontextprotocol/tasks': {} } },
  'io.modelcontextprotocol/clientInfo': { name: 'tasks-over-stdio', version: '1' },
};

describe('tasks extension through the proxy', () => {
  const home = mkdtempSync(join(tmpdir(), '1mcp-home-tasks-'));
  const configDir = join(home, '.config', '1mcp');
  const project = join(home, 'work', 'project');
  let serve: ServeHandle;
  const started: number[] = [];

  beforeAll(async () => {
    mkdirSync(configDir, { recursive: true });
    mkdirSync(join(project, '.git'), { recursive: true });
    serve = await startServe({ mcpServers: { work: fixtureEntry(['--name', 'work', '--tasks'], { prefix: '' }) } }, { dir: configDir });
  });
  afterAll(async () => {
    await serve.stop();
    await assertAllGone(started, 5000);
    rmSync(home, { recursive: true, force: true });
  });

  test('a stdio client creates, polls and cancels tasks; tasks/get gets the inlined result', async () => {
    const [command, ...pre] = cliCommand();
    const child = spawn(command!, [...pre, 'proxy'], { cwd: project, env: { HOME: home, PATH: process.env.PATH ?? '/usr/bin:/bin' }, stdio: ['pipe', 'pipe', 'pipe'] }) as ChildProcessWithoutNullStreams;
    started.push(child.pid!);
    const received: any[] = [];
    let buffer = '';
    child.stdout.on('data', (chunk) => {
      buffer += chunk;
      for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (line.trim()) received.push(JSON.parse(line));
      }
    });
    let next = 1;
    const request = async (method: string, params: Record<string, unknown>) => {
      const id = next++;
      child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id, method, params: { ...params, _meta: ENVELOPE } })}\n`);
      const answer = await waitFor(() => received.find((m) => m.id === id && (m.result !== undefined || m.error !== undefined)), { what: `the answer to ${method}` });
      if (answer.error) throw new Error(`${method}: ${JSON.stringify(answer.error)}`);
      return answer.result;
    };
    try {
      const created = await request('tools/call', { name: 'task_work', arguments: { text: 'stdio', ms: 200 } });
      expect(created.resultType).toBe('task');
      const done = await waitFor(async () => {
        const t = await request('tasks/get', { taskId: created.taskId });
        return t.status === 'completed' ? t : undefined;
      }, { interval: 50, what: 'the task to complete' });
      expect(textOf(done.result)).toBe('worked:stdio');

      const long = await request('tools/call', { name: 'task_work', arguments: { text: 'long', ms: 60_000 } });
      expect((await request('tasks/cancel', { taskId: long.taskId })).resultType).toBe('complete');
      expect((await request('tasks/update', { taskId: long.taskId, inputResponses: {} })).resultType).toBe('complete');
    } finally {
      child.stdin.end();
      await waitFor(() => child.exitCode !== null, { what: 'the proxy to exit at end of input' });
    }
  });
});
