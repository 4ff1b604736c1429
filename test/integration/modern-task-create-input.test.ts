/**
 * A task-creating tools/call whose backend asks the client before the task exists (the fixture's
 * test_tool_with_task: an elicitation during the call, then a 2025-11-25 task). For a 2026-07-28 client that
 * declared the tasks extension, the question is bridged like any call's (docs/protocol.md, "input_required
 * bridging"): input_required, then the retry with the answer gets the task, whose result carries the answer.
 * A client that cannot answer gets the capability error, not a hang.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { fixtureEntry } from '../helpers/fixture.ts';
import { textOf } from '../helpers/mcp-client.ts';
import { callModern, TASKS_EXTENSION as TASKS } from '../helpers/modern.ts';
import { waitFor } from '../helpers/processes.ts';
import { startServe, type ServeHandle } from '../helpers/serve.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('a task-creating call that asks the client first', () => {
  let serve: ServeHandle;

  const modern = async (method: string, params: Record<string, unknown>, caps: Record<string, unknown>): Promise<any> =>
    (await callModern(serve.url, method, params, { caps, clientName: 'task-create-input' })).message;

  beforeAll(async () => {
    serve = await startServe({ mcpServers: { work: fixtureEntry(['--name', 'work', '--tasks', '--conformance'], { prefix: '' }) } });
  });
  afterAll(async () => {
    await serve.stop();
  });

  test('the question becomes input_required; the retry with the answer creates the task', async () => {
    const caps = { extensions: { [TASKS]: {} }, elicitation: {} };
    const first = (await modern('tools/call', { name: 'test_tool_with_task', arguments: {} }, caps)).result;
    expect(first.resultType).toBe('input_required');
    const [key, ask] = Object.entries(first.inputRequests as Record<string, any>)[0]!;
    expect(ask.method).toBe('elicitation/create');
    expect(ask.params.message).toBe('What is your name?');

    const retry = (await modern('tools/call', { name: 'test_tool_with_task', arguments: {}, inputResponses: { [key]: { action: 'accept', content: { name: 'Grace' } } }, requestState: first.requestState }, caps)).result;
    expect(retry.resultType).toBe('task');
    expect(retry.taskId).toMatch(UUID);
    const done = await waitFor(
      async () => {
        const task = (await modern('tasks/get', { taskId: retry.taskId }, caps)).result;
        return task?.status === 'completed' ? task : undefined;
      },
      { interval: 50, what: 'the task to complete' },
    );
    expect(textOf(done.result)).toBe('Hello, Grace!');
  });

  test('a client that declared no elicitation gets the capability error at once', async () => {
    const message = await modern('tools/call', { name: 'test_tool_with_task', arguments: {} }, { extensions: { [TASKS]: {} } });
    expect(message.result).toBeUndefined();
    expect(message.error.message).toContain('elicitation');
  });
});
