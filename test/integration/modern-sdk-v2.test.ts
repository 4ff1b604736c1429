/**
 * The official SDK v2 client pinned to 2026-07-28 against serve over Streamable HTTP, next to a legacy SDK v1
 * client on the same serve at the same time (docs/protocol.md, "Two eras on one endpoint"): the same URL and
 * token give the same lists in both eras; calls with progress, resources, prompts, completion and
 * subscriptions/listen work; a tag-scoped token narrows both eras alike. Every HTTP exchange of the v2
 * client is recorded, so the test also checks what serve answers on the wire (no session id, no GET).
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { GREET_NAMES } from '../fixtures/mcp-server.ts';
import { fixtureEntry } from '../helpers/fixture.ts';
import { connectHttp, textOf } from '../helpers/mcp-client.ts';
import { waitFor } from '../helpers/processes.ts';
import { startServe, type ServeHandle } from '../helpers/serve.ts';
import { createTokens } from '../helpers/tokens.ts';

const VERSION = '2026-07-28';

interface Exchange {
  method: string;
  rpc?: string;
  status: number;
  sessionId: string | null;
  contentType: string | null;
}

/** The v2 client pinned to the modern era, with a fetch that records each exchange. */
async function connectModern(url: string, token: string, exchanges: Exchange[] = []) {
  const recording = async (input: string | URL | Request, init?: RequestInit) => {
    const response = await fetch(input, init);
    let rpc: string | undefined;
    try {
      rpc = JSON.parse(String(init?.body ?? '{}')).method;
    } catch {}
    exchanges.push({ method: init?.method ?? 'GET', rpc, status: response.status, sessionId: response.headers.get('mcp-session-id'), contentType: response.headers.get('content-type') });
    return response;
  };
  const client = new Client({ name: 'sdk-v2-modern', version: '1.0.0' }, { versionNegotiation: { mode: { pin: VERSION } } });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { authorization: `Bearer ${token}` } }, fetch: recording as typeof fetch }));
  return { client, exchanges };
}

const sortedNames = (items: { name?: string; uri?: string; uriTemplate?: string }[]) => items.map((i) => i.name ?? i.uri ?? i.uriTemplate).sort();

describe('SDK v2 client (2026-07-28) and SDK v1 client (legacy) on one serve', () => {
  let serve: ServeHandle;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    serve = await startServe(
      // 90 extra tools: more than one page (100) when ?pagination=true.
      { mcpServers: { web: fixtureEntry(['--name', 'web', '--tools', '90'], { tags: ['web'] }), files: fixtureEntry(['--name', 'files'], { tags: ['files'] }), conf: fixtureEntry(['--name', 'conf', '--conformance'], { tags: ['conf'] }) } },
      { args: ['--enable-auth'] },
    );
    Object.assign(tokens, await createTokens(serve.dir, { full: [], 'files-only': ['--tags', 'files'] }));
  });
  afterAll(async () => {
    await serve.stop();
  });

  test('connect: server/discover, the modern era, no session — and the same lists as a legacy client for the same URL and token', async () => {
    const exchanges: Exchange[] = [];
    const [{ client: modern }, legacy] = await Promise.all([connectModern(serve.url, tokens.full!, exchanges), connectHttp(serve.url, 'sdk-v1-legacy', { authorization: `Bearer ${tokens.full}` })]);
    try {
      expect(modern.getProtocolEra()).toBe('modern');
      expect(modern.getServerVersion()?.name).toBe('1mcp');
      expect(modern.getDiscoverResult()?.supportedVersions).toContain(VERSION);
      const [mt, lt, mp, lp, mr, lr, mtp, ltp] = await Promise.all([
        modern.listTools(),
        legacy.listTools(),
        modern.listPrompts(),
        legacy.listPrompts(),
        modern.listResources(),
        legacy.listResources(),
        modern.listResourceTemplates(),
        legacy.listResourceTemplates(),
      ]);
      expect(sortedNames(mt.tools)).toEqual(sortedNames(lt.tools));
      expect(sortedNames(mp.prompts)).toEqual(sortedNames(lp.prompts));
      expect(sortedNames(mr.resources)).toEqual(sortedNames(lr.resources));
      expect(sortedNames(mtp.resourceTemplates)).toEqual(sortedNames(ltp.resourceTemplates));
      expect(sortedNames(mt.tools)).toContain('web_1mcp_echo');
      // The definitions are the same too, not only the names (annotations, schemas pass through in both eras).
      const fancy = (list: { tools: { name: string }[] }) => list.tools.find((t) => t.name === 'web_1mcp_fancy');
      expect(fancy(mt)).toMatchObject(fancy(lt) as object);
      // On the wire: every exchange was a POST answered without a session id (nothing stateful was opened).
      expect(exchanges.length).toBeGreaterThan(0);
      expect(exchanges.every((e) => e.method === 'POST' && e.sessionId === null)).toBe(true);
      expect(exchanges.map((e) => e.rpc)).toContain('server/discover');
      expect(exchanges.every((e) => e.status === 200)).toBe(true);
    } finally {
      await Promise.all([modern.close(), legacy.close()]);
    }
  });

  test('?pagination=true: the v2 client follows the cursor; the whole list equals the legacy client\'s pages', async () => {
    const exchanges: Exchange[] = [];
    const url = `${serve.url}?pagination=true`;
    const { client: modern } = await connectModern(url, tokens.full!, exchanges);
    const legacy = await connectHttp(url, 'sdk-v1-paged', { authorization: `Bearer ${tokens.full}` });
    try {
      const all = (await modern.listTools()).tools;
      const legacyAll: { name: string }[] = [];
      let cursor: string | undefined;
      do {
        const page = await legacy.listTools(cursor ? { cursor } : {});
        legacyAll.push(...page.tools);
        cursor = page.nextCursor;
      } while (cursor);
      expect(all.length).toBeGreaterThan(100);
      // The same tools; the modern list in its stable order (by name) across both pages.
      expect(all.map((t): string | undefined => t.name)).toEqual(sortedNames(legacyAll));
      expect(exchanges.filter((e) => e.rpc === 'tools/list').length).toBe(2);
    } finally {
      await Promise.all([modern.close(), legacy.close()]);
    }
  });

  test('calls (with progress), resources, prompts and completion, while a legacy client calls too', async () => {
    const { client: modern } = await connectModern(serve.url, tokens.full!);
    const legacy = await connectHttp(serve.url, 'sdk-v1-legacy', { authorization: `Bearer ${tokens.full}` });
    try {
      const progress: number[] = [];
      const [slow, echo, legacyEcho] = await Promise.all([
        modern.callTool({ name: 'web_1mcp_slow', arguments: { ms: 200, steps: 3 } }, { onprogress: (p) => progress.push(p.progress) }),
        modern.callTool({ name: 'files_1mcp_echo', arguments: { text: 'v2' } }),
        legacy.callTool({ name: 'files_1mcp_echo', arguments: { text: 'v1' } }),
      ]);
      expect(textOf(slow)).toBe('done');
      expect(progress.length).toBe(3);
      expect(textOf(echo)).toBe('v2');
      expect(textOf(legacyEcho)).toBe('v1');
      const fancy = await modern.callTool({ name: 'web_1mcp_fancy', arguments: {} });
      expect(fancy.structuredContent).toBeDefined();

      const read = await modern.readResource({ uri: 'fixture://files/item/42' });
      expect(JSON.stringify(read.contents)).toContain('item 42');
      const prompt = await modern.getPrompt({ name: 'web_1mcp_greet', arguments: { name: 'Ada' } });
      expect(JSON.stringify(prompt.messages)).toContain('Ada');
      const prefix = GREET_NAMES[0]!.slice(0, 1);
      const [mc, lc] = await Promise.all([
        modern.complete({ ref: { type: 'ref/prompt', name: 'web_1mcp_greet' }, argument: { name: 'name', value: prefix } }),
        legacy.complete({ ref: { type: 'ref/prompt', name: 'web_1mcp_greet' }, argument: { name: 'name', value: prefix } }),
      ]);
      expect(mc.completion.values).toEqual(lc.completion.values);
      expect(mc.completion.values).toContain(GREET_NAMES[0]!);

      // Errors keep their shape: an unknown tool is a protocol error, not a hang or an HTTP failure.
      await expect(modern.callTool({ name: 'nope_1mcp_nothing', arguments: {} })).rejects.toThrow(/unknown tool/);
      await expect(modern.readResource({ uri: 'fixture://nowhere/static' })).rejects.toThrow(/unknown resource/);
    } finally {
      await Promise.all([modern.close(), legacy.close()]);
    }
  });

  test('subscriptions/listen: list changes and resource updates reach the modern listener; the legacy session gets its own', async () => {
    const { client: modern } = await connectModern(serve.url, tokens.full!);
    const legacyChanges: unknown[] = [];
    const legacy = await connectHttp(serve.url, 'sdk-v1-legacy', { authorization: `Bearer ${tokens.full}` });
    legacy.setNotificationHandler(ToolListChangedNotificationSchema, () => void legacyChanges.push(1));
    try {
      const changes: unknown[] = [];
      const updates: { uri: string }[] = [];
      modern.setNotificationHandler('notifications/tools/list_changed', (n) => void changes.push(n));
      modern.setNotificationHandler('notifications/resources/updated', (n) => void updates.push(n.params as { uri: string }));
      const subscription = await modern.listen({ toolsListChanged: true, resourceSubscriptions: ['fixture://web/static'] });
      expect(subscription.honoredFilter).toEqual({ toolsListChanged: true, resourceSubscriptions: ['fixture://web/static'] });
      const before = (await modern.listTools()).tools.length;
      await legacy.listTools(); // the legacy session now knows the list, so a change is news to it
      await legacy.callTool({ name: 'web_1mcp_change_tools', arguments: {} });
      await waitFor(() => changes.length > 0 && legacyChanges.length > 0, { what: 'tools/list_changed on the listen stream and on the legacy session' });
      // After the change the modern list has the new tool, like the legacy one: the client's list cache (ttlMs) is dropped on list_changed.
      const [after, legacyAfter] = await Promise.all([modern.listTools(), legacy.listTools()]);
      expect(after.tools.length).toBe(before + 1);
      expect(sortedNames(after.tools)).toEqual(sortedNames(legacyAfter.tools));
      await modern.callTool({ name: 'web_1mcp_touch', arguments: { uri: 'fixture://web/static' } });
      await waitFor(() => updates.some((u) => u.uri === 'fixture://web/static'), { what: 'resources/updated on the listen stream' });
      await subscription.close();
      expect(await subscription.closed).toBe('local');
    } finally {
      await Promise.all([modern.close(), legacy.close()]);
    }
  });

  test('x-mcp-header: the Mcp-Param-* headers the v2 client writes (plain and base64) are the ones serve checks', async () => {
    const { client: modern } = await connectModern(serve.url, tokens.full!);
    try {
      for (const region of ['us-west1', 'Zürich ', '=?base64?x?=']) {
        const result = await modern.callTool({ name: 'conf_1mcp_test_header_param', arguments: { region, query: 'q' } });
        expect(textOf(result)).toBe(`region ${region}`);
      }
    } finally {
      await modern.close();
    }
  });

  test('the v2 client abandoning a call (its signal) cancels it at the backend', async () => {
    const { client: modern } = await connectModern(serve.url, tokens.full!);
    try {
      const stats = async () => JSON.parse(textOf(await modern.callTool({ name: 'files_1mcp_stats', arguments: {} })));
      const abort = new AbortController();
      const call = modern.callTool({ name: 'files_1mcp_hang', arguments: {} }, { signal: abort.signal });
      await waitFor(async () => (await stats()).calls.some((c: { name: string }) => c.name === 'hang'), { what: 'the call to reach the backend' });
      abort.abort(new Error('changed my mind'));
      await expect(call).rejects.toThrow();
      await waitFor(async () => (await stats()).cancelled.includes('hang'), { what: 'the backend to see the cancellation' });
    } finally {
      await modern.close();
    }
  });

  test('a tag-scoped token: both eras see and call only what its tags allow', async () => {
    const { client: modern } = await connectModern(serve.url, tokens['files-only']!);
    const legacy = await connectHttp(serve.url, 'sdk-v1-scoped', { authorization: `Bearer ${tokens['files-only']}` });
    try {
      const [mt, lt] = await Promise.all([modern.listTools(), legacy.listTools()]);
      expect(sortedNames(mt.tools)).toEqual(sortedNames(lt.tools));
      expect(mt.tools.every((t) => t.name.startsWith('files_1mcp_'))).toBe(true);
      expect(textOf(await modern.callTool({ name: 'files_1mcp_echo', arguments: { text: 'mine' } }))).toBe('mine');
      await expect(modern.callTool({ name: 'web_1mcp_echo', arguments: { text: 'theirs' } })).rejects.toThrow(/unknown tool/);
      await expect(modern.readResource({ uri: 'fixture://web/static' })).rejects.toThrow();
    } finally {
      await Promise.all([modern.close(), legacy.close()]);
    }
  });

  test('a wrong token: the v2 client fails to connect with a 401, it does not fall back or hang', async () => {
    const client = new Client({ name: 'sdk-v2-bad-token', version: '1.0.0' }, { versionNegotiation: { mode: { pin: VERSION } } });
    await expect(client.connect(new StreamableHTTPClientTransport(new URL(serve.url), { requestInit: { headers: { authorization: 'Bearer not-a-token' } } }))).rejects.toThrow();
    await client.close().catch(() => {});
  });
});

describe('a server with "scope": "session" and modern clients', () => {
  let serve: ServeHandle;
  beforeAll(async () => {
    serve = await startServe({ mcpServers: { shared: fixtureEntry(['--name', 'shared']), mine: fixtureEntry(['--name', 'mine'], { scope: 'session' }) } });
  });
  afterAll(async () => {
    await serve.stop();
  });

  test('stays refused for a stateless client, with an error saying what to do; a legacy session gets its own instance as before', async () => {
    const client = new Client({ name: 'sdk-v2-per-session', version: '1.0.0' }, { versionNegotiation: { mode: { pin: VERSION } } });
    await client.connect(new StreamableHTTPClientTransport(new URL(serve.url)));
    const legacy = await connectHttp(serve.url, 'sdk-v1-per-session');
    try {
      // Listed in both eras alike (lists depend on the URL and token only)…
      const [mt, lt] = await Promise.all([client.listTools(), legacy.listTools()]);
      expect(sortedNames(mt.tools)).toEqual(sortedNames(lt.tools));
      expect(sortedNames(mt.tools)).toContain('mine_1mcp_echo');
      // …but a call has no session to bind an instance to.
      const refused = await client.callTool({ name: 'mine_1mcp_echo', arguments: { text: 'x' } }).then(
        () => undefined,
        (error: Error) => error.message,
      );
      expect(refused).toContain('"scope": "session"');
      expect(refused).toContain('"initialize"');
      expect(refused).toContain('mcp.json');
      // The shared server next to it works for the same client; the legacy session uses its own instance.
      expect(textOf(await client.callTool({ name: 'shared_1mcp_echo', arguments: { text: 'shared' } }))).toBe('shared');
      expect(textOf(await legacy.callTool({ name: 'mine_1mcp_echo', arguments: { text: 'legacy' } }))).toBe('legacy');
    } finally {
      await Promise.all([client.close(), legacy.close()]);
    }
  });
});
