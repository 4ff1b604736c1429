/**
 * 2026-07-28 ("modern") backends behind serve (docs/protocol.md, "Modern backends"): a real SDK v2 server
 * (test/fixtures/modern-server.ts) over stdio and over Streamable HTTP, next to a legacy fixture, reached by
 * a legacy SDK v1 client and by a modern SDK v2 client at the same time. Its input_required results become
 * server-to-client requests on the legacy client's session; list changes arrive through subscriptions/listen.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { LoggingMessageNotificationSchema, ResourceUpdatedNotificationSchema, ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { Client as ModernSdkClient, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { BUN, fixtureEntry } from '../helpers/fixture.ts';
import { ROOT } from '../helpers/cli.ts';
import { connectHttp, textOf } from '../helpers/mcp-client.ts';
import { callModern } from '../helpers/modern.ts';
import { assertNoSurvivors, readLine, spawnTracked, waitFor, killTree, waitForExit } from '../helpers/processes.ts';
import { startServe, type ServeHandle } from '../helpers/serve.ts';
import { createTokens } from '../helpers/tokens.ts';

const MODERN_FIXTURE = join(ROOT, 'test', 'fixtures', 'modern-server.ts');
const SILENT_FIXTURE = join(ROOT, 'test', 'fixtures', 'discover-silent-server.ts');

interface StatusRow {
  name: string;
  state: string;
  tools: number;
  protocol?: string;
  restarts?: number;
}

async function status(serve: ServeHandle): Promise<StatusRow[]> {
  const r = await fetch(new URL('/api/status', serve.origin));
  const body = (await r.json()) as { servers: StatusRow[] };
  return body.servers;
}

describe('modern backends behind serve', () => {
  let serve: ServeHandle;
  let http: ReturnType<typeof spawnTracked>;
  let legacy: Client;

  beforeAll(async () => {
    http = spawnTracked(BUN, [MODERN_FIXTURE, '--http', '--name', 'mhttp']);
    const port = (await readLine(http.stdout!, /^PORT (\d+)$/))[1];
    serve = await startServe({
      mcpServers: {
        mstdio: { command: BUN, args: [MODERN_FIXTURE, '--name', 'mstdio'] },
        mhttp: { url: `http://127.0.0.1:${port}/mcp` },
        old: fixtureEntry(['--name', 'old']),
      },
    });
    legacy = await connectHttp(serve.url, {
      name: 'legacy-client',
      hooks: {
        elicitation: (params) => ({ action: 'accept', content: { name: `Ada (asked: ${params.message})` } }),
        sampling: (params) => `sampled ${JSON.stringify((params.messages[0]!.content as { text: string }).text)}`,
        roots: [{ uri: 'file:///tmp/legacy-root', name: 'root' }],
      },
    });
  });

  afterAll(async () => {
    await legacy?.close().catch(() => {});
    await serve?.stop();
    if (http?.pid) killTree(http.pid);
    if (http) await waitForExit(http).catch(() => {});
    await assertNoSurvivors();
  });

  test('both modern backends are connected with their tools; the legacy fixture next to them too', async () => {
    const rows = await waitFor(async () => {
      const all = await status(serve);
      return all.every((r) => r.state === 'connected') ? all : undefined;
    });
    expect(rows.find((r) => r.name === 'mstdio')!.tools).toBe(12);
    expect(rows.find((r) => r.name === 'mhttp')!.tools).toBe(12);
    expect(rows.map((r) => [r.name, r.protocol]).sort()).toEqual([
      ['mhttp', '2026-07-28'],
      ['mstdio', '2026-07-28'],
      ['old', 'legacy'],
    ]);
    expect(serve.stderr()).toContain('[mstdio] connected in the 2026-07-28 era');
    const names = (await legacy.listTools()).tools.map((t) => t.name);
    expect(names).toContain('mstdio_1mcp_echo');
    expect(names).toContain('mhttp_1mcp_add');
    expect(names).toContain('old_1mcp_echo');
  });

  test('a legacy client calls tools, reads resources, gets prompts and completions of modern backends', async () => {
    for (const server of ['mstdio', 'mhttp']) {
      expect(textOf(await legacy.callTool({ name: `${server}_1mcp_echo`, arguments: { text: 'hi' } }))).toBe('echo: hi');
      const resources = (await legacy.listResources()).resources.map((r) => r.uri);
      expect(resources.some((u) => u.includes('modern://note'))).toBe(true);
    }
    const note = (await legacy.listResources()).resources.find((r) => r.uri.includes('modern://note') && r.name.includes('note'))!;
    const read = await legacy.readResource({ uri: note.uri });
    expect((read.contents[0] as { text: string }).text).toBe('a modern note');
    const prompt = await legacy.getPrompt({ name: 'mstdio_1mcp_greet', arguments: { who: 'Bo' } });
    expect((prompt.messages[0]!.content as { text: string }).text).toBe('Hello, Bo!');
    const legacyResult = await legacy.callTool({ name: 'old_1mcp_echo', arguments: { text: 'still here' } });
    expect(textOf(legacyResult)).toContain('still here');
  });

  test("a modern backend's input_required becomes elicitation, sampling and roots requests on the legacy session", async () => {
    for (const server of ['mstdio', 'mhttp']) {
      const named = await legacy.callTool({ name: `${server}_1mcp_ask_name`, arguments: {} });
      expect(textOf(named)).toBe('hello Ada (asked: What is your name?) (state asked-name)');
      const sampled = await legacy.callTool({ name: `${server}_1mcp_ask_model`, arguments: { prompt: 'ping' } });
      expect(textOf(sampled)).toBe('model said: sampled "ping"');
      const rooted = await legacy.callTool({ name: `${server}_1mcp_ask_roots`, arguments: {} });
      expect(textOf(rooted)).toBe('roots: file:///tmp/legacy-root');
    }
  });

  test('a tools/call to a modern HTTP backend carries the Mcp-Param headers its tool schema asks for', async () => {
    // The SDK v2 server refuses the call (-32020) when the header is missing or differs.
    expect(textOf(await legacy.callTool({ name: 'mhttp_1mcp_region', arguments: { region: 'eu-west' } }))).toBe('region eu-west');
    expect(textOf(await legacy.callTool({ name: 'mhttp_1mcp_region', arguments: { region: 'Zürich' } }))).toBe('region Zürich');
  });

  test('completion of a modern backend\'s resource template argument', async () => {
    const template = (await legacy.listResourceTemplates()).resourceTemplates.find((t) => t.uriTemplate === 'modern://items/{id}')!;
    expect(template).toBeDefined();
    const completed = await legacy.complete({ ref: { type: 'ref/resource', uri: template.uriTemplate }, argument: { name: 'id', value: 'ap' } });
    expect(completed.completion.values).toEqual(['apple', 'apricot']);
  });

  test('a modern SDK v2 client on the same serve at the same time sees the same tools and calls them', async () => {
    const modern = new ModernSdkClient({ name: 'modern-client', version: '1' }, { capabilities: {}, versionNegotiation: { mode: { pin: '2026-07-28' } } });
    await modern.connect(new StreamableHTTPClientTransport(new URL(serve.url)));
    try {
      const [modernTools, legacyTools] = await Promise.all([modern.listTools(), legacy.listTools()]);
      expect(modernTools.tools.map((t) => t.name).sort()).toEqual(legacyTools.tools.map((t) => t.name).sort());
      const [a, b] = await Promise.all([
        modern.callTool({ name: 'mhttp_1mcp_add', arguments: { a: 2, b: 3 } }),
        legacy.callTool({ name: 'mstdio_1mcp_add', arguments: { a: 4, b: 5 } }),
      ]);
      expect(textOf(a)).toBe('5');
      expect(textOf(b)).toBe('9');
      expect(textOf(await modern.callTool({ name: 'mstdio_1mcp_echo', arguments: { text: 'modern' } }))).toBe('echo: modern');
      const prompt = await modern.getPrompt({ name: 'mhttp_1mcp_greet', arguments: { who: 'Cy' } });
      expect((prompt.messages[0]!.content as { text: string }).text).toBe('Hello, Cy!');
    } finally {
      await modern.close();
    }
  });

  test("a modern client answers a modern backend's input_required (elicitation, sampling, roots) through serve", async () => {
    const modern = new ModernSdkClient({ name: 'modern-asker', version: '1' }, { capabilities: { elicitation: {}, sampling: {}, roots: {} }, versionNegotiation: { mode: { pin: '2026-07-28' } } });
    modern.setRequestHandler('elicitation/create', async (request) => ({ action: 'accept', content: { name: `Mo (asked: ${request.params.message})` } }));
    modern.setRequestHandler('sampling/createMessage', async (request) => ({
      role: 'assistant',
      content: { type: 'text', text: `modern sampled ${(request.params.messages[0]!.content as { text: string }).text}` },
      model: 'test-model',
    }));
    modern.setRequestHandler('roots/list', async () => ({ roots: [{ uri: 'file:///tmp/modern-root' }] }));
    await modern.connect(new StreamableHTTPClientTransport(new URL(serve.url)));
    try {
      for (const server of ['mstdio', 'mhttp']) {
        expect(textOf(await modern.callTool({ name: `${server}_1mcp_ask_name`, arguments: {} }))).toBe('hello Mo (asked: What is your name?) (state asked-name)');
        expect(textOf(await modern.callTool({ name: `${server}_1mcp_ask_model`, arguments: { prompt: 'hey' } }))).toBe('model said: modern sampled hey');
        expect(textOf(await modern.callTool({ name: `${server}_1mcp_ask_roots`, arguments: {} }))).toBe('roots: file:///tmp/modern-root');
      }
    } finally {
      await modern.close();
    }
  });

  test("raw 2026-07-28 requests: the backend's input_required passes through with its keys, its requestState sealed inside ours", async () => {
    const call = async (params: Record<string, unknown>, caps: Record<string, unknown> = { elicitation: {} }) => (await callModern(serve.url, 'tools/call', params, { caps, clientName: 'raw' })).message as { result?: any; error?: any };
    for (const server of ['mstdio', 'mhttp']) {
      const name = `${server}_1mcp_ask_name`;
      const first = await call({ name, arguments: {} });
      expect(first.result.resultType).toBe('input_required');
      // The backend's own key, not one of the bridging's generated ones.
      expect(Object.keys(first.result.inputRequests)).toEqual(['who']);
      expect(first.result.inputRequests.who.method).toBe('elicitation/create');
      const state = first.result.requestState as string;
      expect(state).not.toBe('asked-name');
      expect(state).not.toContain('asked-name');
      const answer = { who: { action: 'accept', content: { name: 'Raw' } } };
      const tampered = await call({ name, arguments: {}, inputResponses: answer, requestState: `${state.slice(0, -2)}xx` });
      expect(tampered.error.code).toBe(-32602);
      const foreign = await call({ name: `${server}_1mcp_ask_roots`, arguments: {}, inputResponses: answer, requestState: state });
      expect(foreign.error.code).toBe(-32602);
      const done = await call({ name, arguments: {}, inputResponses: answer, requestState: state });
      expect(done.result.resultType).toBe('complete');
      expect(done.result.content[0].text).toBe('hello Raw (state asked-name)');
      // A client that did not declare elicitation gets -32021, as the revision asks.
      const undeclared = await call({ name, arguments: {} }, {});
      expect(undeclared.error.code).toBe(-32021);
      expect(undeclared.error.data.requiredCapabilities).toEqual({ elicitation: {} });
    }
  });

  test('a list change of a modern backend (heard on subscriptions/listen) reaches the legacy client', async () => {
    for (const server of ['mstdio', 'mhttp']) {
      let changed = 0;
      legacy.setNotificationHandler(ToolListChangedNotificationSchema, () => {
        changed++;
      });
      await legacy.listTools();
      expect(textOf(await legacy.callTool({ name: `${server}_1mcp_add_tool`, arguments: {} }))).toBe('added');
      await waitFor(() => changed > 0, { what: `tools/list_changed after ${server} added a tool` });
      const names = (await legacy.listTools()).tools.map((t) => t.name);
      expect(names).toContain(`${server}_1mcp_extra`);
      expect(textOf(await legacy.callTool({ name: `${server}_1mcp_extra`, arguments: {} }))).toBe('extra!');
    }
  });

  test("a legacy client's resource subscription is heard on the modern backend's listen stream", async () => {
    const notes = (await legacy.listResources()).resources.filter((r) => r.uri.includes('modern://note')).map((r) => r.uri);
    expect(notes.length).toBe(2);
    const updated: string[] = [];
    legacy.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => {
      updated.push(n.params.uri);
    });
    for (const uri of notes) await legacy.subscribeResource({ uri });
    for (const server of ['mstdio', 'mhttp']) {
      expect(textOf(await legacy.callTool({ name: `${server}_1mcp_touch`, arguments: { uri: 'modern://note' } }))).toBe('touched');
      // Not subscribed: no notification for it.
      await legacy.callTool({ name: `${server}_1mcp_touch`, arguments: { uri: 'modern://other' } });
    }
    await waitFor(() => updated.length >= 2, { what: 'both resource updates' });
    expect([...updated].sort()).toEqual([...notes].sort());
    for (const uri of notes) await legacy.unsubscribeResource({ uri });
  });

  test("a modern backend's log lines reach the legacy client at the level it chose (sent as _meta logLevel)", async () => {
    const lines: { logger?: string; data: unknown; level: string }[] = [];
    legacy.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
      lines.push(n.params as never);
    });
    await legacy.setLoggingLevel('debug');
    for (const server of ['mstdio', 'mhttp']) await legacy.callTool({ name: `${server}_1mcp_log`, arguments: { level: 'debug', message: `debug from ${server}` } });
    await waitFor(() => lines.length >= 2, { what: 'two debug lines' });
    expect(lines.map((l) => [l.logger, l.data]).sort()).toEqual([
      ['mhttp/fixture', 'debug from mhttp'],
      ['mstdio/fixture', 'debug from mstdio'],
    ]);
    lines.length = 0;
    await legacy.setLoggingLevel('warning');
    await legacy.callTool({ name: 'mstdio_1mcp_log', arguments: { level: 'info', message: 'filtered' } });
    await legacy.callTool({ name: 'mstdio_1mcp_log', arguments: { level: 'warning', message: 'kept' } });
    await waitFor(() => lines.length >= 1, { what: 'the warning line' });
    expect(lines.map((l) => l.data)).toEqual(['kept']);
  });

  test("a modern backend's progress reaches the legacy caller, and the caller's cancellation reaches the backend", async () => {
    for (const server of ['mstdio', 'mhttp']) {
      const progress: number[] = [];
      const done = await legacy.callTool({ name: `${server}_1mcp_slow`, arguments: { ms: 150 } }, undefined, { onprogress: (p) => progress.push(p.progress) });
      expect(textOf(done)).toBe('done');
      expect(progress).toEqual([1, 2, 3]);

      const stats = async () => JSON.parse(textOf(await legacy.callTool({ name: `${server}_1mcp_stats`, arguments: {} }))) as { started: number; cancelled: string[] };
      const startedBefore = (await stats()).started;
      const controller = new AbortController();
      const cancelledCall = legacy.callTool({ name: `${server}_1mcp_slow`, arguments: { ms: 30_000 } }, undefined, {
        signal: controller.signal,
        onprogress: () => {},
        timeout: 60_000,
      });
      cancelledCall.catch(() => {});
      await waitFor(async () => (await stats()).started > startedBefore, { what: `${server} to start the slow call` });
      controller.abort();
      await expect(cancelledCall).rejects.toThrow();
      const seen = await waitFor(async () => {
        const s = await stats();
        return s.cancelled.includes('slow') ? s : undefined;
      }, { what: `${server} to see the cancellation` });
      expect(seen.cancelled).toContain('slow');
    }
  });

  test('a modern stdio backend that exits is restarted and probed again', async () => {
    const before = JSON.parse(textOf(await legacy.callTool({ name: 'mstdio_1mcp_stats', arguments: {} }))).pid as number;
    await legacy.callTool({ name: 'mstdio_1mcp_crash', arguments: {} }).catch(() => {});
    const after = await waitFor(async () => {
      const r = await legacy.callTool({ name: 'mstdio_1mcp_stats', arguments: {} }).catch(() => undefined);
      const pid = r ? (JSON.parse(textOf(r)).pid as number) : undefined;
      return pid && pid !== before ? pid : undefined;
    }, { timeout: 15_000, what: 'mstdio to come back' });
    expect(after).not.toBe(before);
    expect(textOf(await legacy.callTool({ name: 'mstdio_1mcp_ask_name', arguments: {} }))).toContain('hello Ada');
  });
});

describe('modern backends: exact routing, fallback and the protocol field', () => {
  let serve: ServeHandle;
  const tokens: Record<string, string> = {};
  const clients: Client[] = [];
  /** The clients of the first test by token name (they connect concurrently: `clients` has no fixed order). */
  const byName: Record<string, Client> = {};
  let flaky: ReturnType<typeof spawnTracked> | undefined;
  let flakyPort = '';

  const startFlaky = async (port = '0') => {
    flaky = spawnTracked(BUN, [MODERN_FIXTURE, '--http', '--name', 'flaky', '--port', port]);
    flakyPort = (await readLine(flaky.stdout!, /^PORT (\d+)$/))[1]!;
  };
  const stopFlaky = async () => {
    if (!flaky?.pid) return;
    killTree(flaky.pid);
    await waitForExit(flaky).catch(() => {});
    flaky = undefined;
  };

  beforeAll(async () => {
    await startFlaky();
    serve = await startServe(
      {
        mcpServers: {
          // One instance per client session, each probed and spoken to in the modern era.
          persession: { command: BUN, args: [MODERN_FIXTURE, '--name', 'persession'], scope: 'session' },
          // A modern HTTP backend that goes away and comes back on the same port.
          flaky: { url: `http://127.0.0.1:${flakyPort}/mcp`, restartDelay: 100, maxRestarts: 0 },
          shared: { command: BUN, args: [MODERN_FIXTURE, '--name', 'shared'] },
          // Never answers server/discover: the probe gives up after half its connectionTimeout.
          silent: { command: BUN, args: [SILENT_FIXTURE], connectionTimeout: 4000 },
          // Exits when asked server/discover: started once more and initialized directly (no restart counted).
          quitter: { command: BUN, args: [SILENT_FIXTURE, '--exit-on-unknown'], restartOnExit: false },
          // The SDK v2 server speaks both eras: "legacy" makes serve skip the probe and initialize.
          pinned: { command: BUN, args: [MODERN_FIXTURE, '--name', 'pinned'], protocol: 'legacy' },
          // A legacy server required to be modern: it fails with a message that says why.
          insisted: { ...fixtureEntry(['--name', 'insisted']), protocol: 'modern', restartOnExit: false },
        },
      },
      { args: ['--enable-auth'] },
    );
    Object.assign(tokens, await createTokens(serve.dir, { alice: [], bob: [] }));
  });

  afterAll(async () => {
    for (const c of clients) await c.close().catch(() => {});
    await serve?.stop();
    await stopFlaky();
    await assertNoSurvivors();
  });

  async function statusOf(name: string): Promise<StatusRow & { lastError?: string }> {
    const r = await fetch(new URL(`/api/status`, serve.origin), { headers: { authorization: `Bearer ${tokens.alice}` } });
    const body = (await r.json()) as { servers: (StatusRow & { lastError?: string })[] };
    return body.servers.find((s) => s.name === name)!;
  }

  test('two clients with different tokens ask through the same shared modern backend at once: each gets its own question', async () => {
    // Each elicitation waits until both clients have been asked, so both calls are in flight together.
    const asked: string[] = [];
    let bothAsked!: () => void;
    const together = new Promise<void>((resolve) => (bothAsked = resolve));
    const connect = async (who: string) => {
      const client = await connectHttp(serve.url, {
        name: who,
        headers: { authorization: `Bearer ${tokens[who]}` },
        hooks: {
          elicitation: async () => {
            asked.push(who);
            if (asked.length === 2) bothAsked();
            await together;
            return { action: 'accept', content: { name: who } };
          },
        },
      });
      clients.push(client);
      byName[who] = client;
      return client;
    };
    const [alice, bob] = await Promise.all([connect('alice'), connect('bob')]);
    const [a, b] = await Promise.all([alice.callTool({ name: 'shared_1mcp_ask_name', arguments: {} }), bob.callTool({ name: 'shared_1mcp_ask_name', arguments: {} })]);
    expect(textOf(a)).toBe('hello alice (state asked-name)');
    expect(textOf(b)).toBe('hello bob (state asked-name)');
    expect(asked.sort()).toEqual(['alice', 'bob']);
  });

  test('"scope": "session" with a modern backend: each client session gets its own instance, and its own questions', async () => {
    // The two clients of the first test (their elicitation hooks answer with their own names).
    const alice = byName.alice!;
    const bob = byName.bob!;
    const pidOf = async (c: Client) => JSON.parse(textOf(await c.callTool({ name: 'persession_1mcp_stats', arguments: {} }))).pid as number;
    const [a, b] = await Promise.all([pidOf(alice), pidOf(bob)]);
    expect(a).not.toBe(b);
    const [x, y] = await Promise.all([alice.callTool({ name: 'persession_1mcp_ask_name', arguments: {} }), bob.callTool({ name: 'persession_1mcp_ask_name', arguments: {} })]);
    expect(textOf(x)).toBe('hello alice (state asked-name)');
    expect(textOf(y)).toBe('hello bob (state asked-name)');
  });

  test('a modern HTTP backend that goes away is noticed (its listen stream fails) and reconnected when it is back', async () => {
    const client = clients[0]!;
    expect(textOf(await client.callTool({ name: 'flaky_1mcp_echo', arguments: { text: 'one' } }))).toBe('echo: one');
    await stopFlaky();
    await waitFor(async () => (await statusOf('flaky')).state !== 'connected', { what: 'serve to notice that flaky is gone' });
    await startFlaky(flakyPort);
    await waitFor(async () => (await statusOf('flaky')).state === 'connected', { timeout: 15_000, what: 'flaky to be connected again' });
    expect((await statusOf('flaky')).protocol).toBe('2026-07-28');
    expect(textOf(await client.callTool({ name: 'flaky_1mcp_echo', arguments: { text: 'two' } }))).toBe('echo: two');
  });

  test('a backend that never answers server/discover falls back to initialize within the probe time', async () => {
    const row = await waitFor(async () => {
      const s = await statusOf('silent');
      return s.state === 'connected' ? s : undefined;
    }, { timeout: 15_000, what: 'the silent backend to connect' });
    expect(row.tools).toBe(1);
    const client = clients[0]!;
    expect(textOf(await client.callTool({ name: 'silent_1mcp_echo', arguments: { text: 'x' } }))).toBe('silent: x');
  });

  test('a stdio server that exits when probed is started once more and spoken to in the legacy era', async () => {
    const row = await waitFor(async () => {
      const s = await statusOf('quitter');
      return s.state === 'connected' ? s : undefined;
    }, { what: 'the quitter backend to connect' });
    expect(row.protocol).toBe('legacy');
    expect(row.restarts).toBe(0);
    expect(textOf(await clients[0]!.callTool({ name: 'quitter_1mcp_echo', arguments: { text: 'again' } }))).toBe('silent: again');
  });

  test('"protocol": "legacy" skips the probe (a both-era server is used through initialize); "modern" refuses a legacy server', async () => {
    const client = clients[0]!;
    expect(textOf(await client.callTool({ name: 'pinned_1mcp_echo', arguments: { text: 'old way' } }))).toBe('echo: old way');
    const insisted = await waitFor(async () => {
      const s = await statusOf('insisted');
      return s.state === 'error' ? s : undefined;
    }, { what: 'the insisted backend to fail' });
    expect(insisted.lastError).toContain('does not speak 2026-07-28 ("protocol": "modern")');
  });
});
