/**
 * `1mcp serve` end to end: a real serve process, real fixture backends (stdio and HTTP), real SDK
 * clients over Streamable HTTP and SSE (docs/protocol.md, docs/design.md).
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { CreateMessageRequestSchema, LoggingMessageNotificationSchema, ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { waitFor } from '../helpers/processes.ts';
import { runCli } from '../helpers/cli.ts';
import { FIXTURE, fixtureEntry, startHttpFixture, type HttpFixture } from '../helpers/fixture.ts';
import { connectHttp, connectSse, textOf } from '../helpers/mcp-client.ts';
import { startServe, type ServeHandle } from '../helpers/serve.ts';
import { LONG_NAME } from '../fixtures/mcp-server.ts';
import { exposedName } from '../../src/catalog/names.ts';

describe('aggregation of several backends', () => {
  let serve: ServeHandle;
  let http: HttpFixture;
  const clients: Client[] = [];

  beforeAll(async () => {
    http = await startHttpFixture('http', ['--name', 'remote']);
    serve = await startServe({
      mcpServers: {
        alpha: fixtureEntry(['--name', 'alpha', '--long-name', '--instructions', 'Alpha knows things.'], { tags: ['files'] }),
        beta: fixtureEntry(['--name', 'beta'], { tags: ['web'], disabledTools: ['crash'] }),
        remote: { url: http.url, tags: ['remote'] },
      },
    });
  });
  afterAll(async () => {
    for (const c of clients) await c.close().catch(() => {});
    await serve.stop();
    await http.stop();
  });

  for (const transport of ['streamable-http', 'sse'] as const) {
    test(`lists and uses tools, resources, templates, prompts and completions (${transport})`, async () => {
      const client = transport === 'sse' ? await connectSse(`${serve.origin}/sse`) : await connectHttp(serve.url);
      clients.push(client);
      const { tools } = await client.listTools();
      const names = tools.map((t) => t.name);
      for (const server of ['alpha', 'beta', 'remote']) {
        expect(names).toContain(`${server}_1mcp_echo`);
        expect(names).toContain(`${server}_1mcp_fancy`);
      }
      // disabledTools hides beta's crash tool (and only beta's).
      expect(names).not.toContain('beta_1mcp_crash');
      expect(names).toContain('alpha_1mcp_crash');
      expect(textOf(await client.callTool({ name: 'alpha_1mcp_add', arguments: { a: 2, b: 3 } }))).toBe('5');
      expect(textOf(await client.callTool({ name: 'remote_1mcp_echo', arguments: { text: 'over http' } }))).toBe('over http');
      await expect(client.callTool({ name: 'beta_1mcp_crash', arguments: {} })).rejects.toThrow(/unknown tool/);

      const { resources } = await client.listResources();
      const uris = resources.map((r) => r.uri);
      expect(uris).toContain('fixture://alpha/static');
      expect(uris).toContain('fixture://remote/static');
      const read = await client.readResource({ uri: 'fixture://beta/static' });
      expect((read.contents[0] as { text: string }).text).toBe('static of beta');
      const { resourceTemplates } = await client.listResourceTemplates();
      expect(resourceTemplates.map((t) => t.uriTemplate)).toContain('fixture://alpha/item/{id}');
      const item = await client.readResource({ uri: 'fixture://alpha/item/42' });
      expect((item.contents[0] as { text: string }).text).toBe('item 42');

      const { prompts } = await client.listPrompts();
      expect(prompts.map((p) => p.name)).toEqual(['alpha_1mcp_greet', 'beta_1mcp_greet', 'remote_1mcp_greet']);
      const prompt = await client.getPrompt({ name: 'beta_1mcp_greet', arguments: { name: 'Ada' } });
      expect((prompt.messages[0]!.content as { text: string }).text).toBe('Hello, Ada!');
      const completion = await client.complete({ ref: { type: 'ref/prompt', name: 'alpha_1mcp_greet' }, argument: { name: 'name', value: 'al' } });
      expect(completion.completion.values).toEqual(['alice', 'albert']);

      expect(client.getInstructions()).toContain('Alpha knows things.');
      expect(client.getServerCapabilities()?.logging).toBeDefined();
    });
  }

  test('a tool definition read through 1mcp equals the backend’s except for its name', async () => {
    const direct = await connectHttp(http.url);
    clients.push(direct);
    const viaServe = await connectHttp(serve.url);
    clients.push(viaServe);
    const original = (await direct.listTools()).tools.find((t) => t.name === 'fancy')!;
    const exposed = (await viaServe.listTools()).tools.find((t) => t.name === 'remote_1mcp_fancy')!;
    const keys = new Set([...Object.keys(original), ...Object.keys(exposed)]);
    for (const key of keys) {
      if (key === 'name') continue;
      expect({ key, value: exposed[key as keyof typeof exposed] }).toEqual({ key, value: original[key as keyof typeof original] });
    }
    expect(exposed.annotations?.readOnlyHint).toBe(true);
    expect(exposed.outputSchema).toBeDefined();
    expect(exposed._meta).toEqual({ 'fixture/owner': 'remote' });
    const result = await viaServe.callTool({ name: 'remote_1mcp_fancy', arguments: {} });
    expect(result.structuredContent).toEqual({ answer: '42' });
  });

  test('a 100-character name with spaces and dots becomes a valid, stable name of at most 53 characters that reaches the backend', async () => {
    const client = await connectHttp(serve.url);
    clients.push(client);
    const expected = exposedName('alpha', LONG_NAME);
    expect(LONG_NAME.length).toBe(100);
    expect(expected).toMatch(/^[A-Za-z0-9_-]{1,53}$/);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toContain(expected);
    expect(textOf(await client.callTool({ name: expected, arguments: { text: 'x' } }))).toBe(`${LONG_NAME}:x`);
    const stats = JSON.parse(textOf(await client.callTool({ name: 'alpha_1mcp_stats', arguments: {} })));
    expect(stats.calls.map((c: { name: string }) => c.name)).toContain(LONG_NAME);
  });

  test('two clients: progress, cancellation, sampling and log levels each stay with their own session', async () => {
    const a = await connectHttp(serve.url, 'A');
    const b = await connectHttp(serve.url, 'B');
    clients.push(a, b);

    // Progress of A's call reaches only A.
    const progressA: number[] = [];
    const progressB: number[] = [];
    const callA = a.callTool({ name: 'alpha_1mcp_slow', arguments: { ms: 300, steps: 3 } }, undefined, { onprogress: (p) => progressA.push(p.progress) });
    const callB = b.callTool({ name: 'alpha_1mcp_echo', arguments: { text: 'b' } }, undefined, { onprogress: (p) => progressB.push(p.progress) });
    await Promise.all([callA, callB]);
    expect(progressA).toEqual([1, 2, 3]);
    expect(progressB).toEqual([]);

    // B's cancellation cancels only B's call, and the backend sees it.
    const controller = new AbortController();
    const longA = a.callTool({ name: 'beta_1mcp_slow', arguments: { ms: 600, steps: 2 } });
    const longB = b.callTool({ name: 'beta_1mcp_hang', arguments: {} }, undefined, { signal: controller.signal });
    await new Promise((r) => setTimeout(r, 150));
    controller.abort('user cancelled');
    await expect(longB).rejects.toThrow();
    expect(textOf(await longA)).toBe('done');
    const stats = JSON.parse(textOf(await a.callTool({ name: 'beta_1mcp_stats', arguments: {} })));
    expect(stats.cancelled.length).toBe(1);

    // A backend's sampling request during A's call is answered by A.
    a.setRequestHandler(CreateMessageRequestSchema, async () => ({ role: 'assistant', content: { type: 'text', text: 'from A' }, model: 'a' }));
    b.setRequestHandler(CreateMessageRequestSchema, async () => ({ role: 'assistant', content: { type: 'text', text: 'from B' }, model: 'b' }));
    const [sa, sb] = await Promise.all([
      a.callTool({ name: 'alpha_1mcp_sample', arguments: { prompt: 'hi' } }),
      b.callTool({ name: 'beta_1mcp_sample', arguments: { prompt: 'hi' } }),
    ]);
    expect(textOf(sa)).toBe('from A');
    expect(textOf(sb)).toBe('from B');

    // logging/setLevel from A does not change what B receives.
    const logsA: string[] = [];
    const logsB: string[] = [];
    a.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void logsA.push(String(n.params.data)));
    b.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void logsB.push(String(n.params.data)));
    await a.setLoggingLevel('error');
    await a.callTool({ name: 'alpha_1mcp_log', arguments: { level: 'info', message: 'info-1' } });
    await a.callTool({ name: 'alpha_1mcp_log', arguments: { level: 'error', message: 'error-1' } });
    await new Promise((r) => setTimeout(r, 100));
    expect(logsA).toEqual(['error-1']);
    expect(logsB).toEqual(['info-1', 'error-1']);
  });
});

describe('failing backends', () => {
  test('a backend that crashes mid-call: error within 100 ms, restarted, next call succeeds; crash-loop after maxRestarts', async () => {
    const serve = await startServe({
      mcpServers: {
        flaky: fixtureEntry(['--name', 'flaky'], { restartDelay: 50, maxRestarts: 3 }),
        loop: fixtureEntry(['--exit-at-start'], { restartDelay: 20, maxRestarts: 2 }),
      },
    });
    const client = await connectHttp(serve.url);
    try {
      const started = performance.now();
      await expect(client.callTool({ name: 'flaky_1mcp_crash', arguments: {} })).rejects.toThrow(/flaky/);
      expect(performance.now() - started).toBeLessThan(100);
      await waitForState(serve, 'flaky', 'connected');
      expect(textOf(await client.callTool({ name: 'flaky_1mcp_echo', arguments: { text: 'again' } }))).toBe('again');

      // `mcp restart` restarts one backend in the running serve.
      const pidBefore = ((await (await fetch(`${serve.origin}/health/mcp/flaky`)).json()) as { pid: number }).pid;
      const restart = await runCli(['mcp', 'restart', 'flaky', '--config-dir', serve.dir]);
      expect(restart.code).toBe(0);
      await waitForState(serve, 'flaky', 'connected');
      expect(((await (await fetch(`${serve.origin}/health/mcp/flaky`)).json()) as { pid: number }).pid).not.toBe(pidBefore);

      const loop = await waitForState(serve, 'loop', 'crash-loop');
      expect(loop.restarts).toBe(2);
      const status = await runCli(['mcp', 'status', '--config-dir', serve.dir, '--json']);
      expect(status.code).toBe(1);
      const servers = JSON.parse(status.stdout).servers;
      expect(servers.find((s: { name: string }) => s.name === 'loop').state).toBe('crash-loop');
      expect(servers.find((s: { name: string }) => s.name === 'flaky').state).toBe('connected');
    } finally {
      await client.close();
      await serve.stop();
    }
  });

  test('a backend that never answers fails at requestTimeout; calls to other backends are unaffected meanwhile', async () => {
    const serve = await startServe({
      mcpServers: {
        stuck: fixtureEntry(['--name', 'stuck'], { requestTimeout: 500 }),
        fine: fixtureEntry(['--name', 'fine']),
      },
    });
    const client = await connectHttp(serve.url);
    try {
      const started = performance.now();
      const hung = client.callTool({ name: 'stuck_1mcp_hang', arguments: {} }).then(
        () => 'answered',
        (e: Error) => e.message,
      );
      const quick: number[] = [];
      for (let i = 0; i < 5; i++) {
        const t = performance.now();
        expect(textOf(await client.callTool({ name: 'fine_1mcp_add', arguments: { a: i, b: 1 } }))).toBe(String(i + 1));
        quick.push(performance.now() - t);
      }
      const message = await hung;
      const elapsed = performance.now() - started;
      expect(message).toMatch(/timed out|timeout/i);
      expect(elapsed).toBeGreaterThanOrEqual(450);
      expect(elapsed).toBeLessThan(2000);
      expect(Math.max(...quick)).toBeLessThan(200);
      // The backend was told to stop working on it.
      const stats = JSON.parse(textOf(await client.callTool({ name: 'stuck_1mcp_stats', arguments: {} })));
      expect(stats.cancelled.length).toBe(1);
    } finally {
      await client.close();
      await serve.stop();
    }
  });
});

describe('disconnects', () => {
  test('a client that drops its connection mid-call cancels the call at the backend', async () => {
    const serve = await startServe({ mcpServers: { h: fixtureEntry(['--name', 'h']) } });
    try {
      const leaving = await connectHttp(serve.url);
      void leaving.callTool({ name: 'h_1mcp_hang', arguments: {} }).catch(() => {});
      await Bun.sleep(200);
      // No DELETE: the client just goes away, cutting the call's response stream.
      await leaving.close();
      const observer = await connectHttp(serve.url);
      await waitFor(async () => JSON.parse(textOf(await observer.callTool({ name: 'h_1mcp_stats', arguments: {} }))).cancelled.length === 1, { what: 'the backend to see the cancellation' });
      await observer.close();
    } finally {
      await serve.stop();
    }
  });
});

describe('HTTP guards', () => {
  let serve: ServeHandle;
  beforeAll(async () => {
    serve = await startServe({ mcpServers: { one: fixtureEntry(['--name', 'one']) } });
  });
  afterAll(async () => {
    await serve.stop();
  });

  const init = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } });
  const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

  test('bad requests get clear statuses and leave other sessions working and the server healthy', async () => {
    const client = await connectHttp(serve.url);
    try {
      const evil = await fetch(serve.url, { method: 'POST', headers: { ...headers, host: 'evil.example.com' }, body: init });
      expect(evil.status).toBe(403);
      const badOrigin = await fetch(serve.url, { method: 'POST', headers: { ...headers, origin: 'http://evil.example.com' }, body: init });
      expect(badOrigin.status).toBe(403);
      const malformed = await fetch(serve.url, { method: 'POST', headers, body: '{"jsonrpc": "2.0", "id": 1, ' });
      expect(malformed.status).toBe(400);
      expect(((await malformed.json()) as { error: { code: number } }).error.code).toBe(-32700);
      const huge = await fetch(serve.url, { method: 'POST', headers, body: 'x'.repeat(17 * 1024 * 1024) });
      expect(huge.status).toBe(413);
      const unknown = await fetch(serve.url, { method: 'POST', headers: { ...headers, 'mcp-session-id': 'no-such-session' }, body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }) });
      expect(unknown.status).toBe(404);
      const wrongType = await fetch(serve.url, { method: 'POST', headers: { ...headers, 'content-type': 'text/plain' }, body: init });
      expect(wrongType.status).toBe(415);
      const wrongMethod = await fetch(serve.url, { method: 'PUT', headers, body: init });
      expect(wrongMethod.status).toBe(405);
      const twoViews = await fetch(`${serve.url}?tags=a&preset=b`, { method: 'POST', headers, body: init });
      expect(twoViews.status).toBe(400);
      expect(await twoViews.text()).toContain('not \\"tags\\" and \\"preset\\"');

      expect(textOf(await client.callTool({ name: 'one_1mcp_echo', arguments: { text: 'still here' } }))).toBe('still here');
      const health = await fetch(`${serve.origin}/health`);
      expect(health.status).toBe(200);
      expect(((await health.json()) as { status: string }).status).toBe('healthy');
    } finally {
      await client.close();
    }
  });

  test('health endpoints and the runtime identity', async () => {
    expect((await fetch(`${serve.origin}/health/live`)).status).toBe(200);
    expect((await fetch(`${serve.origin}/health/ready`)).status).toBe(200);
    const mcp = (await (await fetch(`${serve.origin}/health/mcp/one`)).json()) as { state: string; tools: number };
    expect(mcp.state).toBe('connected');
    expect(mcp.tools).toBeGreaterThan(10);
    const identity = (await (await fetch(`${serve.origin}/.well-known/1mcp/runtime-identity`)).json()) as { name: string; pid: number; configDir: string };
    expect(identity).toMatchObject({ name: '1mcp', pid: serve.child.pid, configDir: serve.dir });
  });
});

describe('lifecycle', () => {
  test('no config at all: serve starts, serves an empty catalog and says how to add a server', async () => {
    const serve = await startServe({});
    try {
      const client = await connectHttp(serve.url);
      expect((await client.listTools()).tools).toEqual([]);
      await client.close();
      expect(serve.stderr()).toContain('1mcp mcp add');
    } finally {
      await serve.stop();
    }
  });

  test('SIGTERM with 5 stdio backends (one a shell wrapper with a grandchild): all gone within 3 s', async () => {
    const wrapper = { command: 'sh', args: ['-c', `sleep 600 & exec "$0" "$@"`, process.execPath, FIXTURE, '--name', 'wrapped'] };
    const serve = await startServe({
      mcpServers: {
        s1: fixtureEntry(['--name', 's1']),
        s2: fixtureEntry(['--name', 's2']),
        s3: fixtureEntry(['--name', 's3']),
        s4: fixtureEntry(['--name', 's4']),
        wrapped: wrapper,
      },
    });
    const client = await connectHttp(serve.url);
    const { tools } = await client.listTools();
    expect(tools.filter((t) => t.name.endsWith('_1mcp_echo'))).toHaveLength(5);
    await client.close();
    // The fixtures plus the wrapper's sleeping grandchild.
    expect(serve.descendants().length).toBeGreaterThanOrEqual(6);
    const { exitMs } = await serve.stop('SIGTERM');
    expect(exitMs).toBeLessThan(3000);
  });
});

async function waitForState(serve: ServeHandle, name: string, state: string): Promise<{ state: string; restarts: number }> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const s = (await (await fetch(`${serve.origin}/health/mcp/${name}`)).json()) as { state: string; restarts: number };
    if (s.state === state) return s;
    if (Date.now() > deadline) throw new Error(`${name} stayed ${s.state}, wanted ${state}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('transports and subscriptions', () => {
  test('an http url that answers 4xx to POST is retried as SSE (type inferred)', async () => {
    const sse = await startHttpFixture('sse', ['--name', 'legacy']);
    const serve = await startServe({ mcpServers: { legacy: { url: `http://127.0.0.1:${sse.port}/events` } } });
    try {
      const client = await connectHttp(serve.url);
      expect(textOf(await client.callTool({ name: 'legacy_1mcp_echo', arguments: { text: 'via sse' } }))).toBe('via sse');
      await client.close();
    } finally {
      await serve.stop();
      await sse.stop();
    }
  });

  test('resources/updated reaches only the sessions subscribed to that URI', async () => {
    const serve = await startServe({ mcpServers: { res: fixtureEntry(['--name', 'res']) } });
    const a = await connectHttp(serve.url, 'A');
    const b = await connectHttp(serve.url, 'B');
    try {
      const seenA: string[] = [];
      const seenB: string[] = [];
      a.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => void seenA.push(n.params.uri));
      b.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => void seenB.push(n.params.uri));
      expect(a.getServerCapabilities()?.resources?.subscribe).toBe(true);
      await a.subscribeResource({ uri: 'fixture://res/static' });
      await b.callTool({ name: 'res_1mcp_touch', arguments: { uri: 'fixture://res/static' } });
      await waitFor(() => seenA.length === 1, { what: 'the update at A' });
      await Bun.sleep(100);
      expect(seenA).toEqual(['fixture://res/static']);
      expect(seenB).toEqual([]);
      await a.unsubscribeResource({ uri: 'fixture://res/static' });
      await b.callTool({ name: 'res_1mcp_touch', arguments: { uri: 'fixture://res/static' } });
      await Bun.sleep(150);
      expect(seenA).toHaveLength(1);
    } finally {
      await a.close();
      await b.close();
      await serve.stop();
    }
  });
});
