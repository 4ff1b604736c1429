/**
 * input_required bridging (docs/protocol.md, "input_required bridging"): a legacy backend's sampling,
 * elicitation or roots request during a 2026-07-28 client's call becomes that call's `input_required`
 * result, and the client's retry answers the pending backend request. Against a real serve (source mode,
 * --enable-auth) fronting fixture backends over stdio and Streamable HTTP; raw fetch with modern envelopes,
 * the SDK v2 client pinned to 2026-07-28, and a legacy SDK v1 client on the same serve at the same time.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { fixtureEntry, startHttpFixture, type HttpFixture } from '../helpers/fixture.ts';
import { connectHttp, textOf } from '../helpers/mcp-client.ts';
import { callModern } from '../helpers/modern.ts';
import { startServe, type ServeHandle } from '../helpers/serve.ts';
import { createTokens } from '../helpers/tokens.ts';

const VERSION = '2026-07-28';
const ALL_CAPS = { sampling: {}, elicitation: {}, roots: {} };

const sampled = (text: string) => ({ role: 'assistant', content: { type: 'text', text }, model: 'test-model', stopReason: 'endTurn' });
const accepted = (content: Record<string, unknown>) => ({ action: 'accept', content });

describe('input_required bridging for 2026-07-28 clients', () => {
  let serve: ServeHandle;
  let http: HttpFixture;
  const tokens: Record<string, string> = {};

  /** One modern request as raw fetch; the answer message (from JSON or the event stream). */
  async function modern(method: string, params: Record<string, unknown>, options: { token?: string; caps?: Record<string, unknown>; query?: string } = {}) {
    const r = await callModern(serve.url, method, params, { token: options.token ?? tokens.a, caps: options.caps ?? ALL_CAPS, clientName: 'raw', query: options.query });
    return { status: r.status, result: r.message?.result, error: r.message?.error };
  }

  /** Ask, check the one question is this prompt's, answer it; the final text. */
  async function sampleRound(token: string, tool: string, prompt: string, reply: string): Promise<string> {
    const first = await modern('tools/call', { name: tool, arguments: { prompt } }, { token });
    expect(first.result?.resultType).toBe('input_required');
    const [[key, question]] = Object.entries(first.result.inputRequests) as [string, any][];
    expect(question.method).toBe('sampling/createMessage');
    expect(question.params.messages[0].content.text).toBe(prompt);
    const done = await modern('tools/call', { name: tool, arguments: { prompt }, inputResponses: { [key]: sampled(reply) }, requestState: first.result.requestState }, { token });
    expect(done.result?.resultType).toBe('complete');
    return textOf(done.result);
  }

  beforeAll(async () => {
    http = await startHttpFixture('http', ['--name', 'ht']);
    serve = await startServe(
      {
        mcpServers: {
          st: fixtureEntry(['--name', 'st', '--conformance'], { tags: ['st'] }),
          ht: { url: http.url, tags: ['ht'] },
          short: fixtureEntry(['--name', 'short'], { requestTimeout: 1500 }),
          lg: fixtureEntry(['--name', 'lg']),
        },
      },
      { args: ['--enable-auth'] },
    );
    Object.assign(tokens, await createTokens(serve.dir, { a: [], b: [] }));
  });
  afterAll(async () => {
    await serve?.stop();
    await http?.stop();
  });

  test('a sampling request becomes input_required; the retry answers the pending backend request', async () => {
    const first = await modern('tools/call', { name: 'st_1mcp_sample', arguments: { prompt: 'ping' } });
    expect(first.status).toBe(200);
    const result = first.result;
    expect(result.resultType).toBe('input_required');
    expect(typeof result.requestState).toBe('string');
    expect(Object.keys(result.inputRequests)).toEqual(['sampling-1']);
    expect(result.inputRequests['sampling-1']).toEqual({ method: 'sampling/createMessage', params: { messages: [{ role: 'user', content: { type: 'text', text: 'ping' } }], maxTokens: 10 } });
    expect(result._meta['io.modelcontextprotocol/serverInfo'].name).toBe('1mcp');
    const done = await modern('tools/call', { name: 'st_1mcp_sample', arguments: { prompt: 'ping' }, inputResponses: { 'sampling-1': sampled('pong') }, requestState: result.requestState });
    expect(done.result.resultType).toBe('complete');
    expect(textOf(done.result)).toBe('pong');
  });

  test('several questions at once, missing answers asked again, multi-round; a used state is refused', async () => {
    const tool = 'st_1mcp_test_input_required_result_multiple_inputs';
    const first = await modern('tools/call', { name: tool, arguments: {} });
    expect(Object.keys(first.result.inputRequests).sort()).toEqual(['client_roots', 'greeting', 'user_name']);
    // The backend's own _meta key that named each question is not shown to the client.
    expect(first.result.inputRequests.user_name.params._meta).toBeUndefined();
    // Only one answer (plus an unknown key, ignored): the two others are asked again, under the same keys.
    const partial = await modern('tools/call', { name: tool, arguments: {}, inputResponses: { user_name: accepted({ name: 'Ada' }), nobody_asked: { x: 1 } }, requestState: first.result.requestState });
    expect(partial.result.resultType).toBe('input_required');
    expect(Object.keys(partial.result.inputRequests).sort()).toEqual(['client_roots', 'greeting']);
    expect(partial.result.requestState).not.toBe(first.result.requestState);
    const replay = await modern('tools/call', { name: tool, arguments: {}, inputResponses: { user_name: accepted({ name: 'Eve' }) }, requestState: first.result.requestState });
    expect(replay.error.code).toBe(-32602);
    expect(replay.error.message).toContain('already used');
    // A wrong kind of answer is refused, and the same state still works afterwards.
    const wrong = await modern('tools/call', { name: tool, arguments: {}, inputResponses: { greeting: { roots: [] }, client_roots: { roots: [] } }, requestState: partial.result.requestState });
    expect(wrong.error.code).toBe(-32602);
    expect(wrong.error.message).toContain('inputResponses["greeting"]');
    const done = await modern('tools/call', { name: tool, arguments: {}, inputResponses: { greeting: sampled('Hello'), client_roots: { roots: [{ uri: 'file:///w' }] } }, requestState: partial.result.requestState });
    expect(textOf(done.result)).toBe('Hello Ada (1 roots)');

    const multi = 'st_1mcp_test_input_required_result_multi_round';
    const r1 = await modern('tools/call', { name: multi, arguments: {} });
    expect(Object.keys(r1.result.inputRequests)).toEqual(['step1']);
    const r2 = await modern('tools/call', { name: multi, arguments: {}, inputResponses: { step1: accepted({ name: 'Ada' }) }, requestState: r1.result.requestState });
    expect(Object.keys(r2.result.inputRequests)).toEqual(['step2']);
    const r3 = await modern('tools/call', { name: multi, arguments: {}, inputResponses: { step2: accepted({ color: 'teal' }) }, requestState: r2.result.requestState });
    expect(textOf(r3.result)).toBe('Ada likes teal');
  });

  test('prompts/get and resources/read ask too', async () => {
    const first = await modern('prompts/get', { name: 'st_1mcp_test_input_required_result_prompt' });
    expect(first.result.resultType).toBe('input_required');
    const done = await modern('prompts/get', { name: 'st_1mcp_test_input_required_result_prompt', inputResponses: { user_context: accepted({ context: 'tests' }) }, requestState: first.result.requestState });
    expect(done.result.messages[0].content.text).toBe('Use this context: tests');

    const uri = 'fixture://st/item/ask-roots';
    const asked = await modern('resources/read', { uri });
    expect(asked.result.resultType).toBe('input_required');
    // An input_required result carries no cache hints; the final contents do (never cached).
    expect(asked.result.ttlMs).toBeUndefined();
    expect(asked.result.inputRequests['roots-1']).toEqual({ method: 'roots/list', params: {} });
    const read = await modern('resources/read', { uri, inputResponses: { 'roots-1': { roots: [{ uri: 'file:///r' }] } }, requestState: asked.result.requestState });
    expect([read.result.resultType, read.result.ttlMs, read.result.cacheScope]).toEqual(['complete', 0, 'private']);
    expect(JSON.parse(read.result.contents[0].text)).toEqual({ roots: [{ uri: 'file:///r' }] });
  });

  test('only what the client declared is asked; a call that fails for lack of it is -32021', async () => {
    const caps = await modern('tools/call', { name: 'st_1mcp_test_input_required_result_capabilities', arguments: {} }, { caps: { sampling: {} } });
    expect(Object.values(caps.result.inputRequests).map((q: any) => q.method)).toEqual(['sampling/createMessage']);
    const done = await modern('tools/call', { name: 'st_1mcp_test_input_required_result_capabilities', arguments: {}, inputResponses: { capital_question: sampled('Paris') }, requestState: caps.result.requestState }, { caps: { sampling: {} } });
    expect(textOf(done.result)).toBe('no elicitation; sampled Paris');
    const none = await modern('tools/call', { name: 'st_1mcp_sample', arguments: { prompt: 'x' } }, { caps: { elicitation: {} } });
    expect([none.status, none.error.code]).toEqual([400, -32021]);
    expect(none.error.data).toEqual({ requiredCapabilities: { sampling: {} } });
  });

  test('a URL-mode elicitation is asked only of a client that declared elicitation.url; its completion notice harms nothing', async () => {
    const params = { name: 'st_1mcp_elicit', arguments: { mode: 'url', message: 'sign in', elicitationId: 'e-42' } };
    const formOnly = await modern('tools/call', params, { caps: { elicitation: {} } });
    expect(formOnly.error.code).toBe(-32021);
    const first = await modern('tools/call', params, { caps: { elicitation: { url: {} } } });
    const question = first.result.inputRequests['elicitation-1'];
    expect([question.method, question.params.mode, question.params.elicitationId]).toEqual(['elicitation/create', 'url', 'e-42']);
    const done = await modern('tools/call', { ...params, inputResponses: { 'elicitation-1': { action: 'accept' } }, requestState: first.result.requestState }, { caps: { elicitation: { url: {} } } });
    expect(JSON.parse(textOf(done.result))).toEqual({ action: 'accept' });
    expect(textOf((await modern('tools/call', { name: 'st_1mcp_echo', arguments: { text: 'still here' } })).result)).toBe('still here');
  });

  test('requestState is tamper-proof and bound to the token, the view and the arguments', async () => {
    const params = { name: 'st_1mcp_sample', arguments: { prompt: 'bound' } };
    const first = await modern('tools/call', params);
    const state: string = first.result.requestState;
    const answers = { 'sampling-1': sampled('ok') };
    const tries = [
      await modern('tools/call', { ...params, inputResponses: answers, requestState: `${state}-TAMPERED` }),
      await modern('tools/call', { ...params, inputResponses: answers, requestState: `A${state}` }),
      await modern('tools/call', { ...params, inputResponses: answers, requestState: state }, { token: tokens.b }),
      await modern('tools/call', { ...params, inputResponses: answers, requestState: state }, { query: '?tags=st' }),
      await modern('tools/call', { ...params, arguments: { prompt: 'other' }, inputResponses: answers, requestState: state }),
      await modern('tools/call', { ...params, inputResponses: answers, requestState: 42 }),
    ];
    for (const t of tries) expect(t.error?.code).toBe(-32602);
    expect(tries[0]!.error.message).toContain('integrity check');
    expect(tries[2]!.error.message).toContain('belongs to another request');
    // None of that disturbed the pending call: the right retry completes it.
    const done = await modern('tools/call', { ...params, inputResponses: answers, requestState: state });
    expect(textOf(done.result)).toBe('ok');
    // A malformed inputResponses is refused before anything runs.
    for (const bad of [null, 'x', { k: 5 }]) expect((await modern('tools/call', { ...params, inputResponses: bad })).error.code).toBe(-32602);
  });

  test('a retry that never comes: after requestTimeout the backend call is cancelled, the state expires, the backend is free', async () => {
    const first = await modern('tools/call', { name: 'short_1mcp_elicit', arguments: { message: 'anyone?' } });
    expect(first.result.resultType).toBe('input_required');
    await Bun.sleep(2000);
    const late = await modern('tools/call', { name: 'short_1mcp_elicit', arguments: { message: 'anyone?' }, inputResponses: { 'elicitation-1': accepted({ ok: true }) }, requestState: first.result.requestState });
    expect(late.error.code).toBe(-32602);
    expect(late.error.message).toContain('expired');
    const stats = JSON.parse(textOf((await modern('tools/call', { name: 'short_1mcp_stats', arguments: {} })).result));
    expect(stats.cancelled).toContain('elicit');
    // Another token's call to the same backend is not held up by the abandoned one.
    const next = await modern('tools/call', { name: 'short_1mcp_elicit', arguments: { message: 'again' } }, { token: tokens.b });
    expect(next.result.inputRequests['elicitation-1'].params.message).toBe('again');
    const done = await modern('tools/call', { name: 'short_1mcp_elicit', arguments: { message: 'again' }, inputResponses: { 'elicitation-1': accepted({ ok: true }) }, requestState: next.result.requestState }, { token: tokens.b });
    expect(JSON.parse(textOf(done.result))).toEqual({ action: 'accept', content: { ok: true } });
  });

  for (const backend of ['st', 'ht'] as const) {
    test(`two tokens sampling one shared ${backend === 'st' ? 'stdio' : 'HTTP'} backend at once: each gets its own question and its answer reaches its call — while a legacy client samples beside them`, async () => {
      const legacy = await connectHttp(serve.url, { name: 'legacy', headers: { authorization: `Bearer ${tokens.a}` }, hooks: { sampling: (p) => `legacy saw ${JSON.stringify((p.messages[0]!.content as { text: string }).text)}` } });
      try {
        const tool = `${backend}_1mcp_sample`;
        const [a, b, c, d, l] = await Promise.all([
          sampleRound(tokens.a!, tool, 'question of A', 'answer for A'),
          sampleRound(tokens.b!, tool, 'question of B', 'answer for B'),
          sampleRound(tokens.a!, tool, 'second question of A', 'second answer for A'),
          sampleRound(tokens.b!, tool, 'second question of B', 'second answer for B'),
          legacy.callTool({ name: 'lg_1mcp_sample', arguments: { prompt: 'legacy question' } }),
        ]);
        expect([a, b, c, d]).toEqual(['answer for A', 'answer for B', 'second answer for A', 'second answer for B']);
        expect(textOf(l)).toBe('legacy saw "legacy question"');
      } finally {
        await legacy.close();
      }
    });
  }

  test('one token, two calls on one backend: the second runs while the first waits for its answer, and each answer reaches its own call', async () => {
    const tool = 'st_1mcp_sample';
    const first = await modern('tools/call', { name: tool, arguments: { prompt: 'first' } });
    const second = await modern('tools/call', { name: tool, arguments: { prompt: 'second' } });
    expect(first.result.inputRequests['sampling-1'].params.messages[0].content.text).toBe('first');
    expect(second.result.inputRequests['sampling-1'].params.messages[0].content.text).toBe('second');
    const secondDone = await modern('tools/call', { name: tool, arguments: { prompt: 'second' }, inputResponses: { 'sampling-1': sampled('to second') }, requestState: second.result.requestState });
    const firstDone = await modern('tools/call', { name: tool, arguments: { prompt: 'first' }, inputResponses: { 'sampling-1': sampled('to first') }, requestState: first.result.requestState });
    expect([textOf(firstDone.result), textOf(secondDone.result)]).toEqual(['to first', 'to second']);
  });

  test("one token, two multi-round calls: the resumed call's next question is its own, not the waiting call's", async () => {
    const tool = 'st_1mcp_test_input_required_result_multi_round';
    const x1 = await modern('tools/call', { name: tool, arguments: {} });
    const x2 = await modern('tools/call', { name: tool, arguments: {} });
    const x1Round2 = await modern('tools/call', { name: tool, arguments: {}, inputResponses: { step1: accepted({ name: 'One' }) }, requestState: x1.result.requestState });
    expect(Object.keys(x1Round2.result.inputRequests)).toEqual(['step2']);
    const x2Round2 = await modern('tools/call', { name: tool, arguments: {}, inputResponses: { step1: accepted({ name: 'Two' }) }, requestState: x2.result.requestState });
    const x2Done = await modern('tools/call', { name: tool, arguments: {}, inputResponses: { step2: accepted({ color: 'blue' }) }, requestState: x2Round2.result.requestState });
    const x1Done = await modern('tools/call', { name: tool, arguments: {}, inputResponses: { step2: accepted({ color: 'green' }) }, requestState: x1Round2.result.requestState });
    expect([textOf(x1Done.result), textOf(x2Done.result)]).toEqual(['One likes green', 'Two likes blue']);
  });

  test("search mode: 1mcp_call_tool's inner call asks, and the retry of 1mcp_call_tool answers it", async () => {
    const params = { name: '1mcp_call_tool', arguments: { name: 'st_1mcp_sample', arguments: { prompt: 'via search' } } };
    const first = await modern('tools/call', params, { query: '?discovery=search' });
    expect(first.result.inputRequests['sampling-1'].params.messages[0].content.text).toBe('via search');
    const done = await modern('tools/call', { ...params, inputResponses: { 'sampling-1': sampled('found') }, requestState: first.result.requestState }, { query: '?discovery=search' });
    expect(textOf(done.result)).toBe('found');
  });

  test('the SDK v2 client (2026-07-28) fulfils the questions with its handlers', async () => {
    const client = new Client({ name: 'sdk-v2', version: '1.0.0' }, { capabilities: ALL_CAPS, versionNegotiation: { mode: { pin: VERSION } } });
    client.setRequestHandler('sampling/createMessage', async () => ({ role: 'assistant', content: { type: 'text', text: 'Hi there' }, model: 'm' }));
    client.setRequestHandler('elicitation/create', async (request) => ({ action: 'accept', content: (String(request.params.message).includes('color') ? { color: 'red' } : { name: 'Grace', context: 'docs' }) as Record<string, string> }));
    client.setRequestHandler('roots/list', async () => ({ roots: [{ uri: 'file:///a' }, { uri: 'file:///b' }] }));
    await client.connect(new StreamableHTTPClientTransport(new URL(serve.url), { requestInit: { headers: { authorization: `Bearer ${tokens.b}` } } }));
    try {
      expect(client.getProtocolEra()).toBe('modern');
      const multiple = await client.callTool({ name: 'st_1mcp_test_input_required_result_multiple_inputs', arguments: {} });
      expect(textOf(multiple)).toBe('Hi there Grace (2 roots)');
      const rounds = await client.callTool({ name: 'st_1mcp_test_input_required_result_multi_round', arguments: {} });
      expect(textOf(rounds)).toBe('Grace likes red');
      const http = await client.callTool({ name: 'ht_1mcp_roots', arguments: {} });
      expect(JSON.parse(textOf(http))).toEqual({ roots: [{ uri: 'file:///a' }, { uri: 'file:///b' }] });
      const prompt = await client.getPrompt({ name: 'st_1mcp_test_input_required_result_prompt' });
      expect((prompt.messages[0]!.content as { text: string }).text).toBe('Use this context: docs');
    } finally {
      await client.close();
    }
  });
});
