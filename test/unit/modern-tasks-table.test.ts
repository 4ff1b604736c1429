/**
 * The modern task table (src/server/modern/tasks.ts) over the real TaskTable: who may reach a task, how many
 * are remembered, and that an ended task is read from the backend once. The backend is the TaskCall boundary:
 * canned 2025-11-25 answers, counted.
 */
import { describe, expect, test } from 'bun:test';
import type { Route } from '../../src/catalog/catalog.ts';
import { ModernTasks, type TaskCall } from '../../src/server/modern/tasks.ts';
import type { Session } from '../../src/server/sessions/session.ts';
import { TaskTable } from '../../src/server/task-table.ts';

const route = { backend: { name: 'work', request: async () => ({}) }, original: 'job' } as unknown as Route;
let backendIds = 0;
const created = () => ({ task: { taskId: `b-${++backendIds}`, status: 'working', createdAt: '2026-01-01T00:00:00Z', lastUpdatedAt: '2026-01-01T00:00:00Z', ttl: 60000, pollInterval: 100 } });

function setup() {
  const tasks = new ModernTasks({ tasks: new TaskTable<Session, Route>() });
  const make = (owner: string | undefined, view = '*') => String(tasks.register(owner, view, route, created(), {})!.taskId);
  const known = (owner: string | undefined, view: string, id: string) => {
    try {
      tasks.update(owner, view, id, {});
      return true;
    } catch (error) {
      expect((error as { code: number }).code).toBe(-32602);
      return false;
    }
  };
  return { tasks, make, known };
}

describe('modern tasks', () => {
  test('a task is reached only with the token and view that created it, by our id only', () => {
    const { make, known } = setup();
    const id = make('alice');
    expect(id).not.toStartWith('b-');
    expect(known('alice', '*', id)).toBe(true);
    expect(known('bob', '*', id)).toBe(false);
    expect(known(undefined, '*', id)).toBe(false);
    expect(known('alice', 'tags:files', id)).toBe(false);
    expect(known('alice', '*', `b-${backendIds}`)).toBe(false);
  });

  test('a plain result (the backend answered at once) files nothing', () => {
    const { tasks } = setup();
    expect(tasks.register('alice', '*', route, { content: [] }, {})).toBeUndefined();
  });

  test('at most 256 token-and-view pairs: the least recently used is forgotten with its tasks', () => {
    const { make, known } = setup();
    const first = make('owner-0');
    const second = make('owner-1');
    for (let i = 2; i < 256; i++) make(`owner-${i}`);
    expect(known('owner-0', '*', first)).toBe(true); // used: now the most recent
    make('owner-256');
    expect(known('owner-0', '*', first)).toBe(true);
    expect(known('owner-1', '*', second)).toBe(false);
  });

  test('an ended task is read from the backend once (tasks/get, then tasks/result), then kept', async () => {
    const { tasks, make } = setup();
    const id = make('alice');
    const asked: string[] = [];
    const call: TaskCall = async (_route, method) => {
      asked.push(method);
      if (method === 'tasks/get') return { taskId: 'x', status: 'completed', createdAt: '2026-01-01T00:00:00Z', lastUpdatedAt: '2026-01-01T00:00:02Z', ttl: 60000 };
      return { content: [{ type: 'text', text: 'done' }], _meta: { 'io.modelcontextprotocol/related-task': { taskId: 'x' } } };
    };
    const first = await tasks.get('alice', '*', id, call);
    expect(first).toMatchObject({ taskId: id, status: 'completed', result: { content: [{ type: 'text', text: 'done' }] } });
    expect((first.result as Record<string, unknown>)._meta).toBeUndefined();
    expect(await tasks.get('alice', '*', id, call)).toEqual(first);
    expect(asked).toEqual(['tasks/get', 'tasks/result']);
    // Cancelling an ended task is acknowledged without the backend.
    expect(await tasks.cancel('alice', '*', id, call)).toEqual({});
    expect(asked).toHaveLength(2);
  });

  test('a failed task: the JSON-RPC error of tasks/result, or -32603 with the status message', async () => {
    const { tasks, make } = setup();
    const a = make('alice');
    const b = make('alice');
    const failing = (payload: () => Promise<Record<string, unknown>>): TaskCall => async (_r, method) => (method === 'tasks/get' ? { status: 'failed', statusMessage: 'it broke' } : payload());
    const withError = await tasks.get('alice', '*', a, failing(async () => Promise.reject(Object.assign(new Error('boom'), { code: -32000, data: { why: 1 } }))));
    expect(withError).toMatchObject({ status: 'failed', error: { code: -32000, message: 'boom', data: { why: 1 } } });
    expect(withError.result).toBeUndefined();
    const withResult = await tasks.get('alice', '*', b, failing(async () => ({ content: [{ type: 'text', text: 'crashed' }], isError: true })));
    expect(withResult).toMatchObject({ status: 'failed', error: { code: -32603, message: 'it broke' } });
  });

  test('input_required with no question at hand shows working, and asks the backend for tasks/result once', async () => {
    const results: string[] = [];
    const waiting = { backend: { name: 'work', request: (method: string) => (results.push(method), new Promise(() => {})) }, original: 'job' } as unknown as Route;
    const tasks = new ModernTasks({ tasks: new TaskTable<Session, Route>() });
    const id = String(tasks.register('alice', '*', waiting, created(), {})!.taskId);
    const call: TaskCall = async () => ({ status: 'input_required' });
    expect((await tasks.get('alice', '*', id, call)).status).toBe('working');
    expect((await tasks.get('alice', '*', id, call)).status).toBe('working');
    expect(results).toEqual(['tasks/result']);
  });
});
