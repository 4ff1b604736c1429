/**
 * Tasks of the `io.modelcontextprotocol/tasks` extension through `1mcp proxy` (docs/protocol.md, "Tasks in both
 * eras"): a raw 2026-07-28 stdio client creates, polls and cancels tasks; the proxy sets `Mcp-Name` to the task id
 * on tasks/get|update|cancel, as serve requires. Real proxy, real serve, real fixture backend.
 */
import { describe, expect, test } from 'bun:test';
import { fixtureEntry } from '../helpers/fixture.ts';
import { textOf } from '../helpers/mcp-client.ts';
import { envelope, TASKS_EXTENSION } from '../helpers/modern.ts';
import { assertAllGone, waitFor } from '../helpers/processes.ts';
import { serveInHome, startRawProxy } from '../helpers/proxy.ts';

const ENVELOPE = envelope({ extensions: { [TASKS_EXTENSION]: {} } }, 'tasks-over-stdio');

describe('tasks extension through the proxy', () => {
  const started: number[] = [];
  const { h } = serveInHome({ mcpServers: { work: fixtureEntry(['--name', 'work', '--tasks'], { prefix: '' }) } }, { prefix: '1mcp-home-tasks-', afterStop: () => assertAllGone(started, 5000) });

  test('a stdio client creates, polls and cancels tasks; tasks/get gets the inlined result', async () => {
    const proxy = startRawProxy({ home: h.home, cwd: h.project });
    started.push(proxy.child.pid!);
    let next = 1;
    const request = async (method: string, params: Record<string, unknown>) => {
      const answer = await proxy.request(next++, method, params, ENVELOPE);
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
      await proxy.end();
    }
  });
});
