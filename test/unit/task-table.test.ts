/** The table of tasks created through serve: per-session ids, lookups both ways, forgetting. */
import { describe, expect, test } from 'bun:test';
import { TaskTable } from '../../src/server/task-table.ts';

const route = (name: string) => ({ backend: { name } });

describe('TaskTable', () => {
  test('ids are ours, unique even when two backends use the same id; each session sees only its own', () => {
    const table = new TaskTable<string, ReturnType<typeof route>>();
    const a1 = table.add('A', route('one'), 'task-1');
    const b1 = table.add('B', route('two'), 'task-1');
    expect(a1.id).not.toBe('task-1');
    expect(a1.id).not.toBe(b1.id);
    expect(table.find('A', a1.id)).toBe(a1);
    expect(table.find('B', a1.id)).toBeUndefined();
    expect(table.fromBackend('one', 'task-1')).toBe(a1);
    expect(table.fromBackend('two', 'task-1')).toBe(b1);
    expect(table.ofSession('A')).toEqual([a1]);
  });

  test('dropping a session forgets its tasks in both directions', () => {
    const table = new TaskTable<string, ReturnType<typeof route>>();
    const a = table.add('A', route('one'), 'x');
    const b = table.add('B', route('one'), 'y');
    table.dropSession('A');
    expect(table.find('A', a.id)).toBeUndefined();
    expect(table.fromBackend('one', 'x')).toBeUndefined();
    expect(table.fromBackend('one', 'y')).toBe(b);
    expect(table.ofSession('A')).toEqual([]);
  });

  test('a session that never polls keeps at most 1000 tasks (the oldest are forgotten)', () => {
    const table = new TaskTable<string, ReturnType<typeof route>>();
    const first = table.add('A', route('one'), 't0');
    for (let i = 1; i <= 1000; i++) table.add('A', route('one'), `t${i}`);
    expect(table.ofSession('A')).toHaveLength(1000);
    expect(table.find('A', first.id)).toBeUndefined();
    expect(table.fromBackend('one', 't0')).toBeUndefined();
    expect(table.fromBackend('one', 't1000')?.backendId).toBe('t1000');
  });
});
