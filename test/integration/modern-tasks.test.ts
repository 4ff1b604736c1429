/**
 * Tasks in both eras (docs/protocol.md, "Tasks in both eras"): 2026-07-28 clients use the
 * `io.modelcontextprotocol/tasks` extension (raw fetch with the per-request `_meta` envelope), legacy clients
 * the 2025-11-25 `tasks` capability (SDK v1 client), both against one real serve whose fixture backend runs
 * tools as 2025-11-25 tasks. A task is seen only by the token and view that created it.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { CreateTaskResultSchema, GetTaskResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { fixtureEntry } from '../helpers/fixture.ts';
import { connectHttp, textOf } from '../helpers/mcp-client.ts';
import { callModern, eventReader, postModern, type ModernCall } from '../helpers/modern.ts';
import { waitFor } from '../helpers/processes.ts';
import { startServe, type ServeHandle } from '../helpers/serve.ts';
import { createTokens } from '../helpers/tokens.ts';

const TASKS = 'io.modelcontextprotocol/tasks';
const WITH_TASKS = { extensions: { [TASKS]: {} }, elicitation: {} };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface Options {
  token?: string;
  /** The client capabilities in `_meta` (default: the tasks extension and elicitation). */
  caps?: Record<string, unknown>;
  query?: string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  progressToken?: string;
}

describe('tasks for 2026-07-28 and 2025-11-25 clients through serve', () => {
  let serve: ServeHandle;
  const tokens: Record<string, string> = {};

  /** The raw-fetch call of these tests: alice's token, the tasks extension declared, unless told otherwise. */
  const callOf = (o: Options): ModernCall => ({ token: o.token ?? tokens.alice, caps: o.caps ?? WITH_TASKS, clientName: 'tasks-test', query: o.query, headers: o.headers, signal: o.signal, meta: o.progressToken ? { progressToken: o.progressToken } : {} });
  const request = (method: string, params: Record<string, unknown>, o: Options = {}) => postModern(serve.url, method, params, callOf(o));
  /** One modern request and its answer (the message with our id). */
  const modern = async (method: string, params: Record<string, unknown>, o: Options = {}): Promise<{ status: number; message: any }> => {
    const r = await callModern(serve.url, method, params, callOf(o));
    return { status: r.status, message: r.message };
  };
  const result = async (method: string, params: Record<string, unknown>, o: Options = {}) => {
    const r = await modern(method, params, o);
    if (!r.message?.result) throw new Error(`${method} failed: ${JSON.stringify(r.message)}`);
    return r.message.result;
  };
  const untilStatus = (taskId: string, wanted: (s: string) => boolean, o: Options = {}) =>
    waitFor(
      async () => {
        const task = await result('tasks/get', { taskId }, o);
        return wanted(task.status) ? task : undefined;
      },
      { interval: 50, what: `task ${taskId}` },
    );

  beforeAll(async () => {
    serve = await startServe(
      {
        mcpServers: {
          work: fixtureEntry(['--name', 'work', '--tasks', '--conformance'], { tags: ['work'], prefix: '' }),
          plain: fixtureEntry(['--name', 'plain'], { tags: ['plain'] }),
          // Delivers its questions about a task only inside a pending tasks/result (SDK v1's task message queue).
          queued: fixtureEntry(['--name', 'queued', '--tasks', '--conformance', '--task-queue'], { tags: ['queued'], prefix: 'q' }),
        },
      },
      { args: ['--enable-auth'] },
    );
    Object.assign(tokens, await createTokens(serve.dir, { alice: [], bob: [] }));
  });
  afterAll(async () => {
    await serve.stop();
  });

  test('server/discover names the extension when the view has a task backend, not otherwise', async () => {
    expect((await result('server/discover', {})).capabilities.extensions).toEqual({ [TASKS]: {} });
    const plain = await result('server/discover', {}, { query: '?tags=plain' });
    expect(plain.capabilities.extensions).toBeUndefined();
    expect(plain.capabilities.tasks).toBeUndefined();
  });

  test('a task: created by the server (flat CreateTaskResult, our id), polled, its result inlined', async () => {
    const created = await result('tools/call', { name: 'task_work', arguments: { text: 'hello', ms: 300 } });
    expect(created.resultType).toBe('task');
    expect(created.taskId).toMatch(UUID);
    expect(created.task).toBeUndefined();
    expect(created.status).toBe('working');
    expect(Number.isInteger(created.ttlMs)).toBe(true);
    expect(created.ttl).toBeUndefined();
    const done = await untilStatus(created.taskId, (s) => s === 'completed');
    expect(done.resultType).toBe('complete');
    expect(done.taskId).toBe(created.taskId);
    expect(textOf(done.result)).toBe('worked:hello');
    expect(done.result._meta?.['io.modelcontextprotocol/related-task']).toBeUndefined();
    // Ended tasks stay readable (until their TTL).
    expect((await result('tasks/get', { taskId: created.taskId })).status).toBe('completed');
  });

  test('progress is not relayed for tasks: a progress token on the creating call changes nothing', async () => {
    const r = await request('tools/call', { name: 'task_work', arguments: { text: 'p', ms: 200 } }, { progressToken: 'p1' }).response;
    expect(r.headers.get('content-type')).toContain('application/json');
    const created = (await r.json()).result;
    expect(created.resultType).toBe('task');
    const done = await untilStatus(created.taskId, (s) => s === 'completed');
    expect(textOf(done.result)).toBe('worked:p');
    // The fixture sent progress halfway through the task, after the response: nothing broke on the way.
    expect(serve.stderr()).not.toMatch(/Invalid state|TypeError|Unhandled/i);
  });

  test('cancel: an empty ack, the task ends cancelled; cancelling an ended task is acknowledged the same way', async () => {
    const created = await result('tools/call', { name: 'task_work', arguments: { text: 'long', ms: 60_000 } });
    const ack = await result('tasks/cancel', { taskId: created.taskId });
    expect(ack.resultType).toBe('complete');
    expect(Object.keys(ack).sort()).toEqual(['_meta', 'resultType']);
    expect((await untilStatus(created.taskId, (s) => s !== 'working')).status).toBe('cancelled');
    expect((await result('tasks/cancel', { taskId: created.taskId })).resultType).toBe('complete');
  });

  test('a failed task carries the error, not a result; a tool error is a completed task with isError', async () => {
    const failed = await result('tools/call', { name: 'protocol_error_job', arguments: {} });
    const f = await untilStatus(failed.taskId, (s) => s !== 'working');
    expect(f.status).toBe('failed');
    expect(typeof f.error.code).toBe('number');
    expect(f.error.message).toContain('the job crashed');
    expect(f.result).toBeUndefined();
    const toolError = await result('tools/call', { name: 'failing_job', arguments: {} });
    const t = await untilStatus(toolError.taskId, (s) => s !== 'working');
    expect(t.status).toBe('completed');
    expect(t.result.isError).toBe(true);
  });

  test('without the extension: an optional-task tool runs synchronously, a task-only tool and tasks/* get -32021', async () => {
    const sync = await result('tools/call', { name: 'task_work', arguments: { text: 'now', ms: 10 } }, { caps: {} });
    expect(sync.resultType).toBe('complete');
    expect(sync.taskId).toBeUndefined();
    expect(textOf(sync)).toBe('worked:now');
    const required = await modern('tools/call', { name: 'failing_job', arguments: {} }, { caps: {} });
    expect(required.status).toBe(400);
    expect(required.message.error.code).toBe(-32021);
    expect(required.message.error.message).toContain(TASKS);
    expect(required.message.error.data).toEqual({ requiredCapabilities: { extensions: { [TASKS]: {} } } });
    for (const method of ['tasks/get', 'tasks/update', 'tasks/cancel']) {
      const r = await modern(method, { taskId: 'whatever', inputResponses: {} }, { caps: {} });
      expect(r.message.error.code).toBe(-32021);
    }
    // A legacy hint on a tool that never runs as a task is ignored, not promoted.
    const hinted = await result('tools/call', { name: 'greet', arguments: { name: 'x' }, task: { ttl: 1000 } });
    expect(hinted.resultType).toBe('complete');
    expect(textOf(hinted)).toBe('Hello, x!');
  });

  test('another token, or the same token in another view, cannot see, cancel or answer the task', async () => {
    const created = await result('tools/call', { name: 'task_work', arguments: { text: 'mine', ms: 60_000 } });
    const id = created.taskId;
    try {
      for (const o of [{ token: tokens.bob }, { query: '?tags=work' }]) {
        for (const method of ['tasks/get', 'tasks/cancel', 'tasks/update']) {
          const r = await modern(method, { taskId: id, inputResponses: {} }, o);
          expect(r.message.error.code).toBe(-32602);
          expect(r.message.error.message).toContain(`unknown task "${id}"`);
        }
      }
      // Still working: bob's cancel did not reach it.
      expect((await result('tasks/get', { taskId: id })).status).toBe('working');
      // The routing header must name the task asked about.
      expect((await modern('tasks/get', { taskId: id }, { headers: { 'mcp-name': 'another' } })).message.error.code).toBe(-32020);
    } finally {
      await result('tasks/cancel', { taskId: id });
    }
  });

  /** Open a subscriptions/listen stream; `next` reads its messages one by one. */
  async function listen(notifications: Record<string, unknown>, o: Options = {}) {
    const abort = new AbortController();
    const r = await request('subscriptions/listen', { notifications }, { ...o, signal: abort.signal }).response;
    expect(r.headers.get('content-type')).toContain('text/event-stream');
    const { next } = eventReader(r);
    return { next, close: () => abort.abort() };
  }

  test('notifications/tasks on subscriptions/listen, only for the tasks this token and view own', async () => {
    const created = await result('tools/call', { name: 'task_work', arguments: { text: 'pushed', ms: 400 } });
    const bobs = await listen({ taskIds: [created.taskId] }, { token: tokens.bob });
    const mine = await listen({ taskIds: [created.taskId, 'not-mine'] });
    try {
      expect((await bobs.next()).params.notifications.taskIds).toEqual([]);
      const ack = await mine.next();
      expect(ack.method).toBe('notifications/subscriptions/acknowledged');
      expect(ack.params.notifications.taskIds).toEqual([created.taskId]);
      let note = await mine.next();
      while (note.params.status !== 'completed') note = await mine.next();
      expect(note.method).toBe('notifications/tasks');
      expect(note.params.taskId).toBe(created.taskId);
      expect(textOf(note.params.result)).toBe('worked:pushed');
    } finally {
      bobs.close();
      mine.close();
    }
    // Asking for task notifications needs the extension.
    const { id, response } = request('subscriptions/listen', { notifications: { taskIds: [created.taskId] } }, { caps: {} });
    const refused = await response;
    expect(refused.status).toBe(400);
    const body = await refused.json();
    expect(body.id).toBe(id);
    expect(body.error.code).toBe(-32021);
  });

  test('a task that asks the client: input_required with inputRequests, answered by tasks/update', async () => {
    const created = await result('tools/call', { name: 'confirm_delete', arguments: { filename: 'a.txt' } });
    const waiting = await untilStatus(created.taskId, (s) => s === 'input_required');
    const [key, ask] = Object.entries(waiting.inputRequests as Record<string, any>)[0]!;
    expect(ask.method).toBe('elicitation/create');
    expect(ask.params.message).toBe('Delete a.txt?');
    expect(ask.params._meta?.['io.modelcontextprotocol/related-task']).toBeUndefined();
    const malformed = await modern('tasks/update', { taskId: created.taskId, inputResponses: { [key]: 'yes' } });
    expect(malformed.message.error.code).toBe(-32602);
    expect(malformed.message.error.message).toContain(`inputResponses["${key}"] must be an object`);
    expect((await result('tasks/get', { taskId: created.taskId })).status).toBe('input_required');
    const ack = await result('tasks/update', { taskId: created.taskId, inputResponses: { [key]: { action: 'accept', content: { confirm: true } }, unknown: {} } });
    expect(Object.keys(ack).sort()).toEqual(['_meta', 'resultType']);
    const done = await untilStatus(created.taskId, (s) => s === 'completed');
    expect(textOf(done.result)).toContain('"confirm":true');
  });

  test('a backend that holds its question for tasks/result: serve fetches it, and the answer reaches the backend', async () => {
    const created = await result('tools/call', { name: 'q_1mcp_confirm_delete', arguments: { filename: 'b.txt' } });
    const waiting = await untilStatus(created.taskId, (s) => s === 'input_required');
    const [key, ask] = Object.entries(waiting.inputRequests as Record<string, any>)[0]!;
    expect(ask.params.message).toBe('Delete b.txt?');
    await result('tasks/update', { taskId: created.taskId, inputResponses: { [key]: { action: 'accept', content: { confirm: false } } } });
    const done = await untilStatus(created.taskId, (s) => s === 'completed');
    expect(textOf(done.result)).toContain('"confirm":false');
  });

  test('a legacy client keeps the 2025-11-25 tasks beside modern ones; neither sees the other', async () => {
    const legacy = await connectHttp(serve.url, 'legacy', { authorization: `Bearer ${tokens.alice}` });
    try {
      const made = await legacy.request({ method: 'tools/call', params: { name: 'task_work', arguments: { text: 'old', ms: 100 }, task: { ttl: 60_000 } } }, CreateTaskResultSchema);
      const modernTask = await result('tools/call', { name: 'task_work', arguments: { text: 'new', ms: 100 } });
      expect((await modern('tasks/get', { taskId: made.task.taskId })).message.error.code).toBe(-32602);
      await expect(legacy.request({ method: 'tasks/get', params: { taskId: modernTask.taskId } }, GetTaskResultSchema)).rejects.toThrow(/unknown task/);
      const legacyResult = await legacy.request({ method: 'tasks/result', params: { taskId: made.task.taskId } }, z.looseObject({}));
      expect(textOf(legacyResult)).toBe('worked:old');
      expect(textOf((await untilStatus(modernTask.taskId, (s) => s === 'completed')).result)).toBe('worked:new');
    } finally {
      await legacy.close();
    }
  });
});
