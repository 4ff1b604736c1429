/**
 * Tasks from a 2026-07-28 backend that offers the tasks extension (docs/protocol.md, "Modern backends"):
 * the backend (test/fixtures/modern-task-server.ts, hand-written wire) creates flat tasks when the request
 * declares the extension. Through one real serve:
 *   - a 2026-07-28 client (raw fetch, extension declared) gets an extension task under our own id, and its
 *     tasks/get, tasks/update and tasks/cancel reach the backend's task;
 *   - a 2026-07-28 client without the extension, and a legacy client that did not ask for a task, get the
 *     final result (serve polls the backend's task);
 *   - a legacy client that asked with the 2025-11-25 `task` param gets a legacy task (CreateTaskResult,
 *     tasks/get, tasks/result, tasks/cancel), and the task's questions reach it as related-task requests.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { join } from 'node:path';
import { CreateTaskResultSchema, GetTaskResultSchema, TaskStatusNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { ROOT, runCli } from '../helpers/cli.ts';
import { BUN } from '../helpers/fixture.ts';
import { connectHttp, textOf } from '../helpers/mcp-client.ts';
import { callModern, eventReader, postModern, TASKS_EXTENSION as TASKS } from '../helpers/modern.ts';
import { waitFor } from '../helpers/processes.ts';
import { startServe, type ServeHandle } from '../helpers/serve.ts';

const WITH_TASKS = { extensions: { [TASKS]: {} }, elicitation: {} };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const TASK_FIXTURE = join(ROOT, 'test', 'fixtures', 'modern-task-server.ts');

describe('tasks of a 2026-07-28 backend, for clients of both eras', () => {
  let serve: ServeHandle;
  const tokens: Record<string, string> = {};

  const modern = async (method: string, params: Record<string, unknown>, o: { token?: string; caps?: Record<string, unknown> } = {}): Promise<any> =>
    (await callModern(serve.url, method, params, { token: o.token ?? tokens.alice, caps: o.caps ?? WITH_TASKS, clientName: 'backend-tasks-test' })).message;
  const result = async (method: string, params: Record<string, unknown>, o: { token?: string; caps?: Record<string, unknown> } = {}) => {
    const message = await modern(method, params, o);
    if (!message?.result) throw new Error(`${method} failed: ${JSON.stringify(message)}`);
    return message.result;
  };
  const untilStatus = (taskId: string, wanted: (s: string) => boolean) =>
    waitFor(
      async () => {
        const task = await result('tasks/get', { taskId });
        return wanted(task.status) ? task : undefined;
      },
      { interval: 50, what: `task ${taskId}` },
    );
  /** A subscriptions/listen stream of serve's, read message by message. */
  async function listen(notifications: Record<string, unknown>) {
    const abort = new AbortController();
    const { response } = postModern(serve.url, 'subscriptions/listen', { notifications }, { token: tokens.alice, caps: WITH_TASKS, clientName: 'backend-tasks-test', signal: abort.signal });
    const { next } = eventReader(await response);
    return { next, close: () => abort.abort() };
  }
  const stats = async () => JSON.parse(textOf(await result('tools/call', { name: 'stats', arguments: {} })));

  beforeAll(async () => {
    serve = await startServe({ mcpServers: { mtasks: { command: BUN, args: [TASK_FIXTURE], prefix: '' } } }, { args: ['--enable-auth'] });
    for (const name of ['alice', 'bob']) {
      const r = await runCli(['auth', 'token', 'create', '--name', name, '--config-dir', serve.dir]);
      expect(r.code).toBe(0);
      tokens[name] = r.stdout.trim();
    }
  });
  afterAll(async () => {
    await serve.stop();
  });

  test('a modern client: server/discover names the extension; a task under our id, polled to its inlined result', async () => {
    const discover = await result('server/discover', {});
    expect(discover.capabilities.extensions?.[TASKS]).toBeDefined();
    const created = await result('tools/call', { name: 'job', arguments: { ms: 100, label: 'a' } });
    expect(created.resultType).toBe('task');
    expect(created.taskId).toMatch(UUID);
    expect(created.status).toBe('working');
    expect(created.ttlMs).toBe(60_000);
    expect(created.task).toBeUndefined();
    const done = await untilStatus(created.taskId, (s) => s === 'completed');
    expect(done.taskId).toBe(created.taskId);
    expect(textOf(done.result)).toBe('job a done');
    // A tool that does not say it may run as a task: the backend decides, and the client still gets the task.
    const batch = await result('tools/call', { name: 'batch', arguments: { ms: 50, label: 'z' } });
    expect(batch.resultType).toBe('task');
    expect(textOf((await untilStatus(batch.taskId, (s) => s === 'completed')).result)).toBe('job z done');
    // A synchronous tool of the same backend stays synchronous.
    const greeting = await result('tools/call', { name: 'greet', arguments: { name: 'Ada' } });
    expect(greeting.resultType).toBe('complete');
    expect(textOf(greeting)).toBe('hello Ada');
  });

  test('status notifications: serve listens to the backend for the task, and its notifications/tasks reach the modern listener', async () => {
    const created = await result('tools/call', { name: 'job', arguments: { ms: 300, label: 'n' } });
    const stream = await listen({ taskIds: [created.taskId] });
    try {
      const ack = await stream.next();
      expect(ack.params.notifications.taskIds).toEqual([created.taskId]);
      let note = await stream.next();
      while (note.params.status !== 'completed') note = await stream.next();
      expect(note.method).toBe('notifications/tasks');
      expect(note.params.taskId).toBe(created.taskId);
      expect(textOf(note.params.result)).toBe('job n done');
    } finally {
      stream.close();
    }
    // Serve asked the backend for that task's notifications, by the backend's id.
    expect((await stats()).listens.flat().some((id: string) => id.startsWith('bt-'))).toBe(true);
  });

  test('failed and tool-error tasks; cancel reaches the backend; another token cannot see the task', async () => {
    const failing = await result('tools/call', { name: 'job', arguments: { ms: 10, outcome: 'protocol-error' } });
    const failed = await untilStatus(failing.taskId, (s) => s === 'failed');
    expect(failed.error.code).toBe(-32603);
    expect(failed.error.message).toBe('job exploded');
    expect(failed.result).toBeUndefined();
    const broken = await result('tools/call', { name: 'job', arguments: { ms: 10, outcome: 'tool-error', label: 'b' } });
    const completed = await untilStatus(broken.taskId, (s) => s === 'completed');
    expect(completed.result.isError).toBe(true);

    const long = await result('tools/call', { name: 'job', arguments: { ms: 30_000 } });
    expect((await modern('tasks/get', { taskId: long.taskId }, { token: tokens.bob })).error.code).toBe(-32602);
    expect((await modern('tasks/cancel', { taskId: long.taskId }, { token: tokens.bob })).error.code).toBe(-32602);
    const before = (await stats()).cancels;
    const ack = await result('tasks/cancel', { taskId: long.taskId });
    expect(ack.resultType).toBe('complete');
    expect(ack.taskId).toBeUndefined();
    expect((await result('tasks/get', { taskId: long.taskId })).status).toBe('cancelled');
    expect((await stats()).cancels).toBe(before + 1);
  });

  test('a task that asks: input_required with the backend\'s question, answered by tasks/update', async () => {
    const created = await result('tools/call', { name: 'job', arguments: { ms: 10, outcome: 'ask', label: 'c' } });
    const waiting = await untilStatus(created.taskId, (s) => s === 'input_required');
    const [key, ask] = Object.entries(waiting.inputRequests as Record<string, any>)[0]!;
    expect(ask.method).toBe('elicitation/create');
    expect(ask.params.message).toBe('Go on with c?');
    expect(ask.params._meta?.['io.modelcontextprotocol/related-task']).toBeUndefined();
    await result('tasks/update', { taskId: created.taskId, inputResponses: { [key]: { action: 'accept', content: { ok: true } } } });
    const done = await untilStatus(created.taskId, (s) => s === 'completed');
    expect(textOf(done.result)).toBe('confirmed: {"ok":true}');
  });

  test('a modern client without the extension gets the final result (serve polls the backend\'s task)', async () => {
    const before = await stats();
    const plain = await result('tools/call', { name: 'job', arguments: { ms: 100, label: 'd' } }, { caps: {} });
    expect(plain.resultType).toBe('complete');
    expect(plain.taskId).toBeUndefined();
    expect(textOf(plain)).toBe('job d done');
    const after = await stats();
    expect(after.declaredCalls).toBe(before.declaredCalls + 1);
    expect(after.polls).toBeGreaterThan(before.polls);
    expect(after.taskMethodsWithoutExtension).toBe(0);
    // Its tasks/* requests are refused as the extension says.
    expect((await modern('tasks/get', { taskId: 'x' }, { caps: {} })).error.code).toBe(-32021);
  });

  test('a legacy client: a task when it asks (tasks/get, tasks/result, tasks/cancel translated), the final result when it does not', async () => {
    const legacy = await connectHttp(serve.url, {
      name: 'legacy-tasks',
      headers: { authorization: `Bearer ${tokens.alice}` },
      hooks: { elicitation: (params) => ({ action: 'accept', content: { ok: params.message === 'Go on with f?' } }) },
    });
    const statuses: { taskId: string; status: string }[] = [];
    legacy.setNotificationHandler(TaskStatusNotificationSchema, (n) => void statuses.push(n.params as never));
    try {
      const sync = await legacy.callTool({ name: 'job', arguments: { ms: 100, label: 'e' } });
      expect(textOf(sync)).toBe('job e done');

      const made = await legacy.request({ method: 'tools/call', params: { name: 'job', arguments: { ms: 100, label: 'f' }, task: { ttl: 60_000 } } }, CreateTaskResultSchema);
      expect(made.task.status).toBe('working');
      expect(made.task.taskId).not.toMatch(/^bt-/);
      expect(made.task.pollInterval).toBe(50);
      await waitFor(() => statuses.some((n) => n.taskId === made.task.taskId && n.status === 'completed'), { what: 'notifications/tasks/status completed on the legacy session' });
      const seen = await legacy.request({ method: 'tasks/get', params: { taskId: made.task.taskId } }, GetTaskResultSchema);
      expect(seen.taskId).toBe(made.task.taskId);
      const final = await legacy.request({ method: 'tasks/result', params: { taskId: made.task.taskId } }, z.looseObject({}));
      expect(textOf(final)).toBe('job f done');

      // The task's question reaches the legacy client as an elicitation about the task.
      const asking = await legacy.request({ method: 'tools/call', params: { name: 'job', arguments: { ms: 10, outcome: 'ask', label: 'f' }, task: { ttl: 60_000 } } }, CreateTaskResultSchema);
      const answered = await legacy.request({ method: 'tasks/result', params: { taskId: asking.task.taskId } }, z.looseObject({}));
      expect(textOf(answered)).toBe('confirmed: {"ok":true}');

      // A caller that gives up on a polled call gives up the backend's task too.
      const before = await stats();
      const abort = new AbortController();
      const gaveUp = legacy.callTool({ name: 'job', arguments: { ms: 30_000 } }, undefined, { signal: abort.signal });
      await waitFor(async () => (await stats()).declaredCalls > before.declaredCalls, { what: 'the backend task of the polled call' });
      abort.abort();
      await expect(gaveUp).rejects.toThrow();
      await waitFor(async () => (await stats()).cancels > before.cancels, { what: 'tasks/cancel at the backend' });

      const long = await legacy.request({ method: 'tools/call', params: { name: 'job', arguments: { ms: 30_000 }, task: { ttl: 60_000 } } }, CreateTaskResultSchema);
      const cancelled = await legacy.request({ method: 'tasks/cancel', params: { taskId: long.task.taskId } }, z.looseObject({}));
      expect(cancelled.status).toBe('cancelled');
    } finally {
      await legacy.close();
    }
  });
});
