/**
 * serve behind serve: the inner one is a 2026-07-28 backend of the outer one, and checks the routing headers
 * of every request it gets — tasks/get|cancel too, whose Mcp-Name must carry the task id (src/modern-headers.ts).
 * A task the inner serve runs is polled to its end by the outer one for a legacy caller, and created, read and
 * cancelled through it by a modern caller.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { fixtureEntry } from '../helpers/fixture.ts';
import { connectHttp, textOf } from '../helpers/mcp-client.ts';
import { callModern, TASKS_EXTENSION } from '../helpers/modern.ts';
import { waitFor } from '../helpers/processes.ts';
import { startServe, type ServeHandle } from '../helpers/serve.ts';

describe('a task of a serve that is itself a modern backend', () => {
  let inner: ServeHandle;
  let outer: ServeHandle;

  beforeAll(async () => {
    inner = await startServe({ mcpServers: { work: fixtureEntry(['--name', 'work', '--tasks'], { prefix: '' }) } });
    outer = await startServe({ mcpServers: { inner: { url: inner.url } } });
  });
  afterAll(async () => {
    await outer?.stop();
    await inner?.stop();
  });

  test('a legacy caller gets the final result: the outer serve polls the task with the headers the inner one requires', async () => {
    const client = await connectHttp(outer.url, 'chained-legacy');
    try {
      const tools = await waitFor(async () => {
        const list = (await client.listTools()).tools.map((t) => t.name);
        return list.includes('inner_1mcp_task_work') ? list : undefined;
      });
      expect(tools).toContain('inner_1mcp_task_work');
      expect(textOf(await client.callTool({ name: 'inner_1mcp_task_work', arguments: { text: 'chained', ms: 200 } }))).toBe('worked:chained');
    } finally {
      await client.close();
    }
  });

  test('a modern caller creates, reads and cancels a task through both serves', async () => {
    const caps = { extensions: { [TASKS_EXTENSION]: {} } };
    const created = (await callModern(outer.url, 'tools/call', { name: 'inner_1mcp_task_work', arguments: { text: 'polled', ms: 200 } }, { caps })).message;
    expect(created.error).toBeUndefined();
    expect(created.result.resultType).toBe('task');
    const done = await waitFor(async () => {
      const got = (await callModern(outer.url, 'tasks/get', { taskId: created.result.taskId }, { caps })).message;
      if (got.error) throw new Error(`tasks/get: ${JSON.stringify(got.error)}`);
      return got.result.status === 'completed' ? got.result : undefined;
    }, { interval: 50, what: 'the chained task to complete' });
    expect(textOf(done.result)).toBe('worked:polled');

    const long = (await callModern(outer.url, 'tools/call', { name: 'inner_1mcp_task_work', arguments: { text: 'long', ms: 60_000 } }, { caps })).message.result;
    const cancelled = (await callModern(outer.url, 'tasks/cancel', { taskId: long.taskId }, { caps })).message;
    expect(cancelled.error).toBeUndefined();
    const after = (await callModern(outer.url, 'tasks/get', { taskId: long.taskId }, { caps })).message;
    expect(after.result.status).toBe('cancelled');
  });
});
