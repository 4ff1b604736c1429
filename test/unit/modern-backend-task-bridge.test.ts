/** The pure parts of backends/modern/tasks.ts: what a 2025-11-25 caller sees of an extension task and capabilities. */
import { describe, expect, test } from 'bun:test';
import { legacyTask, offersTasks, TASKS_EXTENSION, withLegacyTasks } from '../../src/backends/modern/tasks.ts';
import { withEnvelope } from '../../src/backends/modern/envelope.ts';

describe('modern backend tasks, in the 2025-11-25 wire', () => {
  test('a flat extension task becomes a legacy Task (ttl/pollInterval), without result, error or inputRequests', () => {
    const flat = { resultType: 'task', taskId: 'bt-1', status: 'input_required', createdAt: 'c', lastUpdatedAt: 'u', ttlMs: 60_000, pollIntervalMs: 50, result: {}, inputRequests: {} };
    expect(legacyTask(flat)).toEqual({ taskId: 'bt-1', status: 'input_required', createdAt: 'c', lastUpdatedAt: 'u', ttl: 60_000, pollInterval: 50 });
    expect(legacyTask({ taskId: 't', status: 'working', createdAt: 'c', ttlMs: null })).toEqual({ taskId: 't', status: 'working', createdAt: 'c', lastUpdatedAt: 'c', ttl: null });
  });

  test('a backend that offers the extension shows the legacy tasks capability; one that does not is unchanged', () => {
    const caps = { tools: {}, extensions: { [TASKS_EXTENSION]: {} } };
    expect(offersTasks(caps as never)).toBe(true);
    expect(withLegacyTasks(caps as never).tasks).toEqual({ cancel: {}, requests: { tools: { call: {} } } });
    const plain = { tools: {} };
    expect(offersTasks(plain)).toBe(false);
    expect(withLegacyTasks(plain)).toBe(plain);
  });

  test('the envelope declares extensions only when asked', () => {
    const caps = (p: Record<string, unknown>) => (p._meta as Record<string, any>)['io.modelcontextprotocol/clientCapabilities'];
    expect(caps(withEnvelope({})).extensions).toBeUndefined();
    expect(caps(withEnvelope({}, undefined, { [TASKS_EXTENSION]: {} })).extensions).toEqual({ [TASKS_EXTENSION]: {} });
    expect(caps(withEnvelope({}, undefined, { [TASKS_EXTENSION]: {} })).sampling).toBeDefined();
  });
});
