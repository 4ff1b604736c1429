/**
 * Protocol fidelity, measured against a direct connection to the same server: client sub-capabilities
 * reach backends (and requests needing them go only to clients that have them), backend JSON-RPC
 * errors pass unchanged, and tasks (2025-11-25) work per session. Real serve, real SDK clients.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  CancelTaskResultSchema,
  CreateTaskResultSchema,
  ElicitationCompleteNotificationSchema,
  GetTaskResultSchema,
  ListTasksResultSchema,
  RELATED_TASK_META_KEY,
  TaskStatusNotificationSchema,
  type ClientCapabilities,
} from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { fixtureCommand, fixtureEntry } from '../helpers/fixture.ts';
import { JSON_HEADERS, messagesOf } from '../helpers/raw-http.ts';
import { setHooks, textOf, type ClientHooks } from '../helpers/mcp-client.ts';
import { track, waitFor } from '../helpers/processes.ts';
import { startServe, type ServeHandle } from '../helpers/serve.ts';

const FID_FLAGS = ['--name', 'fid', '--fidelity', '--tasks'];
/** What a current client such as the MCP Inspector declares. */
const FULL: ClientCapabilities = { sampling: { tools: {}, context: {} }, elicitation: { form: {}, url: {} }, roots: { listChanged: true } };
/** An older client: form elicitation and plain sampling only. */
const BASIC: ClientCapabilities = { sampling: {}, elicitation: {}, roots: {} };

const HOOKS: ClientHooks = {
  sampling: (p) => `sampled ${(p.messages[0]!.content as { text: string }).text}${p.tools ? ' with tools' : ''}`,
  elicitation: (p) => ({ action: 'accept', ...(p.mode === 'url' ? {} : { content: { ok: true } }) }),
  roots: [{ uri: 'file:///w', name: 'w' }],
};

async function connectWith(transport: Transport, capabilities: ClientCapabilities, hooks: ClientHooks = HOOKS): Promise<Client> {
  const client = new Client({ name: 'fidelity-test', version: '1.0.0' }, { capabilities });
  setHooks(client, hooks);
  await client.connect(transport);
  return client;
}

async function direct(flags: string[], capabilities: ClientCapabilities): Promise<Client> {
  const { command, args } = fixtureCommand(flags);
  const transport = new StdioClientTransport({ command, args, stderr: 'ignore' });
  try {
    return await connectWith(transport, capabilities);
  } finally {
    if (transport.pid) track(transport.pid);
  }
}

/** The JSON-RPC error a call ends with, as the client sees it. */
async function errorOf(promise: Promise<unknown>): Promise<{ code?: number; message: string; data?: unknown }> {
  try {
    await promise;
  } catch (e) {
    const { code, message, data } = e as { code?: number; message: string; data?: unknown };
    return { code, message, data };
  }
  throw new Error('expected the call to fail');
}

describe('protocol fidelity through serve', () => {
  let serve: ServeHandle;
  const open: Client[] = [];
  const via = async (capabilities: ClientCapabilities, query = '') => {
    const client = await connectWith(new StreamableHTTPClientTransport(new URL(`${serve.url}${query}`)), capabilities);
    open.push(client);
    return client;
  };

  beforeAll(async () => {
    serve = await startServe({
      mcpServers: {
        fid: fixtureEntry(FID_FLAGS, { tags: ['fid'] }),
        two: fixtureEntry(['--name', 'two', '--tasks'], { tags: ['two'], requestTimeout: 1000 }),
        plain: fixtureEntry(['--name', 'plain'], { tags: ['plain'] }),
      },
    });
  });
  afterAll(async () => {
    for (const c of open) await c.close().catch(() => {});
    await serve.stop();
  });

  test('a client declaring elicitation.url sees the same tools as directly (a URL-elicitation-only tool included)', async () => {
    const straight = await direct(FID_FLAGS, FULL);
    try {
      const directNames = (await straight.listTools()).tools.map((t) => t.name).sort();
      expect(directNames).toContain('url_required');
      const client = await via(FULL, '?tags=fid');
      const proxied = (await client.listTools()).tools.map((t) => t.name.replace(/^fid_1mcp_/, '')).sort();
      expect(proxied).toEqual(directNames);
      expect(proxied.length).toBe(directNames.length);
    } finally {
      await straight.close();
    }
  });

  test('a request needing a sub-capability goes only to a client that declared it; the backend hears why otherwise', async () => {
    const basic = await via(BASIC, '?tags=fid');
    const full = await via(FULL, '?tags=fid');
    const call = (c: Client, name: string, args: Record<string, unknown>) => c.callTool({ name: `fid_1mcp_${name}`, arguments: args });

    // URL-mode elicitation.
    expect(JSON.parse(textOf(await call(full, 'elicit', { message: 'sign in', mode: 'url' })))).toEqual({ action: 'accept' });
    const noUrl = await errorOf(call(basic, 'elicit', { message: 'sign in', mode: 'url' }));
    expect(noUrl.message).toContain('did not declare elicitation.url');
    // Its completion notice reaches the session that was asked, and no other.
    const completed: string[] = [];
    const bystander: string[] = [];
    full.setNotificationHandler(ElicitationCompleteNotificationSchema, (n) => void completed.push(n.params.elicitationId));
    const other = await via(FULL, '?tags=fid');
    other.setNotificationHandler(ElicitationCompleteNotificationSchema, (n) => void bystander.push(n.params.elicitationId));
    await call(full, 'elicit', { message: 'again', mode: 'url', elicitationId: 'el-42' });
    await waitFor(() => completed.includes('el-42'), { what: 'the elicitation/complete notification' });
    // Another round trip on the bystander, so a stray notice would have arrived by now.
    await other.listTools();
    expect(bystander).toEqual([]);
    // Form mode works for both (an empty elicitation capability means form).
    expect(JSON.parse(textOf(await call(basic, 'elicit', { message: 'ok?' })))).toEqual({ action: 'accept', content: { ok: true } });
    expect(JSON.parse(textOf(await call(full, 'elicit', { message: 'ok?' })))).toEqual({ action: 'accept', content: { ok: true } });

    // Sampling with tools.
    expect(textOf(await call(full, 'sample', { prompt: 'p', withTools: true }))).toBe('sampled p with tools');
    expect((await errorOf(call(basic, 'sample', { prompt: 'p', withTools: true }))).message).toContain('did not declare sampling.tools');
    expect(textOf(await call(basic, 'sample', { prompt: 'p' }))).toBe('sampled p');
    // includeContext is a hint a client may ignore: it does not narrow who is asked.
    expect(textOf(await call(basic, 'sample', { prompt: 'p', context: 'thisServer' }))).toBe('sampled p');
  });

  test("a backend's JSON-RPC errors reach the client unchanged: code, message, data (also -32042 with data.elicitations)", async () => {
    const straight = await direct(FID_FLAGS, FULL);
    const client = await via(FULL, '?tags=fid');
    try {
      const custom = { code: -32099, message: 'custom failure', data: { detail: [1, 2], nested: { a: 'b' } } };
      const directCustom = await errorOf(straight.callTool({ name: 'fail', arguments: custom }));
      expect(directCustom.code).toBe(-32099);
      expect(await errorOf(client.callTool({ name: 'fid_1mcp_fail', arguments: custom }))).toEqual(directCustom);

      const directUrl = await errorOf(straight.callTool({ name: 'url_required', arguments: {} }));
      expect(directUrl.code).toBe(-32042);
      expect((directUrl.data as { elicitations: unknown[] }).elicitations).toHaveLength(1);
      expect(await errorOf(client.callTool({ name: 'fid_1mcp_url_required', arguments: {} }))).toEqual(directUrl);
    } finally {
      await straight.close();
    }
  });

  test('on the wire, a -32042 error keeps every field of its data (the SDK client would keep only elicitations)', async () => {
    const post = async (headers: Record<string, string>, body: unknown) => {
      const r = await fetch(serve.url, { method: 'POST', headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify(body) });
      return { id: r.headers.get('mcp-session-id'), messages: messagesOf(r.headers.get('content-type'), await r.text()) };
    };
    const init = await post({}, { jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: FULL, clientInfo: { name: 'raw', version: '1' } } });
    const headers = { 'mcp-session-id': init.id!, 'mcp-protocol-version': '2025-11-25' };
    await post(headers, { jsonrpc: '2.0', method: 'notifications/initialized' });
    const data = { elicitations: [{ mode: 'url', elicitationId: 'e1', url: 'https://example.com/a', message: 'go' }], retryAfter: 5, hint: { why: 'auth' } };
    const { messages } = await post(headers, { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'fid_1mcp_fail', arguments: { code: -32042, message: 'needs a browser', data } } });
    const answer = messages.find((m) => m.id === 1);
    expect(answer.error.code).toBe(-32042);
    expect(answer.error.data).toEqual(data);
    await fetch(serve.url, { method: 'DELETE', headers: { ...JSON_HEADERS, ...headers } });
  });

  test('tasks: advertised when the view has a task backend; create, get, result, list, cancel and status, per session', async () => {
    const a = await via(FULL);
    const b = await via(FULL);
    expect(a.getServerCapabilities()?.tasks).toMatchObject({ list: {}, cancel: {}, requests: { tools: { call: {} } } });
    expect((await via(FULL, '?tags=plain')).getServerCapabilities()?.tasks).toBeUndefined();

    const statuses: { taskId: string; status: string }[] = [];
    a.setNotificationHandler(TaskStatusNotificationSchema, (n) => void statuses.push(n.params));
    const runAsTask = (c: Client, name: string, args: Record<string, unknown>) =>
      c.request({ method: 'tools/call', params: { name, arguments: args, task: { ttl: 60_000 } } }, CreateTaskResultSchema);
    const get = (c: Client, taskId: string) => c.request({ method: 'tasks/get', params: { taskId } }, GetTaskResultSchema);
    const list = async (c: Client) => (await c.request({ method: 'tasks/list', params: {} }, ListTasksResultSchema)).tasks.map((t) => t.taskId).sort();

    const mine = (await runAsTask(a, 'fid_1mcp_task_work', { text: 'a', ms: 200 })).task;
    const theirs = (await runAsTask(b, 'two_1mcp_task_work', { text: 'b', ms: 200 })).task;
    expect(mine.status).toBe('working');
    expect(mine.taskId).not.toBe(theirs.taskId);

    await waitFor(async () => (await get(a, mine.taskId)).status === 'completed', { what: "a's task to complete" });
    const result = await a.request({ method: 'tasks/result', params: { taskId: mine.taskId } }, z.looseObject({}));
    expect(textOf(result)).toBe('worked:a');
    expect((result._meta as Record<string, { taskId: string }>)[RELATED_TASK_META_KEY]?.taskId).toBe(mine.taskId);
    await waitFor(() => statuses.find((s) => s.taskId === mine.taskId && s.status === 'completed'), { what: "a's task status notification" });
    expect(statuses.every((s) => s.taskId === mine.taskId)).toBe(true);

    // Another session can neither see nor reach a's task, and lists only its own.
    expect((await errorOf(get(b, mine.taskId))).code).toBe(-32602);
    expect(await list(a)).toEqual([mine.taskId]);
    expect(await list(b)).toEqual([theirs.taskId]);

    const long = (await runAsTask(a, 'fid_1mcp_task_work', { text: 'long', ms: 60_000 })).task;
    const cancelled = await a.request({ method: 'tasks/cancel', params: { taskId: long.taskId } }, CancelTaskResultSchema);
    expect(cancelled).toMatchObject({ taskId: long.taskId, status: 'cancelled' });
    expect(await list(a)).toEqual([mine.taskId, long.taskId].sort());

    // tasks/result waits for the task to end, longer than the server's requestTimeout (1 s for "two").
    const slowTask = (await runAsTask(b, 'two_1mcp_task_work', { text: 'slow', ms: 1500 })).task;
    expect(textOf(await b.request({ method: 'tasks/result', params: { taskId: slowTask.taskId } }, z.looseObject({})))).toBe('worked:slow');

    // Progress of a task goes on after the call that created it answered, on that call's token.
    const progress: { progress: number; total?: number; message?: string }[] = [];
    const withProgress = await a.request(
      { method: 'tools/call', params: { name: 'fid_1mcp_task_work', arguments: { text: 'p', ms: 400 }, task: { ttl: 60_000 } } },
      CreateTaskResultSchema,
      { onprogress: (p) => void progress.push(p) },
    );
    expect(withProgress.task.status).toBe('working');
    await waitFor(() => progress.find((p) => p.message === 'halfway'), { what: "the task's progress after its creation" });
    expect(progress).toEqual([{ progress: 1, total: 2, message: 'halfway' }]);

    // A server without tasks: asking for a task is refused clearly (not a result the client cannot parse).
    const refused = await errorOf(runAsTask(a, 'plain_1mcp_echo', { text: 'x' }));
    expect(refused.message).toContain('does not run tools as tasks');
  });
});
