/**
 * The fixture MCP server does what its header promises, over stdio, Streamable HTTP and legacy SSE,
 * driven by the SDK client through the shared helpers; the fault switches are checked on raw
 * processes. Every process a test starts must be gone when it ends (assertNoSurvivors).
 */
import { afterEach, describe, expect, test } from 'bun:test';
import type { ChildProcess } from 'node:child_process';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { LoggingMessageNotificationSchema, ResourceUpdatedNotificationSchema, ToolListChangedNotificationSchema, type Progress } from '@modelcontextprotocol/sdk/types.js';
import { GREET_NAMES, LONG_NAME, hugeText } from '../fixtures/mcp-server.ts';
import { BUN, FIXTURE, fixtureCommand, startHttpFixture, type HttpFixture } from '../helpers/fixture.ts';
import { connectHttp, connectSse, connectStdio, stdioPid, textOf, type ClientHooks } from '../helpers/mcp-client.ts';
import { freePort } from '../helpers/ports.ts';
import { assertNoSurvivors, isAlive, readLine, spawnTracked, waitFor, waitForExit } from '../helpers/processes.ts';
import { makeTempDir } from '../helpers/tmp.ts';

type Kind = 'stdio' | 'http' | 'sse';

const clients: Client[] = [];
const fixtures: HttpFixture[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close().catch(() => {})));
  await Promise.all(fixtures.splice(0).map((f) => f.stop()));
  await assertNoSurvivors();
});

/** A client connected to a fresh fixture over `kind`; both are closed/stopped after the test. */
async function open(kind: Kind, flags: string[] = [], hooks: ClientHooks = {}): Promise<{ client: Client; fixture?: HttpFixture }> {
  if (kind === 'stdio') {
    const { command, args } = fixtureCommand(flags);
    const client = await connectStdio(command, args, { hooks, env: { FIXTURE_TEST_VAR: 'from the client' } });
    clients.push(client);
    return { client };
  }
  const fixture = await startHttpFixture(kind, flags);
  fixtures.push(fixture);
  const client = kind === 'http' ? await connectHttp(fixture.url, { hooks }) : await connectSse(fixture.url, { hooks });
  clients.push(client);
  return { client, fixture };
}

const call = async (client: Client, name: string, args: Record<string, unknown> = {}) => textOf(await client.callTool({ name, arguments: args }));
const stats = async (client: Client) => JSON.parse(await call(client, 'stats'));

for (const kind of ['stdio', 'http', 'sse'] as const) {
  describe(`over ${kind}`, () => {
    test('lists tools, resources, templates and prompts; reads and completes', async () => {
      const { client } = await open(kind, ['--name', 'lister', '--tools', '3', '--long-name', '--instructions', 'Use lister.']);
      expect(client.getServerVersion()?.name).toBe('lister');
      expect(client.getInstructions()).toBe('Use lister.');
      const caps = client.getServerCapabilities()!;
      expect(caps.resources?.subscribe).toBe(true);
      expect(caps.tools?.listChanged).toBe(true);
      expect(caps.logging).toBeDefined();
      expect(caps.completions).toBeDefined();

      const { tools } = await client.listTools();
      const names = tools.map((t) => t.name);
      for (const name of ['echo', 'add', 'slow', 'hang', 'crash', 'sample', 'elicit', 'roots', 'log', 'huge', 'change_tools', 'touch', 'stats', 'pid', 'fancy', 'env', 'tool_0', 'tool_2', LONG_NAME]) {
        expect(names).toContain(name);
      }
      expect(names).not.toContain('tool_3');
      expect(tools.every((t) => t.inputSchema.type === 'object')).toBe(true);
      expect(LONG_NAME.length).toBe(100);
      const fancy = tools.find((t) => t.name === 'fancy')!;
      expect(fancy.title).toBe('Fancy tool');
      expect(fancy.annotations).toMatchObject({ readOnlyHint: true, title: 'Fancy' });
      expect(fancy.outputSchema?.required).toEqual(['answer']);
      expect(fancy.icons?.[0]?.mimeType).toBe('image/png');
      expect(fancy._meta).toEqual({ 'fixture/owner': 'lister' });
      // The client validates structuredContent against outputSchema.
      expect((await client.callTool({ name: 'fancy', arguments: {} })).structuredContent).toEqual({ answer: '42' });
      expect(await call(client, 'tool_1', { text: 'x' })).toBe('tool_1:x');
      expect(await call(client, LONG_NAME, { text: 'y' })).toBe(`${LONG_NAME}:y`);

      expect((await client.listResources()).resources.map((r) => r.uri)).toEqual(['fixture://lister/static']);
      expect((await client.listResourceTemplates()).resourceTemplates.map((t) => t.uriTemplate)).toEqual(['fixture://lister/item/{id}']);
      expect((await client.readResource({ uri: 'fixture://lister/static' })).contents[0]).toMatchObject({ text: 'static of lister' });
      expect((await client.readResource({ uri: 'fixture://lister/item/42' })).contents[0]).toMatchObject({ text: 'item 42' });
      await expect(client.readResource({ uri: 'fixture://lister/nothing' })).rejects.toThrow(/not found/);

      expect((await client.listPrompts()).prompts.map((p) => p.name)).toEqual(['greet']);
      expect((await client.getPrompt({ name: 'greet', arguments: { name: 'Ann' } })).messages[0]!.content).toEqual({ type: 'text', text: 'Hello, Ann!' });
      const completion = await client.complete({ ref: { type: 'ref/prompt', name: 'greet' }, argument: { name: 'name', value: 'al' } });
      expect(completion.completion.values).toEqual(GREET_NAMES.filter((n) => n.startsWith('al')));
      expect(completion.completion.values.length).toBe(2);
    });

    test('echo, add, pid, unknown tool', async () => {
      const { client, fixture } = await open(kind);
      expect(await call(client, 'echo', { text: 'hello' })).toBe('hello');
      expect(await call(client, 'add', { a: 2, b: 40 })).toBe('42');
      const pid = Number(await call(client, 'pid'));
      expect(pid).toBe(kind === 'stdio' ? stdioPid(client) : fixture!.child.pid!);
      await expect(client.callTool({ name: 'nope', arguments: {} })).rejects.toThrow(/unknown tool nope/);
      const seen = await stats(client);
      expect(seen.pid).toBe(pid);
      expect(seen.calls.slice(0, 3)).toEqual([
        { name: 'echo', args: { text: 'hello' } },
        { name: 'add', args: { a: 2, b: 40 } },
        { name: 'pid', args: {} },
      ]);
      expect(seen.initializeCount).toBe(1);
    });

    test('slow sends progress; a cancelled call is recorded in stats', async () => {
      const { client } = await open(kind);
      const progress: Progress[] = [];
      const result = await client.callTool({ name: 'slow', arguments: { ms: 150, steps: 3 } }, undefined, { onprogress: (p) => void progress.push(p) });
      expect(textOf(result)).toBe('done');
      expect(progress.map((p) => [p.progress, p.total])).toEqual([[1, 3], [2, 3], [3, 3]]);

      const controller = new AbortController();
      const cancelled = client.callTool({ name: 'slow', arguments: { ms: 60_000, steps: 600 } }, undefined, { signal: controller.signal, onprogress: () => controller.abort('enough') });
      await expect(cancelled).rejects.toThrow();
      await waitFor(async () => (await stats(client)).cancelled.includes('slow'), { what: 'slow to be cancelled' });

      const hanging = new AbortController();
      const hang = client.callTool({ name: 'hang', arguments: {} }, undefined, { signal: hanging.signal });
      await waitFor(async () => (await stats(client)).calls.some((c: { name: string }) => c.name === 'hang'), { what: 'hang to be called' });
      hanging.abort('stop');
      await expect(hang).rejects.toThrow();
      await waitFor(async () => (await stats(client)).cancelled.includes('hang'), { what: 'hang to be cancelled' });
      expect((await stats(client)).cancelled).toEqual(['slow', 'hang']);
    });

    test('sampling, elicitation and roots are answered by the client', async () => {
      const { client } = await open(kind, [], {
        sampling: (params) => `sampled: ${(params.messages[0]!.content as { text: string }).text}`,
        elicitation: (params) => ({ action: 'accept', content: { ok: params.message === 'sure?' } }),
        roots: [{ uri: 'file:///project', name: 'project' }],
      });
      expect(await call(client, 'sample', { prompt: 'a haiku' })).toBe('sampled: a haiku');
      expect(JSON.parse(await call(client, 'elicit', { message: 'sure?' }))).toEqual({ action: 'accept', content: { ok: true } });
      expect(JSON.parse(await call(client, 'roots'))).toEqual({ roots: [{ uri: 'file:///project', name: 'project' }] });
    });

    test('log respects logging/setLevel', async () => {
      const { client } = await open(kind, ['--name', 'logger']);
      const messages: { level: string; data: unknown; logger?: string }[] = [];
      client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void messages.push(n.params));
      expect(await call(client, 'log', { level: 'debug', message: 'before any level' })).toBe('logged');
      await client.setLoggingLevel('warning');
      expect(await call(client, 'log', { level: 'info', message: 'too quiet' })).toBe('filtered');
      expect(await call(client, 'log', { level: 'error', message: 'loud' })).toBe('logged');
      await waitFor(() => messages.length === 2, { what: 'two log messages' });
      expect(messages).toEqual([
        { level: 'debug', logger: 'logger', data: 'before any level' },
        { level: 'error', logger: 'logger', data: 'loud' },
      ]);
      expect((await stats(client)).logLevel).toBe('warning');
    });

    test('change_tools announces list_changed; touch sends resources/updated; subscriptions recorded', async () => {
      const { client } = await open(kind, ['--name', 'changer']);
      let listChanged = 0;
      const updated: string[] = [];
      client.setNotificationHandler(ToolListChangedNotificationSchema, () => void listChanged++);
      client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => void updated.push(n.params.uri));
      expect(await call(client, 'change_tools')).toBe('added_0');
      await waitFor(() => listChanged === 1, { what: 'list_changed' });
      expect((await client.listTools()).tools.map((t) => t.name)).toContain('added_0');
      expect(await call(client, 'added_0', { text: 'z' })).toBe('added_0:z');

      await client.subscribeResource({ uri: 'fixture://changer/static' });
      expect((await stats(client)).subscriptions).toEqual(['fixture://changer/static']);
      await call(client, 'touch', { uri: 'fixture://changer/static' });
      await waitFor(() => updated.length === 1, { what: 'resources/updated' });
      expect(updated).toEqual(['fixture://changer/static']);
      await client.unsubscribeResource({ uri: 'fixture://changer/static' });
      expect((await stats(client)).subscriptions).toEqual([]);
    });

    test('huge returns exactly the bytes asked for', async () => {
      const { client } = await open(kind);
      const text = await call(client, 'huge', { bytes: 1_000_003 });
      expect(text.length).toBe(1_000_003);
      expect(text === hugeText(1_000_003)).toBe(true);
      expect(text.slice(0, 12)).toBe('012345678901');
    });

    // Over SSE only the timeout ends these calls: the SDK's EventSource keeps retrying a dead server.
    test('crash ends the process during the call', async () => {
      const { client, fixture } = await open(kind);
      const pid = Number(await call(client, 'pid'));
      await expect(client.callTool({ name: 'crash', arguments: {} }, undefined, { timeout: 2000 })).rejects.toThrow();
      await waitFor(() => !isAlive(pid), { what: 'the crashed fixture to exit' });
      if (fixture) expect((await waitForExit(fixture.child)).code).toBe(1);
    });

    test('--exit-after-calls 2: the first call is answered, the process exits during the second', async () => {
      const { client, fixture } = await open(kind, ['--exit-after-calls', '2']);
      const pid = Number(await call(client, 'pid'));
      await expect(client.callTool({ name: 'echo', arguments: { text: 'never' } }, undefined, { timeout: 2000 })).rejects.toThrow();
      await waitFor(() => !isAlive(pid), { what: 'the fixture to exit' });
      if (fixture) expect((await waitForExit(fixture.child)).code).toBe(1);
    });
  });
}

describe('over stdio only', () => {
  test('a 20 MB result arrives intact with maxBufferSize; the SDK default (10 MiB) drops the connection', async () => {
    const bytes = 20 * 1024 * 1024;
    const { command, args } = fixtureCommand(['--name', 'big']);
    const big = await connectStdio(command, args, { maxBufferSize: 64 * 1024 * 1024 });
    clients.push(big);
    const text = await call(big, 'huge', { bytes });
    expect(text.length).toBe(bytes);
    expect(text === hugeText(bytes)).toBe(true);

    const small = await connectStdio(command, args);
    clients.push(small);
    await expect(small.callTool({ name: 'huge', arguments: { bytes } }, undefined, { timeout: 20_000 })).rejects.toThrow();
  }, 60_000);

  test('env returns the variables the server was started with', async () => {
    const { client } = await open('stdio');
    expect(await call(client, 'env', { name: 'FIXTURE_TEST_VAR' })).toBe('from the client');
    expect(await call(client, 'env', { name: 'FIXTURE_UNSET_VAR' })).toBe('');
  });

  test('--no-subscribe advertises subscribe: false', async () => {
    const { client } = await open('stdio', ['--no-subscribe']);
    expect(client.getServerCapabilities()?.resources?.subscribe).toBe(false);
  });

  test('--exit-at-start: connecting fails and the process is gone', async () => {
    const { command, args } = fixtureCommand(['--exit-at-start']);
    await expect(connectStdio(command, args)).rejects.toThrow();
  });
});

/** A fixture on raw stdio: JSON-RPC lines in, stdout lines out (to see exactly what it writes). */
function rawStdio(flags: string[]) {
  const child = spawnTracked(BUN, [FIXTURE, ...flags]);
  const lines: string[] = [];
  let buffer = '';
  child.stdout!.on('data', (d) => {
    buffer += d;
    const parts = buffer.split('\n');
    buffer = parts.pop()!;
    lines.push(...parts);
  });
  const send = (message: object) => child.stdin!.write(`${JSON.stringify({ jsonrpc: '2.0', ...message })}\n`);
  const initialize = () => send({ id: 0, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } });
  return { child, lines, send, initialize };
}

const answerTo = (lines: string[], id: number) => lines.map((l) => JSON.parse(l)).find((m) => m.id === id);

describe('fault switches on a raw stdio process', () => {
  test('stdout carries only JSON-RPC, and the process exits when stdin closes', async () => {
    const raw = rawStdio(['--name', 'quiet']);
    raw.initialize();
    await waitFor(() => raw.lines.length >= 1, { what: 'the initialize answer' });
    raw.send({ method: 'notifications/initialized' });
    raw.send({ id: 1, method: 'tools/call', params: { name: 'echo', arguments: { text: 'hi' } } });
    await waitFor(() => raw.lines.length >= 2, { what: 'the call answer' });
    expect(answerTo(raw.lines, 0).result.serverInfo.name).toBe('quiet');
    expect(answerTo(raw.lines, 1).result.content[0].text).toBe('hi');
    raw.child.stdin!.end();
    expect((await waitForExit(raw.child)).code).toBe(0);
  });

  test('--garbage-after-calls 2 writes one non-JSON line during the second call, then goes on', async () => {
    const raw = rawStdio(['--garbage-after-calls', '2']);
    raw.initialize();
    for (let id = 1; id <= 3; id++) raw.send({ id, method: 'tools/call', params: { name: 'echo', arguments: { text: `n${id}` } } });
    await waitFor(() => raw.lines.length >= 5, { what: 'four answers and the garbage' });
    // Answers are sent when handlers finish, so the garbage may come before earlier answers.
    expect(raw.lines.filter((l) => !l.startsWith('{'))).toEqual(['this is not JSON-RPC']);
    const json = raw.lines.filter((l) => l.startsWith('{'));
    expect([1, 2, 3].map((id) => answerTo(json, id)?.result.content[0].text)).toEqual(['n1', 'n2', 'n3']);
    raw.child.stdin!.end();
    await waitForExit(raw.child);
  });

  test('--hang-initialize never answers, and still exits when stdin closes', async () => {
    const raw = rawStdio(['--hang-initialize']);
    raw.initialize();
    await Bun.sleep(500);
    expect(raw.lines).toEqual([]);
    raw.child.stdin!.end();
    expect((await waitForExit(raw.child)).code).toBe(0);
  });

  test('--stderr-flood 8 writes 8 MiB to stderr and then serves normally', async () => {
    const raw = rawStdio(['--stderr-flood', '8']);
    let stderrBytes = 0;
    raw.child.stderr!.on('data', (d: Buffer) => void (stderrBytes += d.length));
    raw.initialize();
    await waitFor(() => raw.lines.length >= 1, { what: 'the initialize answer' });
    expect(stderrBytes).toBe(8 * 1024 * 1024);
    raw.child.stdin!.end();
    await waitForExit(raw.child);
  });
});

describe('HTTP specifics', () => {
  test('--forget-session-after: a request on the forgotten session gets 404; a new session works', async () => {
    const fixture = await startHttpFixture('http', ['--forget-session-after', '6']);
    fixtures.push(fixture);
    const client = await connectHttp(fixture.url);
    clients.push(client);
    let failure: unknown;
    for (let i = 0; i < 8 && !failure; i++) {
      failure = await client.callTool({ name: 'echo', arguments: { text: `n${i}` } }).then(
        () => undefined,
        (error) => error,
      );
    }
    expect((failure as { code?: number }).code).toBe(404);
    const again = await connectHttp(fixture.url);
    clients.push(again);
    expect(await call(again, 'echo', { text: 'fresh' })).toBe('fresh');
    expect((await stats(again)).initializeCount).toBe(2);
  });

  test('sessions of one process share stats; flags form of startHttpFixture with a chosen port', async () => {
    const port = await freePort();
    const fixture = await startHttpFixture(['--http', String(port), '--name', 'shared']);
    fixtures.push(fixture);
    expect(fixture.port).toBe(port);
    expect(fixture.url).toBe(`http://127.0.0.1:${port}/mcp`);
    const a = await connectHttp(fixture.url, 'A');
    const b = await connectHttp(fixture.url, { name: 'B', headers: { 'x-test': '1' } });
    clients.push(a, b);
    await call(a, 'echo', { text: 'from a' });
    const seen = await stats(b);
    expect(seen.initializeCount).toBe(2);
    expect(seen.calls[0]).toEqual({ name: 'echo', args: { text: 'from a' } });
  });

  test('SSE: any GET path opens a stream; unknown session ids get 404', async () => {
    const fixture = await startHttpFixture(['--sse', '0', '--name', 'legacy']);
    fixtures.push(fixture);
    expect(fixture.url.endsWith('/sse')).toBe(true);
    const client = await connectSse(fixture.url.replace(/\/sse$/, '/other'));
    clients.push(client);
    expect(await call(client, 'echo', { text: 'via other path' })).toBe('via other path');
    const response = await fetch(`http://127.0.0.1:${fixture.port}/messages?sessionId=nope`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(404);
  });

  test('a call cut short by a closed connection is not counted as cancelled', async () => {
    const fixture = await startHttpFixture('sse', ['--name', 'closer']);
    fixtures.push(fixture);
    const leaving = await connectSse(fixture.url, 'leaving');
    const staying = await connectSse(fixture.url, 'staying');
    clients.push(leaving, staying);
    const hang = leaving.callTool({ name: 'hang', arguments: {} }).catch((error) => error);
    await waitFor(async () => (await stats(staying)).calls.some((c: { name: string }) => c.name === 'hang'), { what: 'hang to be called' });
    await leaving.close();
    expect(await hang).toBeInstanceOf(Error);
    await Bun.sleep(200);
    expect((await stats(staying)).cancelled).toEqual([]);
  });

  test('an HTTP fixture that dies at start is reported, not awaited forever', async () => {
    await expect(startHttpFixture('http', ['--exit-at-start'])).rejects.toThrow(/did not start/);
  });
});

describe('helpers', () => {
  test('readLine finds a matching line split across chunks and rejects at end of stream', async () => {
    const child = spawnTracked('sh', ['-c', 'printf "noise\\nLIST"; sleep 0.1; printf "ENING 1234\\n"; sleep 0.1']);
    const m = await readLine(child.stdout!, /^LISTENING (\d+)$/);
    expect(m[1]).toBe('1234');
    await waitForExit(child);
    const quiet = spawnTracked('sh', ['-c', 'echo nothing here']);
    await expect(readLine(quiet.stdout!, 'LISTENING')).rejects.toThrow(/ended/);
  });

  test('assertNoSurvivors kills and reports a survivor, including a grandchild of a dead parent', async () => {
    // The parent exits at once, leaving a sleeping grandchild to init: tracking must still know it.
    const parent: ChildProcess = spawnTracked('sh', ['-c', 'sleep 30 & echo $!; sleep 0.3'], { stdio: ['ignore', 'pipe', 'ignore'] });
    const [grandchild] = await readLine(parent.stdout!, /^\d+$/);
    await waitForExit(parent);
    expect(isAlive(Number(grandchild))).toBe(true);
    await expect(assertNoSurvivors(undefined, 200)).rejects.toThrow(new RegExp(`survived: ${grandchild}`));
    await waitFor(() => !isAlive(Number(grandchild)), { what: 'the survivor to be killed' });
  });

  test('makeTempDir and freePort', async () => {
    const dir = makeTempDir('fixtures-test-');
    await Bun.write(`${dir.path}/a.txt`, 'x');
    dir.cleanup();
    expect(await Bun.file(`${dir.path}/a.txt`).exists()).toBe(false);
    const port = await freePort();
    expect(port).toBeGreaterThan(0);
    const server = Bun.serve({ port, hostname: '127.0.0.1', fetch: () => new Response('ok') });
    expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('ok');
    server.stop(true);
  });
});
