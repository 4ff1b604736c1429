/** The tasks extension's wire shapes from a 2025-11-25 backend's Task (src/server/modern/tasks.ts). */
import { describe, expect, test } from 'bun:test';
import { declaresTasks, missingTasksExtension, modernTask, TASKS_EXTENSION } from '../../src/server/modern/tasks.ts';

describe('tasks extension wire', () => {
  test('a legacy Task becomes the extension Task under our id: ttlMs / pollIntervalMs in whole ms, no legacy keys', () => {
    const t = modernTask({ taskId: 'backend-1', status: 'working', statusMessage: 'busy', createdAt: '2026-01-01T00:00:00Z', lastUpdatedAt: '2026-01-01T00:00:01Z', ttl: 60000.4, pollInterval: 99.6 }, 'ours');
    expect(t).toEqual({ taskId: 'ours', status: 'working', statusMessage: 'busy', createdAt: '2026-01-01T00:00:00Z', lastUpdatedAt: '2026-01-01T00:00:01Z', ttlMs: 60000, pollIntervalMs: 100 });
    expect('ttl' in t || 'pollInterval' in t).toBe(false);
  });

  test('unlimited or missing TTL is null; a missing poll interval is left out; timestamps are always there', () => {
    const t = modernTask({ taskId: 'b', status: 'completed', ttl: null }, 'x');
    expect(t.ttlMs).toBeNull();
    expect('pollIntervalMs' in t).toBe(false);
    expect(typeof t.createdAt).toBe('string');
    expect(t.lastUpdatedAt).toBe(t.createdAt);
    expect(modernTask({ taskId: 'b', status: 'working', ttl: -5, pollInterval: 0 }, 'x')).toMatchObject({ ttlMs: null });
  });

  test('the extension is declared only under clientCapabilities.extensions', () => {
    expect(declaresTasks({ extensions: { [TASKS_EXTENSION]: {} } })).toBe(true);
    expect(declaresTasks({ extensions: {} })).toBe(false);
    expect(declaresTasks({ tasks: {} })).toBe(false);
    expect(declaresTasks({ extensions: [TASKS_EXTENSION] })).toBe(false);
  });

  test('-32021 names the extension in data.requiredCapabilities', () => {
    const e = missingTasksExtension('tasks/get');
    expect(e.code).toBe(-32021);
    expect(e.message).toContain(TASKS_EXTENSION);
    expect(e.data).toEqual({ requiredCapabilities: { extensions: { [TASKS_EXTENSION]: {} } } });
  });
});
