/**
 * 2026-07-28 ("modern") backends behind serve (docs/protocol.md, "Modern backends"): a real SDK v2 server
 * (test/fixtures/modern-server.ts) over stdio and over Streamable HTTP, next to a legacy fixture, reached by
 * a legacy SDK v1 client and by a modern SDK v2 client at the same time. Its input_required results become
 * server-to-client requests on the legacy client's session; list changes arrive through subscriptions/listen.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { Client as ModernSdkClient } from '@modelcontextprotocol/client';
import { BUN, fixtureEntry } from '../helpers/fixture.ts';
import { ROOT } from '../helpers/cli.ts';
import { connectHttp, textOf } from '../helpers/mcp-client.ts';
import { assertNoSurvivors, readLine, spawnTracked, waitFor, killTree, waitForExit } from '../helpers/processes.ts';
import { startServe, type ServeHandle } from '../helpers/serve.ts';

const MODERN_FIXTURE = join(ROOT, 'test', 'fixtures', 'modern-server.ts');
const SILENT_FIXTURE = join(ROOT, 'test', 'fixtures', 'discover-silent-server.ts');

interface StatusRow {
  name: string;
  state: string;
  tools: number;
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
    expect(rows.find((r) => r.name === 'mstdio')!.tools).toBe(6);
    expect(rows.find((r) => r.name === 'mhttp')!.tools).toBe(6);
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
});
