/**
 * Hot reload (docs/design.md) and backends that misbehave (§7.2-7.3), each against a real serve process.
 */
import { describe, expect, test } from 'bun:test';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hugeText } from '../fixtures/mcp-server.ts';
import { fixtureEntry, startHttpFixture } from '../helpers/fixture.ts';
import { connectHttp, textOf } from '../helpers/mcp-client.ts';
import { waitFor } from '../helpers/processes.ts';
import { startServe, type ServeHandle } from '../helpers/serve.ts';

async function status(serve: ServeHandle, name: string): Promise<{ state: string; pid?: number; restarts: number; lastError?: string }> {
  return (await (await fetch(`${serve.origin}/health/mcp/${name}`)).json()) as never;
}

async function serverNames(client: Awaited<ReturnType<typeof connectHttp>>): Promise<string[]> {
  return [...new Set((await client.listTools()).tools.map((t) => t.name.split('_1mcp_')[0]!))].sort();
}

describe('hot reload', () => {
  test('add, remove, change command, tag-only change, invalid file, a burst of edits — clients stay connected', async () => {
    const config = {
      mcpServers: {
        web: fixtureEntry(['--name', 'web'], { tags: ['web'] }),
        files: fixtureEntry(['--name', 'files'], { tags: ['files'] }),
      } as Record<string, any>,
    };
    const serve = await startServe(config);
    const all = await connectHttp(serve.url);
    const webOnly = await connectHttp(`${serve.url}?tags=web`);
    let allChanges = 0;
    let webChanges = 0;
    all.setNotificationHandler(ToolListChangedNotificationSchema, () => void allChanges++);
    webOnly.setNotificationHandler(ToolListChangedNotificationSchema, () => void webChanges++);
    try {
      expect(await serverNames(all)).toEqual(['files', 'web']);
      expect(await serverNames(webOnly)).toEqual(['web']);

      // Add a server outside the web view: only the unfiltered client hears of it.
      config.mcpServers.extra = fixtureEntry(['--name', 'extra'], { tags: ['files'] });
      serve.writeConfig(config);
      await waitFor(async () => (await serverNames(all)).includes('extra'), { what: 'extra to appear' });
      await waitFor(() => allChanges >= 1, { what: 'list_changed for the added server' });
      expect(webChanges).toBe(0);

      // Tag-only change: no restart (same pid), and now the web view includes it.
      const pidBefore = (await status(serve, 'extra')).pid;
      config.mcpServers.extra.tags = ['files', 'web'];
      serve.writeConfig(config);
      await waitFor(async () => (await serverNames(webOnly)).includes('extra'), { what: 'extra in the web view' });
      expect(webChanges).toBeGreaterThanOrEqual(1);
      expect((await status(serve, 'extra')).pid).toBe(pidBefore);

      // Changed command: restarted (a new pid).
      config.mcpServers.extra.args = [...config.mcpServers.extra.args, '--instructions', 'v2'];
      serve.writeConfig(config);
      await waitFor(async () => {
        const s = await status(serve, 'extra');
        return s.state === 'connected' && s.pid !== pidBefore;
      }, { what: 'extra restarted with the new command' });

      // Remove it.
      delete config.mcpServers.extra;
      serve.writeConfig(config);
      await waitFor(async () => !(await serverNames(all)).includes('extra'), { what: 'extra to go' });

      // An invalid file keeps the running configuration and says why in one log line.
      writeFileSync(join(serve.dir, 'mcp.json'), '{ "mcpServers": { "web": { "command": ');
      await waitFor(() => serve.stderr().includes('config not reloaded'), { what: 'the rejection log line' });
      expect(serve.stderr()).toMatch(/config not reloaded: .*invalid JSON.*line 1/);
      expect(await serverNames(all)).toEqual(['files', 'web']);
      expect(textOf(await all.callTool({ name: 'web_1mcp_echo', arguments: { text: 'still' } }))).toBe('still');

      // Ten edits within 200 ms are applied once.
      const reloadsBefore = serve.stderr().split('config reloaded').length;
      const filesPid = (await status(serve, 'files')).pid;
      for (let i = 0; i < 10; i++) {
        config.mcpServers.files = fixtureEntry(['--name', 'files', '--instructions', `burst ${i}`], { tags: ['files'] });
        serve.writeConfig(config);
        await Bun.sleep(15);
      }
      await waitFor(async () => {
        const s = await status(serve, 'files');
        return s.state === 'connected' && s.pid !== filesPid;
      }, { what: 'files restarted once after the burst' });
      await Bun.sleep(300);
      expect(serve.stderr().split('config reloaded').length - reloadsBefore).toBe(1);
      expect(all.getInstructions()).toBeDefined();
      // Both clients are still in their sessions.
      expect(textOf(await webOnly.callTool({ name: 'web_1mcp_echo', arguments: { text: 'ok' } }))).toBe('ok');
      expect(textOf(await all.callTool({ name: 'files_1mcp_echo', arguments: { text: 'ok' } }))).toBe('ok');
    } finally {
      await all.close();
      await webOnly.close();
      await serve.stop();
    }
  }, 60_000);
});

describe('faults', () => {
  test('a backend that hangs on initialize fails at connectionTimeout; the others connect', async () => {
    const serve = await startServe(
      { mcpServers: { stuck: fixtureEntry(['--hang-initialize'], { connectionTimeout: 300, maxRestarts: 1, restartDelay: 50 }), fine: fixtureEntry(['--name', 'fine']) } },
      { waitReady: false },
    );
    try {
      await waitFor(async () => (await status(serve, 'fine')).state === 'connected', { what: 'fine to connect' });
      const stuck = await waitFor(async () => {
        const s = await status(serve, 'stuck');
        return s.state === 'crash-loop' ? s : undefined;
      }, { what: 'stuck to give up' });
      expect(stuck.lastError).toContain('connectionTimeout');
    } finally {
      await serve.stop();
    }
  });

  test('serve stopped while a backend is still connecting: that backend (which ignores stdin) is stopped too', async () => {
    // `sleep` never answers initialize and never reads stdin, so only serve's own shutdown can end it.
    const serve = await startServe({ mcpServers: { slowpoke: { command: 'sh', args: ['-c', 'exec sleep 60'], connectionTimeout: 60_000 } } }, { waitReady: false });
    const sleeper = await waitFor(() => serve.descendants().find((pid) => /sleep/.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8'))), { what: 'the backend to start' });
    expect((await status(serve, 'slowpoke')).state).toBe('starting');
    const { exitMs } = await serve.stop(); // asserts that no descendant, the sleeper included, survived
    expect(exitMs).toBeLessThan(5000);
    expect(existsSync(`/proc/${sleeper}`)).toBe(false);
  });

  test('50 MB of stderr: memory stays bounded and serve keeps answering', async () => {
    const serve = await startServe({ mcpServers: { noisy: fixtureEntry(['--name', 'noisy', '--stderr-flood', '50']) } });
    try {
      const client = await connectHttp(serve.url);
      expect(textOf(await client.callTool({ name: 'noisy_1mcp_echo', arguments: { text: 'hi' } }))).toBe('hi');
      await client.close();
      const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${serve.child.pid}/status`, 'utf8'))![1]) / 1024;
      expect(rss).toBeLessThan(200);
      const tail = ((await (await fetch(`${serve.origin}/api/status`)).json()) as any).servers[0].stderrTail;
      expect(tail.length).toBeLessThanOrEqual(200);
    } finally {
      await serve.stop();
    }
  });

  test('a 20 MB result is delivered intact', async () => {
    const serve = await startServe({ mcpServers: { big: fixtureEntry(['--name', 'big']) } });
    try {
      const client = await connectHttp(serve.url);
      const bytes = 20 * 1024 * 1024;
      const result = await client.callTool({ name: 'big_1mcp_huge', arguments: { bytes } });
      const text = textOf(result);
      expect(text.length).toBe(bytes);
      expect(text === hugeText(bytes)).toBe(true);
      await client.close();
    } finally {
      await serve.stop();
    }
  }, 30_000);

  test('garbage on stdout: the call gets an error, the backend is restarted, the next call works', async () => {
    const serve = await startServe({ mcpServers: { messy: fixtureEntry(['--name', 'messy', '--garbage-after-calls', '1'], { restartDelay: 50 }) } });
    try {
      const client = await connectHttp(serve.url);
      const pid = (await status(serve, 'messy')).pid;
      await expect(client.callTool({ name: 'messy_1mcp_echo', arguments: { text: 'x' } })).rejects.toThrow(/messy/);
      await waitFor(async () => {
        const s = await status(serve, 'messy');
        return s.state === 'connected' && s.pid !== pid;
      }, { what: 'messy restarted' });
      expect((await status(serve, 'messy')).lastError).toContain('not JSON-RPC');
      // The new process counts calls from zero: its first call writes garbage again, so use a fresh one.
      await client.close();
    } finally {
      await serve.stop();
    }
  });

  test('an HTTP backend that forgets its session is re-initialized and the call succeeds', async () => {
    const http = await startHttpFixture('http', ['--name', 'forgetful', '--forget-session-after', '12']);
    const serve = await startServe({ mcpServers: { forgetful: { url: http.url } } });
    try {
      const client = await connectHttp(serve.url);
      for (let i = 0; i < 10; i++) {
        expect(textOf(await client.callTool({ name: 'forgetful_1mcp_echo', arguments: { text: `n${i}` } }))).toBe(`n${i}`);
      }
      const stats = JSON.parse(textOf(await client.callTool({ name: 'forgetful_1mcp_stats', arguments: {} })));
      expect(stats.initializeCount).toBeGreaterThanOrEqual(2);
      await client.close();
    } finally {
      await serve.stop();
      await http.stop();
    }
  });

  test('an HTTP backend that goes away for 5 s and returns: reconnected, calls succeed after', async () => {
    let http = await startHttpFixture('http', ['--name', 'flappy']);
    const port = http.port;
    const serve = await startServe({ mcpServers: { flappy: { url: http.url, restartDelay: 200, maxRestarts: 0 } } });
    try {
      const client = await connectHttp(serve.url);
      expect(textOf(await client.callTool({ name: 'flappy_1mcp_echo', arguments: { text: 'before' } }))).toBe('before');
      await http.stop();
      const started = performance.now();
      await expect(client.callTool({ name: 'flappy_1mcp_echo', arguments: { text: 'during' } })).rejects.toThrow();
      expect(performance.now() - started).toBeLessThan(1000);
      await Bun.sleep(5000);
      http = await startHttpFixture('http', ['--name', 'flappy'], port);
      await waitFor(async () => (await status(serve, 'flappy')).state === 'connected', { timeout: 20_000, what: 'flappy to reconnect' });
      expect(textOf(await client.callTool({ name: 'flappy_1mcp_echo', arguments: { text: 'after' } }))).toBe('after');
      await client.close();
    } finally {
      await serve.stop();
      await http.stop();
    }
  }, 40_000);
});
