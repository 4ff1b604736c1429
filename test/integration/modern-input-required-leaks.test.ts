/**
 * input_required bridging keeps nothing once a call is over (docs/protocol.md, "input_required bridging"):
 * serve runs in this process (real backends, real HTTP), so the test can read the bridge's own tables —
 * pending calls (each with its timers) and per-backend turns — after completed, abandoned, cancelled and
 * refused calls.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveConfigPaths } from '../../src/config/paths.ts';
import { createLogger } from '../../src/log.ts';
import { listenFirst } from '../../src/server/listen-first.ts';
import { bridgedCalls } from '../../src/server/modern/input-required.ts';
import { turnsInUse } from '../../src/server/modern/input-required-turns.ts';
import { Serve } from '../../src/server/serve.ts';
import { fixtureEntry } from '../helpers/fixture.ts';
import { textOf } from '../helpers/mcp-client.ts';
import { assertNoSurvivors, descendantsOf, waitFor } from '../helpers/processes.ts';
import { messagesOf } from '../helpers/raw-http.ts';
import { makeTempDir, type TempDir } from '../helpers/tmp.ts';

const VERSION = '2026-07-28';
const META = { 'io.modelcontextprotocol/protocolVersion': VERSION, 'io.modelcontextprotocol/clientCapabilities': { sampling: {}, elicitation: {}, roots: {} }, 'io.modelcontextprotocol/clientInfo': { name: 'leaks', version: '1' } };
let nextId = 1;

describe('input_required bridging leaves nothing behind', () => {
  let dir: TempDir;
  let serve: Serve;
  let url: string;

  async function call(params: Record<string, unknown>, signal?: AbortSignal) {
    const id = nextId++;
    const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': VERSION, 'mcp-method': 'tools/call', 'mcp-name': String(params.name) };
    const response = await fetch(url, { method: 'POST', headers, signal, body: JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { ...params, _meta: META } }) });
    const message = messagesOf(response.headers.get('content-type'), await response.text()).find((m) => m.id === id);
    return { result: message?.result, error: message?.error };
  }
  const idle = () => waitFor(() => bridgedCalls() === 0 && turnsInUse() === 0, { timeout: 5000, what: 'no pending bridged call and no turn held' });

  beforeAll(async () => {
    dir = makeTempDir('1mcp-bridge-leaks-');
    writeFileSync(join(dir.path, 'mcp.json'), JSON.stringify({ mcpServers: { st: fixtureEntry(['--name', 'st']), short: fixtureEntry(['--name', 'short'], { requestTimeout: 800 }) } }));
    const paths = resolveConfigPaths({ configDir: dir.path });
    const listener = await listenFirst({ port: 0, host: '127.0.0.1', mcpJson: paths.mcpJson });
    serve = new Serve(
      { port: 0, host: '127.0.0.1', enableConfigReload: false, configReloadDebounce: 50, enableEnvSubstitution: false, healthInfoLevel: 'minimal', pagination: false, sessionIdleTimeoutMinutes: 30, listWait: 10_000, enableAuth: false, ownsPidFile: false },
      paths,
      createLogger({ level: 'error' }),
    );
    await serve.start(listener);
    url = serve.url;
    await waitFor(async () => (await fetch(new URL('/health/ready', url))).status === 200, { what: 'backends ready' });
  });
  afterAll(async () => {
    const children = descendantsOf(process.pid);
    await serve?.stop();
    await assertNoSurvivors(children);
    dir?.cleanup();
  });

  test('after a completed call and a refused state', async () => {
    const first = await call({ name: 'st_1mcp_sample', arguments: { prompt: 'p' } });
    expect(bridgedCalls()).toBe(1);
    expect((await call({ name: 'st_1mcp_sample', arguments: { prompt: 'p' }, requestState: `${first.result.requestState}x` })).error.code).toBe(-32602);
    const done = await call({ name: 'st_1mcp_sample', arguments: { prompt: 'p' }, inputResponses: { 'sampling-1': { role: 'assistant', content: { type: 'text', text: 'r' }, model: 'm' } }, requestState: first.result.requestState });
    expect(textOf(done.result)).toBe('r');
    await idle();
  });

  test('after a call whose client never retries (the backend requestTimeout ends it)', async () => {
    const first = await call({ name: 'short_1mcp_elicit', arguments: { message: 'hello?' } });
    expect(first.result.resultType).toBe('input_required');
    expect(bridgedCalls()).toBe(1);
    await idle();
  });

  test('after a client that drops its response stream mid-call', async () => {
    const gone = new AbortController();
    const pending = call({ name: 'st_1mcp_slow', arguments: { ms: 20_000 } }, gone.signal).catch((e: Error) => e);
    await waitFor(() => bridgedCalls() === 1, { what: 'the call to start' });
    gone.abort();
    expect(await pending).toBeInstanceOf(Error);
    await idle();
    const stats = JSON.parse(textOf((await call({ name: 'st_1mcp_stats', arguments: {} })).result));
    expect(stats.cancelled).toContain('slow');
  });
});
