/**
 * `1mcp proxy` relays whichever era its stdio client speaks (docs/protocol.md, "The proxy and modern clients"):
 * the SDK v2 client pinned to 2026-07-28 (server/discover, stateless requests with the `_meta` envelope,
 * progress, subscriptions/listen, cancellation) next to a legacy SDK v1 client, both through real proxy
 * processes to one real serve; and raw stdio lines (discover then initialize, garbage, Mcp-Param headers).
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { cliCommand, runCli } from '../helpers/cli.ts';
import { fixtureEntry } from '../helpers/fixture.ts';
import { textOf } from '../helpers/mcp-client.ts';
import { envelope } from '../helpers/modern.ts';
import { assertAllGone, descendantsOf, isAlive, waitFor } from '../helpers/processes.ts';
import { connectProxy, makeHome, serveInHome, startRawProxy } from '../helpers/proxy.ts';
import { startServe, type ServeHandle } from '../helpers/serve.ts';

const VERSION = '2026-07-28';
const ENVELOPE = envelope({}, 'raw-stdio');

const servers = {
  mcpServers: {
    web: fixtureEntry(['--name', 'web'], { tags: ['web'] }),
    files: fixtureEntry(['--name', 'files'], { tags: ['files'] }),
    conf: fixtureEntry(['--name', 'conf', '--conformance'], { tags: ['conf'] }),
  },
};

/** Every proxy process a test started, to check none survives. */
const started: number[] = [];

/**
 * No proxy outlives its client: the ones we started, and any other `proxy` child of this test process —
 * such as the short-lived sibling the SDK v2 stdio transport spawns for its server/discover probe.
 */
async function assertNoProxyLeft(): Promise<void> {
  const cmdline = (pid: number) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    } catch {
      return [];
    }
  };
  const proxies = descendantsOf(process.pid).filter((pid) => cmdline(pid).includes('proxy'));
  await assertAllGone([...new Set([...started, ...proxies])], 5000);
}

/** The SDK v2 client pinned to 2026-07-28, launching `1mcp proxy` over stdio (it probes on a sibling process first). */
async function connectModernProxy(home: string, cwd: string, args: string[] = [], setup: (client: Client) => void = () => {}, capabilities: Record<string, unknown> = {}) {
  const [command, ...pre] = cliCommand();
  const transport = new StdioClientTransport({ command: command!, args: [...pre, 'proxy', ...args], cwd, env: { HOME: home, PATH: process.env.PATH ?? '/usr/bin:/bin' }, stderr: 'pipe' });
  const client = new Client({ name: 'modern-proxy-test', version: '1.0.0' }, { capabilities, versionNegotiation: { mode: { pin: VERSION } } });
  setup(client);
  await client.connect(transport);
  started.push(transport.pid!);
  return { client, transport, pid: transport.pid! };
}

const names = (list: { tools: { name: string }[] }) => list.tools.map((t) => t.name).sort();

/** `1mcp proxy` as a raw process (tracked); its requests carry ENVELOPE unless told otherwise. */
function rawProxy(home: string, cwd: string, args: string[] = []) {
  const p = startRawProxy({ home, cwd, args });
  started.push(p.child.pid!);
  const request = (id: unknown, method: string, params: Record<string, unknown> = {}, meta: Record<string, unknown> | null = ENVELOPE) => p.request(id, method, params, meta);
  return { ...p, request };
}

describe('the proxy relays the 2026-07-28 era', () => {
  const { h } = serveInHome(servers, { prefix: '1mcp-home-modern-', afterStop: assertNoProxyLeft });

  test('a pinned SDK v2 client and a legacy SDK v1 client through two proxies at once: same lists, both call tools', async () => {
    const [modern, legacy] = await Promise.all([connectModernProxy(h.home, h.project), connectProxy({ home: h.home, cwd: h.project })]);
    started.push(legacy.pid);
    try {
      expect(modern.client.getProtocolEra()).toBe('modern');
      const discover = modern.client.getDiscoverResult()!;
      expect(discover.supportedVersions).toContain(VERSION);
      expect(modern.client.getServerVersion()?.name).toBe('1mcp');
      const [modernTools, legacyTools] = await Promise.all([modern.client.listTools(), legacy.client.listTools()]);
      expect(names(modernTools)).toEqual(names(legacyTools));
      expect(names(modernTools)).toContain('web_1mcp_echo');
      const [a, b] = await Promise.all([
        modern.client.callTool({ name: 'web_1mcp_echo', arguments: { text: 'modern' } }),
        legacy.client.callTool({ name: 'files_1mcp_echo', arguments: { text: 'legacy' } }),
      ]);
      expect(textOf(a)).toBe('modern');
      expect(textOf(b)).toBe('legacy');
      // Resources and prompts too, statelessly.
      const read = await modern.client.readResource({ uri: 'fixture://web/static' });
      expect(JSON.stringify(read.contents)).toContain('web');
      const prompt = await modern.client.getPrompt({ name: 'web_1mcp_greet', arguments: { name: 'Ada' } });
      expect(JSON.stringify(prompt.messages)).toContain('Ada');
    } finally {
      await Promise.all([modern.client.close(), legacy.client.close()]);
    }
    // The proxy saw no initialize from the modern client: no session was opened on serve for it.
    await waitFor(() => !isAlive(modern.pid), { timeout: 5000, what: 'the modern proxy to exit' });
  });

  test('tools/call with progress: the notifications arrive in order before the result', async () => {
    const { client } = await connectModernProxy(h.home, h.project);
    try {
      const progress: number[] = [];
      const result = await client.callTool({ name: 'web_1mcp_slow', arguments: { ms: 200, steps: 4 } }, { onprogress: (p) => progress.push(p.progress) });
      expect(textOf(result)).toBe('done');
      expect(progress.length).toBe(4);
      expect([...progress].sort((x, y) => x - y)).toEqual(progress);
    } finally {
      await client.close();
    }
  });

  test('subscriptions/listen over the proxy: a tools list change reaches the listener, tagged with its subscription', async () => {
    const { client } = await connectModernProxy(h.home, h.project);
    try {
      const changes: unknown[] = [];
      client.setNotificationHandler('notifications/tools/list_changed', (n) => void changes.push(n));
      const subscription = await client.listen({ toolsListChanged: true });
      expect(subscription.honoredFilter.toolsListChanged).toBe(true);
      const before = names(await client.listTools());
      await client.callTool({ name: 'web_1mcp_change_tools', arguments: {} });
      await waitFor(() => changes.length > 0, { what: 'notifications/tools/list_changed through the proxy' });
      const after = names(await client.listTools());
      expect(after.length).toBe(before.length + 1);
      await subscription.close();
      expect(await subscription.closed).toBe('local');
    } finally {
      await client.close();
    }
  });

  test('cancelling a call (notifications/cancelled over stdio) cancels it at the backend', async () => {
    const { client } = await connectModernProxy(h.home, h.project);
    try {
      const abort = new AbortController();
      const call = client.callTool({ name: 'files_1mcp_hang', arguments: {} }, { signal: abort.signal });
      // The backend has the call before we cancel it.
      await waitFor(async () => JSON.parse(textOf(await client.callTool({ name: 'files_1mcp_stats', arguments: {} }))).calls.some((c: { name: string }) => c.name === 'hang'), { what: 'the hang call to reach the backend' });
      abort.abort(new Error('no longer needed'));
      await expect(call).rejects.toThrow();
      await waitFor(async () => JSON.parse(textOf(await client.callTool({ name: 'files_1mcp_stats', arguments: {} }))).cancelled.includes('hang'), { what: 'the backend to see the cancellation' });
    } finally {
      await client.close();
    }
  });

  test('input_required through the proxy: a backend\'s sampling and elicitation reach the v2 client\'s handlers, its retry reaches the backend', async () => {
    const { client } = await connectModernProxy(
      h.home,
      h.project,
      [],
      (c) => {
        c.setRequestHandler('sampling/createMessage', async () => ({ role: 'assistant', content: { type: 'text', text: 'sampled through the proxy' }, model: 'm' }));
        c.setRequestHandler('elicitation/create', async () => ({ action: 'accept', content: { answer: 'yes' } }));
      },
      { sampling: {}, elicitation: {} },
    );
    try {
      expect(textOf(await client.callTool({ name: 'web_1mcp_sample', arguments: { prompt: 'hi' } }))).toBe('sampled through the proxy');
      const elicited = JSON.parse(textOf(await client.callTool({ name: 'files_1mcp_elicit', arguments: { message: 'ok?' } })));
      expect(elicited).toMatchObject({ action: 'accept', content: { answer: 'yes' } });
    } finally {
      await client.close();
    }
  });

  test('raw stdio: discover, then initialize (a client falling back to legacy) works in the same process', async () => {
    const p = rawProxy(h.home, h.project);
    try {
      const discovered = await p.request('d1', 'server/discover');
      expect(discovered.result.supportedVersions).toContain(VERSION);
      expect(discovered.result.supportedVersions).toContain('2025-06-18');
      expect(discovered.result._meta['io.modelcontextprotocol/serverInfo'].name).toBe('1mcp');
      const init = await p.request(1, 'initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'fallback', version: '1' } }, null);
      expect(init.result.protocolVersion).toBe('2025-06-18');
      p.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
      const legacyList = await p.request(2, 'tools/list', {}, null);
      const modernList = await p.request(3, 'tools/list');
      expect(legacyList.result.tools.map((t: { name: string }) => t.name).sort()).toEqual(modernList.result.tools.map((t: { name: string }) => t.name).sort());
      expect(modernList.result.resultType).toBe('complete');
      expect(modernList.result.ttlMs).toBeGreaterThan(0);
    } finally {
      await p.end();
    }
  });

  test('raw stdio: garbage lines get a JSON-RPC error and the proxy goes on', async () => {
    const p = rawProxy(h.home, h.project);
    try {
      p.send('this is not json');
      p.send('42');
      p.send('{"id":7,"method":"tools/list"}');
      p.send('{"jsonrpc":"2.0","id":8}');
      await waitFor(() => p.received.length >= 4, { what: 'four errors' });
      expect(p.received[0].error.code).toBe(-32700);
      expect(p.received.slice(1).map((m) => m.error.code)).toEqual([-32600, -32600, -32600]);
      expect(p.received[1].id).toBeNull();
      expect(p.received[2].id).toBe(7);
      expect(p.received[2].error.message).toContain('"jsonrpc": "2.0"');
      // A modern request without the required _meta fields: serve's own error, for this id.
      const bare = await p.request(9, 'tools/list', {}, { 'io.modelcontextprotocol/protocolVersion': VERSION });
      expect(bare.error.code).toBe(-32602);
      // A version serve does not speak: the modern error that lists what it does (the client picks one).
      const future = await p.request(10, 'tools/list', {}, { ...ENVELOPE, 'io.modelcontextprotocol/protocolVersion': '2099-01-01' });
      expect(future.error.code).toBe(-32022);
      expect(future.error.data.supported).toContain(VERSION);
      // A version that cannot be an HTTP header: a clear error for this request, not "serve unreachable".
      const unsendable = await p.request(12, 'tools/list', {}, { ...ENVELOPE, 'io.modelcontextprotocol/protocolVersion': 'bad\nversion' });
      expect(unsendable.error.code).toBe(-32602);
      expect(unsendable.error.message).toContain('cannot be sent as an HTTP header');
      // Still alive and relaying.
      expect((await p.request(11, 'tools/call', { name: 'web_1mcp_echo', arguments: { text: 'still here' } })).result.content[0].text).toBe('still here');
    } finally {
      await p.end();
    }
  });

  test('raw stdio: the Mcp-Name and Mcp-Param-* headers are built from the body (a tool never listed, a non-ASCII value)', async () => {
    const p = rawProxy(h.home, h.project);
    try {
      // No tools/list first: the proxy learns the tool's x-mcp-header schema when serve asks for the header.
      const call = await p.request('c1', 'tools/call', { name: 'conf_1mcp_test_header_param', arguments: { region: 'Zürich ', query: 'q' } });
      expect(call.error).toBeUndefined();
      expect(JSON.stringify(call.result.content)).toContain('Zürich');
      const again = await p.request('c2', 'tools/call', { name: 'conf_1mcp_test_header_param', arguments: { region: 'us-west1' } });
      expect(JSON.stringify(again.result.content)).toContain('us-west1');
    } finally {
      await p.end();
    }
  });

  test('raw stdio: a call longer than --timeout (no progress, so serve answers only at the end) is not cut off', async () => {
    const p = rawProxy(h.home, h.project, ['--timeout', '300']);
    try {
      const call = await p.request('slow', 'tools/call', { name: 'web_1mcp_slow', arguments: { ms: 900 } });
      expect(call.error).toBeUndefined();
      expect(call.result.content[0].text).toBe('done');
    } finally {
      await p.end();
    }
  });

  test('legacy client: a call longer than --timeout is not cut off, nor sent to the backend twice', async () => {
    const { client, pid } = await connectProxy({ home: h.home, cwd: h.project, args: ['--timeout', '300'] });
    started.push(pid);
    try {
      const result = await client.callTool({ name: 'files_1mcp_slow', arguments: { ms: 900, steps: 1 } });
      expect(textOf(result)).toBe('done');
      const stats = JSON.parse(textOf(await client.callTool({ name: 'files_1mcp_stats', arguments: {} })));
      expect(stats.calls.filter((c: { name: string; args: { ms?: number } }) => c.name === 'slow' && c.args.ms === 900).length).toBe(1);
    } finally {
      await client.close();
    }
  });

  test('raw stdio: notifications/cancelled ends a listen stream; another one keeps getting changes', async () => {
    const p = rawProxy(h.home, h.project);
    const acked = (id: string) => waitFor(() => p.received.find((m) => m.method === 'notifications/subscriptions/acknowledged' && m.params._meta['io.modelcontextprotocol/subscriptionId'] === id), { what: `the acknowledgement of ${id}` });
    const changesFor = (id: string) => p.received.filter((m) => m.method === 'notifications/tools/list_changed' && m.params._meta['io.modelcontextprotocol/subscriptionId'] === id);
    try {
      const listen = (id: string) => p.send({ jsonrpc: '2.0', id, method: 'subscriptions/listen', params: { _meta: ENVELOPE, notifications: { toolsListChanged: true } } });
      listen('gone');
      await acked('gone');
      p.send({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 'gone', reason: 'done with it', _meta: ENVELOPE } });
      listen('kept');
      await acked('kept');
      await p.request('change', 'tools/call', { name: 'web_1mcp_change_tools', arguments: {} });
      await waitFor(() => changesFor('kept').length > 0, { what: 'the change on the listen stream that stayed' });
      expect(changesFor('gone')).toEqual([]);
      // Nothing answers a cancelled request, not even an error.
      expect(p.received.some((m) => m.id === 'gone')).toBe(false);
    } finally {
      await p.end();
    }
  });

  test('raw stdio: an open subscriptions/listen does not hold the proxy after stdin ends', async () => {
    const p = rawProxy(h.home, h.project);
    p.send({ jsonrpc: '2.0', id: 'l1', method: 'subscriptions/listen', params: { _meta: ENVELOPE, notifications: { toolsListChanged: true } } });
    await waitFor(() => p.received.find((m) => m.method === 'notifications/subscriptions/acknowledged'), { what: 'the acknowledgement' });
    const ack = p.received.find((m) => m.method === 'notifications/subscriptions/acknowledged');
    expect(ack.params._meta['io.modelcontextprotocol/subscriptionId']).toBe('l1');
    p.child.stdin.end();
    await waitFor(() => p.child.exitCode !== null, { timeout: 3000, what: 'the proxy to exit although a listen stream was open' });
    expect(descendantsOf(p.child.pid!)).toEqual([]);
  });
});

describe('when serve stops, is silent, or is not there', () => {
  const h = makeHome('1mcp-home-modern-');
  afterAll(async () => {
    await assertNoProxyLeft();
    rmSync(h.home, { recursive: true, force: true });
  });

  test('the client gets notifications/cancelled for its subscription (the stdio teardown), and the proxy survives', async () => {
    const serve = await startServe({ mcpServers: { web: fixtureEntry(['--name', 'web']) } }, { dir: h.configDir });
    const p = rawProxy(h.home, h.project, ['--url', serve.url]);
    try {
      p.send({ jsonrpc: '2.0', id: 'sub', method: 'subscriptions/listen', params: { _meta: ENVELOPE, notifications: { toolsListChanged: true } } });
      await waitFor(() => p.received.find((m) => m.method === 'notifications/subscriptions/acknowledged'), { what: 'the acknowledgement' });
      await serve.stop();
      const ended = await waitFor(() => p.received.find((m) => m.method === 'notifications/cancelled' || m.id === 'sub'), { what: 'the end of the subscription' });
      if (ended.method === 'notifications/cancelled') expect(ended.params.requestId).toBe('sub');
      else expect(ended.result.resultType).toBe('complete'); // serve closed it gracefully
      // Without serve, a request gets an error that says what to do; the proxy is still there.
      const lost = await p.request('t', 'tools/list');
      expect(lost.error.message).toContain('1mcp serve');
      expect(p.child.exitCode).toBeNull();
    } finally {
      await p.end();
    }
  });

  test('the SDK v2 client sees its subscription end when serve stops under the proxy', async () => {
    const serve = await startServe({ mcpServers: { web: fixtureEntry(['--name', 'web']) } }, { dir: h.configDir });
    const { client } = await connectModernProxy(h.home, h.project);
    try {
      const subscription = await client.listen({ toolsListChanged: true });
      await serve.stop();
      mkdirSync(h.configDir, { recursive: true }); // stop() removes the config dir
      // Not 'local' (the client did not close it): the server side ended it, and the client may listen again.
      expect(await subscription.closed).not.toBe('local');
    } finally {
      await client.close();
    }
  });

  test('serve restarted on another port: the next modern request finds it again (server.pid) and succeeds', async () => {
    const first = await startServe({ mcpServers: { web: fixtureEntry(['--name', 'web']) } }, { dir: h.configDir });
    const p = rawProxy(h.home, h.project);
    try {
      expect((await p.request('before', 'tools/list')).result.tools.length).toBeGreaterThan(0);
      const oldPort = first.port;
      await first.stop();
      mkdirSync(h.configDir, { recursive: true }); // stop() removes the config dir
      const second = await startServe({ mcpServers: { files: fixtureEntry(['--name', 'files']) } }, { dir: h.configDir });
      try {
        expect(second.port).not.toBe(oldPort);
        const after = await p.request('after', 'tools/list');
        expect(after.result.tools.map((t: { name: string }) => t.name)).toContain('files_1mcp_echo');
      } finally {
        await second.stop();
        mkdirSync(h.configDir, { recursive: true });
      }
    } finally {
      await p.end();
    }
  });

  test('a serve that takes a request and sends nothing within --timeout: an error naming the limit, and the request is not sent twice', async () => {
    const held: ServerResponse[] = [];
    let posts = 0;
    const silent = createServer((req, res) => {
      posts++;
      held.push(res); // never answered
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/mcp`;
    const p = rawProxy(h.home, h.project, ['--url', url, '--timeout', '300']);
    try {
      const list = await p.request('quiet', 'tools/list');
      expect(list.error.message).toContain('did not answer tools/list within 300 ms');
      expect(posts).toBe(1);
    } finally {
      await p.end();
      for (const res of held) res.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  test('no serve at all: server/discover is still answered (the client keeps the proxy), a list names the problem', async () => {
    const p = rawProxy(h.home, h.project);
    try {
      const discovered = await p.request('d', 'server/discover');
      expect(discovered.result.supportedVersions).toContain(VERSION);
      expect(discovered.result.instructions).toContain('1mcp serve');
      expect(discovered.result.ttlMs).toBe(0);
      const list = await p.request('l', 'tools/list');
      expect(list.error.code).toBe(-32000);
      expect(list.error.message).toContain('start it with "1mcp serve"');
    } finally {
      await p.end();
    }
  });
});

describe('the view and the token for modern requests', () => {
  const h = makeHome('1mcp-home-modern-');
  let serve: ServeHandle;
  let token = '';
  beforeAll(async () => {
    serve = await startServe(servers, { dir: h.configDir, args: ['--enable-auth'] });
    const created = await runCli(['auth', 'token', 'create', '--name', 'proxy-modern', '--config-dir', serve.dir]);
    expect(created.code).toBe(0);
    token = created.stdout.trim();
  });
  afterAll(async () => {
    await serve.stop();
    await assertNoProxyLeft();
    rmSync(h.home, { recursive: true, force: true });
  });

  test('.1mcprc tags and --token: modern lists are the view, the token goes along; without it, a 401 that says what to do', async () => {
    writeFileSync(join(h.project, '.1mcprc'), JSON.stringify({ tags: 'web' }));
    const withToken = rawProxy(h.home, h.project, ['--token', token]);
    const without = rawProxy(h.home, h.project);
    try {
      const list = await withToken.request('w', 'tools/list');
      const listed: string[] = list.result.tools.map((t: { name: string }) => t.name);
      expect(listed.length).toBeGreaterThan(0);
      expect(listed.every((name) => name.startsWith('web_1mcp_'))).toBe(true);
      expect(list.result.cacheScope).toBe('private');
      const refused = await without.request('n', 'tools/list');
      expect(refused.error.code).toBe(-32000);
      expect(refused.error.message).toContain('requires a bearer token');
      expect(refused.error.message).toContain('--token');
    } finally {
      rmSync(join(h.project, '.1mcprc'), { force: true });
      for (const p of [withToken, without]) p.child.stdin.end();
      await waitFor(() => withToken.child.exitCode !== null && without.child.exitCode !== null, { what: 'the proxies to exit at end of input' });
    }
  });

  test('a .1mcprc url that is not approved: server/discover is refused with the way to approve it, nothing is sent', async () => {
    writeFileSync(join(h.project, '.1mcprc'), JSON.stringify({ url: 'https://mcp.example.invalid' }));
    const p = rawProxy(h.home, h.project, ['--token', token]);
    try {
      const discovered = await p.request('d', 'server/discover');
      expect(discovered.error.message).toContain('1mcp trust https://mcp.example.invalid');
    } finally {
      rmSync(join(h.project, '.1mcprc'), { force: true });
      await p.end();
    }
  });
});
