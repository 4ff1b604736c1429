/**
 * MCP 2026-07-28 ("modern") clients on the same /mcp as legacy ones (docs/protocol.md, "Two eras on one
 * endpoint"): raw fetch with the per-request `_meta` envelope against a real serve with two fixture backends.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { fixtureEntry } from '../helpers/fixture.ts';
import { connectHttp, textOf } from '../helpers/mcp-client.ts';
import { callModern, envelope, eventReader, modernHeaders, type ModernCall } from '../helpers/modern.ts';
import { waitFor } from '../helpers/processes.ts';
import { startServe, type ServeHandle } from '../helpers/serve.ts';
import { createTokens } from '../helpers/tokens.ts';

const ENVELOPE = envelope();

describe('2026-07-28 clients on /mcp', () => {
  let serve: ServeHandle;
  const tokens: Record<string, string> = {};

  /** One modern request; the answer message (for an event stream: the one with our id) and the HTTP response. */
  const modern = (method: string, params: Record<string, unknown> = {}, call: ModernCall = {}) => callModern(serve.url, method, params, { ...call, token: call.token ?? tokens.full });
  const toolNames = (r: { message: any }) => (r.message.result.tools as { name: string }[]).map((t) => t.name);

  beforeAll(async () => {
    serve = await startServe({ mcpServers: { files: fixtureEntry(['--name', 'files'], { tags: ['files'] }), web: fixtureEntry(['--name', 'web'], { tags: ['web'] }), conf: fixtureEntry(['--name', 'conf', '--conformance'], { tags: ['conf'] }) } }, { args: ['--enable-auth'] });
    Object.assign(tokens, await createTokens(serve.dir, { full: [], 'files-only': ['--tags', 'files'] }));
  });
  afterAll(async () => {
    await serve.stop();
  });

  test('server/discover without any handshake: versions of both eras, capabilities, serverInfo, cache hints', async () => {
    const r = await modern('server/discover');
    expect(r.status).toBe(200);
    expect(r.response.headers.get('mcp-session-id')).toBeNull();
    const result = r.message.result;
    expect(result.resultType).toBe('complete');
    expect(result.supportedVersions).toEqual(['2026-07-28', '2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05']);
    expect(result.capabilities.tools).toEqual({ listChanged: true });
    expect(result._meta['io.modelcontextprotocol/serverInfo'].name).toBe('1mcp');
    expect(result.ttlMs).toBeGreaterThanOrEqual(0);
    // With --enable-auth what a list holds depends on the token: never shared between callers.
    expect(result.cacheScope).toBe('private');
  });

  test('tools/list: ttlMs, cacheScope, sorted by name, the same list for the same URL and token', async () => {
    const first = await modern('tools/list');
    const names = toolNames(first);
    expect(names).toContain('files_1mcp_echo');
    expect(names).toContain('web_1mcp_echo');
    expect(names).toEqual([...names].sort());
    expect(first.message.result.ttlMs).toBeGreaterThanOrEqual(0);
    expect(first.message.result.cacheScope).toBe('private');
    const again = await modern('tools/list');
    expect(JSON.stringify(again.message.result)).toBe(JSON.stringify(first.message.result));
  });

  test('tools/call, prompts/get, resources/read and completion need no session', async () => {
    const call = await modern('tools/call', { name: 'files_1mcp_echo', arguments: { text: 'hi' } });
    expect(call.status).toBe(200);
    expect(call.response.headers.get('mcp-session-id')).toBeNull();
    expect(call.message.result.resultType).toBe('complete');
    expect(textOf(call.message.result)).toBe('hi');
    const prompt = await modern('prompts/get', { name: 'web_1mcp_greet', arguments: { name: 'Ada' } });
    expect(prompt.message.result.messages[0].content.text).toBe('Hello, Ada!');
    const read = await modern('resources/read', { uri: 'fixture://files/static' });
    expect(read.message.result.contents[0].text).toBe('static of files');
    expect(read.message.result).toMatchObject({ ttlMs: 0, cacheScope: 'private', resultType: 'complete' });
    const missing = await modern('resources/read', { uri: 'nothing://here' });
    expect(missing.message.error.code).toBe(-32602);
    expect(missing.message.error.data).toEqual({ uri: 'nothing://here' });
  });

  test('progress on the call\'s own event stream, then the result', async () => {
    const r = await modern('tools/call', { name: 'files_1mcp_slow', arguments: { ms: 100, steps: 3 } }, { meta: { progressToken: 'p1' } });
    expect(r.response.headers.get('content-type')).toContain('text/event-stream');
    const progress = r.messages.filter((m) => m.method === 'notifications/progress');
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.every((m) => m.params.progressToken === 'p1')).toBe(true);
    expect(r.messages.at(-1).id).toBe(r.message.id);
    expect(textOf(r.message.result)).toBe('done');
  });

  test('closing the response stream (or the request) cancels the call at the backend', async () => {
    const stats = async () => JSON.parse(textOf((await modern('tools/call', { name: 'web_1mcp_stats', arguments: {} })).message.result));
    const before = (await stats()).cancelled.length;
    // With progress: the answer is an event stream; drop it after the first progress event.
    const streamed = new AbortController();
    const params = { name: 'web_1mcp_slow', arguments: { ms: 20_000, steps: 200 }, _meta: { ...ENVELOPE, progressToken: 'c1' } };
    const response = await fetch(serve.url, { method: 'POST', headers: modernHeaders('tools/call', params, tokens.full), body: JSON.stringify({ jsonrpc: '2.0', id: 'c1', method: 'tools/call', params }), signal: streamed.signal });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const reader = response.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toContain('notifications/progress');
    streamed.abort();
    await reader.cancel().catch(() => {});
    await waitFor(async () => (await stats()).cancelled.length === before + 1, { what: 'the backend to see the cancellation' });
    // Without progress: a plain JSON answer that the client stops waiting for.
    const plain = new AbortController();
    const quiet = { name: 'web_1mcp_slow', arguments: { ms: 20_000 }, _meta: ENVELOPE };
    const pending = fetch(serve.url, { method: 'POST', headers: modernHeaders('tools/call', quiet, tokens.full), body: JSON.stringify({ jsonrpc: '2.0', id: 'c2', method: 'tools/call', params: quiet }), signal: plain.signal }).catch(() => undefined);
    await waitFor(async () => (await stats()).calls.filter((c: { name: string }) => c.name === 'slow').length === 2, { what: 'the second slow call to start' });
    plain.abort();
    await pending;
    await waitFor(async () => (await stats()).cancelled.length === before + 2, { what: 'the backend to see the second cancellation' });
  });

  test('routing headers are checked against the body (-32020, HTTP 400); base64 names are decoded', async () => {
    const noMethod = await modern('tools/list', {}, { headers: { 'mcp-method': null } });
    expect([noMethod.status, noMethod.message.error.code]).toEqual([400, -32020]);
    const wrongMethod = await modern('tools/list', {}, { headers: { 'mcp-method': 'prompts/list' } });
    expect([wrongMethod.status, wrongMethod.message.error.code]).toEqual([400, -32020]);
    const wrongName = await modern('tools/call', { name: 'files_1mcp_echo', arguments: { text: 'x' } }, { headers: { 'mcp-name': 'web_1mcp_echo' } });
    expect([wrongName.status, wrongName.message.error.code]).toEqual([400, -32020]);
    expect(wrongName.message.error.message).toContain("'web_1mcp_echo' does not match body value 'files_1mcp_echo'");
    const noName = await modern('tools/call', { name: 'files_1mcp_echo', arguments: { text: 'x' } }, { headers: { 'mcp-name': null } });
    expect([noName.status, noName.message.error.code]).toEqual([400, -32020]);
    const wrongVersion = await modern('tools/list', {}, { headers: { 'mcp-protocol-version': '2026-01-01' } });
    expect([wrongVersion.status, wrongVersion.message.error.code]).toEqual([400, -32020]);
    const encoded = `=?base64?${Buffer.from('files_1mcp_echo').toString('base64')}?=`;
    const ok = await modern('tools/call', { name: 'files_1mcp_echo', arguments: { text: 'b64' } }, { headers: { 'mcp-name': encoded } });
    expect(textOf(ok.message.result)).toBe('b64');
  });

  test('Mcp-Param-* headers of x-mcp-header parameters must match the arguments (-32020, HTTP 400)', async () => {
    const params = { name: 'conf_1mcp_test_header_param', arguments: { region: 'us-west1' } };
    const ok = await modern('tools/call', params, { headers: { 'mcp-param-region': 'us-west1' } });
    expect(textOf(ok.message.result)).toBe('region us-west1');
    const encoded = await modern('tools/call', { ...params, arguments: { region: 'Zürich' } }, { headers: { 'mcp-param-region': `=?base64?${Buffer.from('Zürich').toString('base64')}?=` } });
    expect(textOf(encoded.message.result)).toBe('region Zürich');
    const missing = await modern('tools/call', params);
    expect([missing.status, missing.message.error.code]).toEqual([400, -32020]);
    expect(missing.message.error.message).toContain('Mcp-Param-Region header is required');
    const wrong = await modern('tools/call', params, { headers: { 'mcp-param-region': 'eu-west1' } });
    expect([wrong.status, wrong.message.error.code]).toEqual([400, -32020]);
    const badBase64 = await modern('tools/call', params, { headers: { 'mcp-param-region': '=?base64?SGVsbG8?=' } });
    expect([badBase64.status, badBase64.message.error.code]).toEqual([400, -32020]);
  });

  test('envelope and version errors; removed and unknown methods', async () => {
    const noMeta = await modern('tools/list', {}, { meta: null });
    expect([noMeta.status, noMeta.message.error.code]).toEqual([400, -32602]);
    const noCaps = await modern('tools/list', {}, { meta: { 'io.modelcontextprotocol/clientCapabilities': undefined } });
    expect([noCaps.status, noCaps.message.error.code]).toEqual([400, -32602]);
    const unsupported = await modern('tools/list', {}, { meta: { 'io.modelcontextprotocol/protocolVersion': '2099-01-01' }, headers: { 'mcp-protocol-version': '2099-01-01' } });
    expect([unsupported.status, unsupported.message.error.code]).toEqual([400, -32022]);
    expect(unsupported.message.error.data).toEqual({ supported: ['2026-07-28', '2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05'], requested: '2099-01-01' });
    for (const method of ['initialize', 'ping', 'logging/setLevel', 'resources/subscribe', 'no/such-method']) {
      const r = await modern(method);
      expect([method, r.status, r.message.error.code]).toEqual([method, 404, -32601]);
    }
  });

  test('a sampling request from the backend during a call of a client without sampling: -32021, HTTP 400', async () => {
    const r = await modern('tools/call', { name: 'files_1mcp_sample', arguments: { prompt: 'hi' } });
    expect(r.status).toBe(400);
    expect(r.message.error.code).toBe(-32021);
    expect(r.message.error.data).toEqual({ requiredCapabilities: { sampling: {} } });
  });

  test('the view comes from the URL: ?tags=web lists and calls only web', async () => {
    const r = await modern('tools/list', {}, { query: '?tags=web' });
    const names = toolNames(r);
    expect(names.length).toBeGreaterThan(0);
    expect(names.every((n) => n.startsWith('web_'))).toBe(true);
    const outside = await modern('tools/call', { name: 'files_1mcp_echo', arguments: { text: 'x' } }, { query: '?tags=web' });
    expect(outside.message.error.code).toBe(-32602);
    const badView = await modern('tools/list', {}, { query: '?preset=nope' });
    expect(badView.status).toBe(400);
  });

  test('search mode (?discovery=search): the meta-tools are listed and call through to the backend', async () => {
    const listed = toolNames(await modern('tools/list', {}, { query: '?discovery=search' }));
    expect(listed).toEqual(['1mcp_call_tool', '1mcp_describe_tool', '1mcp_search_tools']);
    const found = await modern('tools/call', { name: '1mcp_search_tools', arguments: { query: 'echo text' } }, { query: '?discovery=search' });
    expect(found.message.result.structuredContent.tools.map((t: { name: string }) => t.name)).toContain('files_1mcp_echo');
    const called = await modern('tools/call', { name: '1mcp_call_tool', arguments: { name: 'files_1mcp_echo', arguments: { text: 'via search' } } }, { query: '?discovery=search' });
    expect(textOf(called.message.result)).toBe('via search');
    expect(called.message.result.resultType).toBe('complete');
  });

  test('the token narrows the view: a files-only token never sees or calls web', async () => {
    const r = await modern('tools/list', {}, { token: tokens['files-only'] });
    expect(toolNames(r).every((n) => n.startsWith('files_'))).toBe(true);
    const asked = await modern('tools/list', {}, { token: tokens['files-only'], query: '?tags=web' });
    expect(toolNames(asked)).toEqual([]);
    const call = await modern('tools/call', { name: 'web_1mcp_echo', arguments: { text: 'x' } }, { token: tokens['files-only'] });
    expect(call.message.error.code).toBe(-32602);
    const anonymous = await fetch(serve.url, { method: 'POST', headers: modernHeaders('tools/list', {}), body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: ENVELOPE } }) });
    expect(anonymous.status).toBe(401);
  });

  test('a legacy SDK client and a modern client on the same serve at once', async () => {
    const legacy = await connectHttp(serve.url, 'legacy-client', { authorization: `Bearer ${tokens.full}` });
    try {
      const [legacyCall, modernCall, legacyList, modernList] = await Promise.all([
        legacy.callTool({ name: 'files_1mcp_echo', arguments: { text: 'from legacy' } }),
        modern('tools/call', { name: 'files_1mcp_echo', arguments: { text: 'from modern' } }),
        legacy.listTools(),
        modern('tools/list'),
      ]);
      expect(textOf(legacyCall)).toBe('from legacy');
      expect(textOf(modernCall.message.result)).toBe('from modern');
      // The same tools in both eras (the modern list sorted by name).
      expect(legacyList.tools.map((t) => t.name).sort()).toEqual(toolNames(modernList));
      // The legacy session keeps working after modern traffic.
      expect(textOf(await legacy.callTool({ name: 'web_1mcp_echo', arguments: { text: 'still here' } }))).toBe('still here');
    } finally {
      await legacy.close();
    }
  });

  test('subscriptions/listen: acknowledged first, then list changes tagged with the subscription id', async () => {
    const abort = new AbortController();
    const response = await fetch(serve.url, {
      method: 'POST',
      headers: modernHeaders('subscriptions/listen', {}, tokens.full),
      body: JSON.stringify({ jsonrpc: '2.0', id: 'listen-1', method: 'subscriptions/listen', params: { _meta: ENVELOPE, notifications: { toolsListChanged: true, promptsListChanged: true, resourceSubscriptions: ['fixture://files/static'] } } }),
      signal: abort.signal,
    });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const reader = eventReader(response);
    const next = reader.next;
    try {
      const ack = await next();
      expect(ack.method).toBe('notifications/subscriptions/acknowledged');
      expect(ack.params._meta['io.modelcontextprotocol/subscriptionId']).toBe('listen-1');
      expect(ack.params.notifications).toEqual({ toolsListChanged: true, promptsListChanged: true, resourceSubscriptions: ['fixture://files/static'] });

      await modern('tools/call', { name: 'files_1mcp_touch', arguments: { uri: 'fixture://files/static' } });
      const updated = await next();
      expect(updated.method).toBe('notifications/resources/updated');
      expect(updated.params.uri).toBe('fixture://files/static');
      expect(updated.params._meta['io.modelcontextprotocol/subscriptionId']).toBe('listen-1');

      await modern('tools/call', { name: 'files_1mcp_change_tools', arguments: {} });
      const changed = await next();
      expect(changed.method).toBe('notifications/tools/list_changed');
      expect(changed.params._meta['io.modelcontextprotocol/subscriptionId']).toBe('listen-1');
      expect(toolNames(await modern('tools/list'))).toContain('files_1mcp_added_0');
    } finally {
      abort.abort();
      await reader.cancel().catch(() => {});
    }
  });

  test('open subscriptions/listen streams are bounded per token (100), like sessions: the next gets 503 until one closes', async () => {
    const open = (id: string) => {
      const abort = new AbortController();
      const params = { _meta: ENVELOPE, notifications: { toolsListChanged: true } };
      const response = fetch(serve.url, { method: 'POST', headers: modernHeaders('subscriptions/listen', params, tokens['files-only']), body: JSON.stringify({ jsonrpc: '2.0', id, method: 'subscriptions/listen', params }), signal: abort.signal });
      return { abort, response };
    };
    const streams = Array.from({ length: 100 }, (_, i) => open(`s${i}`));
    try {
      for (const s of streams) expect((await s.response).status).toBe(200);
      const refusal = await open('s100').response;
      expect(refusal.status).toBe(503);
      const refused = await refusal.json();
      expect(refused.error.message).toContain('too many open subscriptions/listen streams (at most 100 per token)');
      // Another token is not affected.
      const other = await modern('tools/list');
      expect(other.status).toBe(200);
      streams[0]!.abort.abort();
      await waitFor(async () => {
        const next = open('s101');
        const r = await next.response;
        next.abort.abort();
        return r.status === 200;
      }, { what: 'a place to free up after a stream closed' });
    } finally {
      for (const s of streams) s.abort.abort();
    }
  });

  test('the legacy path is untouched: initialize without the modern envelope opens a session', async () => {
    const r = await fetch(serve.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${tokens.full}` },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'legacy', version: '1' } } }),
    });
    expect(r.status).toBe(200);
    expect(r.headers.get('mcp-session-id')).toBeTruthy();
    await r.text();
  });
});
