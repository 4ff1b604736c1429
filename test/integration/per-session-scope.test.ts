/**
 * `"scope": "session"`: every client session gets its own instance of the server, so one client's
 * roots and state never reach another client (docs/security.md). Real serve, real fixture processes,
 * real SDK clients.
 */
import { afterEach, describe, expect, test } from 'bun:test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { LoggingMessageNotificationSchema, ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.ts';
import { fixtureEntry } from '../helpers/fixture.ts';
import { connectHttp, connectSse, setHooks, textOf } from '../helpers/mcp-client.ts';
import { isAlive, waitFor } from '../helpers/processes.ts';
import { connectProxy } from '../helpers/proxy.ts';
import { startServe, type ServeHandle } from '../helpers/serve.ts';
import { makeTempDir } from '../helpers/tmp.ts';

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function serveWith(config: unknown, args: string[] = []): Promise<ServeHandle> {
  const serve = await startServe(config, { args });
  cleanups.push(() => serve.stop());
  return serve;
}

async function client(serve: ServeHandle, root: string): Promise<Client> {
  const c = await connectHttp(serve.url, { name: `client-${root}`, hooks: { roots: [{ uri: `file:///${root}`, name: root }] } });
  cleanups.push(() => c.close().catch(() => {}));
  return c;
}

/** The client leaves as a well-behaved client does: DELETE its session, then close. */
async function leave(c: Client): Promise<void> {
  await (c.transport as StreamableHTTPClientTransport).terminateSession();
  await c.close();
}

async function call(c: Client, name: string, args: Record<string, unknown> = {}): Promise<string> {
  return textOf(await c.callTool({ name, arguments: args }));
}

async function stats(c: Client): Promise<{ pid: number; roots?: { uri: string; name?: string }[]; calls: { name: string; args: Record<string, unknown> }[]; subscriptions: string[] }> {
  return JSON.parse(await call(c, 'fs_1mcp_stats'));
}

async function status(serve: ServeHandle, name: string): Promise<Record<string, any>> {
  return (await (await fetch(`${serve.origin}/health/mcp/${name}`)).json()) as Record<string, any>;
}

const perSession = (extra: Record<string, unknown> = {}) => fixtureEntry(['--name', 'fs', '--roots-at-start'], { scope: 'session', ...extra });

describe('per-session backend scope', () => {
  test("each session's instance sees only its own client's roots and state; it stops when the session ends", async () => {
    const serve = await serveWith({ mcpServers: { fs: perSession({ maxInstances: 2 }), shared: fixtureEntry(['--name', 'shared']) } });
    expect(await status(serve, 'fs')).toMatchObject({ state: 'connected', scope: 'session', instances: 0, maxInstances: 2 });

    const a = await client(serve, 'a');
    const b = await client(serve, 'b');
    // The catalog knows the server's tools before any session has used it.
    const names = (await a.listTools()).tools.map((t) => t.name);
    expect(names).toContain('fs_1mcp_roots');
    expect(names).toContain('shared_1mcp_pid');

    // During a call: each instance asks its own client.
    expect(JSON.parse(await call(a, 'fs_1mcp_roots')).roots).toEqual([{ uri: 'file:///a', name: 'a' }]);
    expect(JSON.parse(await call(b, 'fs_1mcp_roots')).roots).toEqual([{ uri: 'file:///b', name: 'b' }]);

    // Outside any call (a filesystem server asks once initialized): still only its own client.
    const statsA = await waitFor(async () => {
      const s = await stats(a);
      return s.roots ? s : undefined;
    }, { what: "A's instance to learn its roots" });
    const statsB = await waitFor(async () => {
      const s = await stats(b);
      return s.roots ? s : undefined;
    }, { what: "B's instance to learn its roots" });
    expect(statsA.roots).toEqual([{ uri: 'file:///a', name: 'a' }]);
    expect(statsB.roots).toEqual([{ uri: 'file:///b', name: 'b' }]);
    expect(statsA.pid).not.toBe(statsB.pid);
    // State never crosses: B's process saw only B's calls.
    expect(statsB.calls.map((c) => c.name)).toEqual(['roots', 'stats']);
    expect((await status(serve, 'fs')).instances).toBe(2);
    const cli = await runCli(['mcp', 'status', 'fs', '--config-dir', serve.dir]);
    expect(cli.stdout).toContain('connected (2/2 per-session instances)');

    // A changes its roots: A's instance follows, B's does not move.
    setHooks(a, { roots: [{ uri: 'file:///a2', name: 'a2' }] });
    await a.sendRootsListChanged();
    await waitFor(async () => JSON.stringify((await stats(a)).roots) === JSON.stringify([{ uri: 'file:///a2', name: 'a2' }]), { what: "A's new roots" });
    expect((await stats(b)).roots).toEqual([{ uri: 'file:///b', name: 'b' }]);

    // A shared server behaves as before: one process for everybody.
    expect(await call(a, 'shared_1mcp_pid')).toBe(await call(b, 'shared_1mcp_pid'));

    // maxInstances: a third session gets a clear error naming the server and the limit; shared servers still work.
    const c = await client(serve, 'c');
    const refused = await c.callTool({ name: 'fs_1mcp_pid', arguments: {} }).then(
      () => undefined,
      (e: Error) => e.message,
    );
    expect(refused).toContain('server "fs"');
    expect(refused).toContain('maxInstances 2');
    expect(await call(c, 'shared_1mcp_echo', { text: 'still fine' })).toBe('still fine');

    // A leaves: its instance is gone, B's is untouched, and the freed slot serves C.
    await leave(a);
    await waitFor(() => !isAlive(statsA.pid), { what: "A's instance to stop" });
    expect(isAlive(statsB.pid)).toBe(true);
    expect((await stats(b)).roots).toEqual([{ uri: 'file:///b', name: 'b' }]);
    await waitFor(async () => (await status(serve, 'fs')).instances === 1, { what: 'the instance count to drop' });
    const pidC = Number(await call(c, 'fs_1mcp_pid'));
    expect([statsA.pid, statsB.pid]).not.toContain(pidC);
    expect(JSON.parse(await call(c, 'fs_1mcp_roots')).roots).toEqual([{ uri: 'file:///c', name: 'c' }]);
    // serve.stop() (afterEach) asserts that no instance outlives serve.
  });

  test("an instance's sampling and roots requests, logs and log level belong to its own client only", async () => {
    const serve = await serveWith({ mcpServers: { fs: perSession() } });
    const logs: Record<string, string[]> = { a: [], b: [] };
    const connect = async (who: 'a' | 'b') => {
      // Only B can answer roots/list.
      const roots = who === 'b' ? [{ uri: 'file:///b' }] : undefined;
      const c = await connectHttp(serve.url, { name: who, hooks: { sampling: () => `answer from ${who}`, roots } });
      cleanups.push(() => c.close().catch(() => {}));
      c.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void logs[who]!.push(String(n.params.data)));
      return c;
    };
    const a = await connect('a');
    const b = await connect('b');
    expect(await call(a, 'fs_1mcp_sample', { prompt: 'hi' })).toBe('answer from a');
    expect(await call(b, 'fs_1mcp_sample', { prompt: 'hi' })).toBe('answer from b');
    // A's instance asked A for roots, A could not answer: it gets A's error, never B's roots.
    const rootsOfA = await waitFor(async () => (await stats(a)).roots, { what: "A's instance to get an answer about roots" });
    expect(JSON.stringify(rootsOfA)).not.toContain('file:///b');
    expect(rootsOfA).toMatchObject({ error: expect.any(String) });

    expect(await call(a, 'fs_1mcp_log', { level: 'warning', message: 'for a' })).toBe('logged');
    await waitFor(() => logs.a!.includes('for a'), { what: "A's instance log to reach A" });
    // B's own instance still runs its own level: B turning it up does not filter A.
    await b.setLoggingLevel('error');
    expect(await call(b, 'fs_1mcp_log', { level: 'warning', message: 'for b' })).toBe('filtered');
    expect(await call(a, 'fs_1mcp_log', { level: 'warning', message: 'again for a' })).toBe('logged');
    await waitFor(() => logs.a!.includes('again for a'), { what: "A's second log" });
    expect(logs.b).toEqual([]);
  });

  test('instances also end with a legacy SSE session and with a 1mcp proxy that exits', async () => {
    const serve = await serveWith({ mcpServers: { fs: perSession() } });
    const sse = await connectSse(serve.url.replace(/\/mcp$/, '/sse'), 'legacy');
    const ssePid = Number(await call(sse, 'fs_1mcp_pid'));
    const home = makeTempDir();
    cleanups.push(() => home.cleanup());
    const proxy = await connectProxy({ home: home.path, cwd: home.path, args: ['--url', serve.url] });
    const proxyPid = Number(await call(proxy.client, 'fs_1mcp_pid'));
    expect(ssePid).not.toBe(proxyPid);
    expect((await status(serve, 'fs')).instances).toBe(2);

    await sse.close();
    await waitFor(() => !isAlive(ssePid), { what: "the SSE session's instance to stop" });
    // Codex ends a proxy by closing its stdin; the proxy ends its session on the way out.
    await proxy.client.close();
    await waitFor(() => !isAlive(proxyPid), { what: "the proxy session's instance to stop" });
    expect((await status(serve, 'fs')).instances).toBe(0);
  });

  test("resource subscriptions are made on the session's own instance and its updates reach only that session", async () => {
    const serve = await serveWith({ mcpServers: { fs: perSession() } });
    const uri = 'fixture://fs/static';
    const updates: Record<string, number> = { a: 0, b: 0 };
    const connect = async (who: 'a' | 'b') => {
      const c = await client(serve, who);
      c.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => void (n.params.uri === uri && updates[who]!++));
      await c.subscribeResource({ uri });
      return c;
    };
    const a = await connect('a');
    const b = await connect('b');
    expect((await stats(a)).subscriptions).toEqual([uri]);
    // The fixture announces an update to every session of its own process: only A's instance hears A's touch.
    await call(a, 'fs_1mcp_touch', { uri });
    await waitFor(() => updates.a === 1, { what: 'the update to reach A' });
    await call(b, 'fs_1mcp_touch', { uri });
    await waitFor(() => updates.b === 1, { what: 'the update to reach B' });
    expect(updates.a).toBe(1);

    await a.unsubscribeResource({ uri });
    expect((await stats(a)).subscriptions).toEqual([]);
    expect((await stats(b)).subscriptions).toEqual([uri]);
  });

  test('an expired session stops its instance', async () => {
    // 0.05 minutes = 3 s of idleness.
    const serve = await serveWith({ mcpServers: { fs: perSession() } }, ['--session-idle-timeout', '0.05']);
    const a = await client(serve, 'a');
    const pid = Number(await call(a, 'fs_1mcp_pid'));
    expect(isAlive(pid)).toBe(true);
    await waitFor(() => !isAlive(pid), { timeout: 15_000, what: 'the idle session and its instance to end' });
    expect((await status(serve, 'fs')).instances).toBe(0);
  });

  test('hot reload: a changed entry restarts the instances, a removed one stops them, scope "shared" ends them', async () => {
    const config = { mcpServers: { fs: perSession() } as Record<string, any> };
    const serve = await serveWith(config);
    const a = await client(serve, 'a');
    const first = Number(await call(a, 'fs_1mcp_pid'));

    // Changed command line: the old instance stops; the session's next call runs the new entry.
    config.mcpServers.fs = perSession({ env: { MARK: 'v2' } });
    serve.writeConfig(config);
    await waitFor(() => !isAlive(first), { what: 'the old instance to stop after the change' });
    const second = await waitFor(async () => {
      const text = await call(a, 'fs_1mcp_env', { name: 'MARK' }).catch(() => '');
      return text === 'v2' ? Number(await call(a, 'fs_1mcp_pid')) : undefined;
    }, { what: 'a new instance with the new entry' });
    expect(second).not.toBe(first);

    // Back to shared scope: the per-session instance ends; calls go to the one shared process.
    config.mcpServers.fs.scope = 'shared';
    serve.writeConfig(config);
    await waitFor(() => !isAlive(second), { what: 'the instance to stop when the scope becomes shared' });
    const listing = (await status(serve, 'fs')).pid;
    expect(Number(await call(a, 'fs_1mcp_pid'))).toBe(listing);

    // Session scope again, then removal: the instance stops with the entry.
    config.mcpServers.fs.scope = 'session';
    serve.writeConfig(config);
    const third = await waitFor(async () => {
      const pid = Number(await call(a, 'fs_1mcp_pid').catch(() => '0'));
      return pid && pid !== listing ? pid : undefined;
    }, { what: 'a per-session instance again' });
    delete config.mcpServers.fs;
    serve.writeConfig(config);
    await waitFor(() => !isAlive(third), { what: 'the instance to stop when the entry is removed' });
  });

  test('an instance that exited for good is replaced on the next call; mcp restart restarts the instances', async () => {
    const serve = await serveWith({ mcpServers: { fs: fixtureEntry(['--name', 'fs'], { scope: 'session', restartOnExit: false }) } });
    const a = await client(serve, 'a');
    const first = Number(await call(a, 'fs_1mcp_pid'));
    await a.callTool({ name: 'fs_1mcp_crash', arguments: {} }).catch(() => {});
    await waitFor(() => !isAlive(first), { what: 'the instance to exit' });
    const second = Number(await call(a, 'fs_1mcp_pid'));
    expect(second).not.toBe(first);

    const restart = await fetch(`${serve.origin}/api/servers/fs/restart`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(restart.status).toBe(200);
    await waitFor(() => !isAlive(second), { what: 'the instance to stop on restart' });
    const third = await waitFor(async () => Number(await call(a, 'fs_1mcp_pid').catch(() => '0')) || undefined, { what: 'a fresh instance after the restart' });
    expect([first, second]).not.toContain(third);
  });

  test('invalid scope values are refused with the server and field named', async () => {
    const tmp = makeTempDir();
    cleanups.push(() => tmp.cleanup());
    writeFileSync(join(tmp.path, 'mcp.json'), JSON.stringify({ mcpServers: { fs: { command: 'x', scope: 'per-client', maxInstances: 0 } } }));
    const r = await runCli(['mcp', 'list', '--config-dir', tmp.path]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('server "fs", field "scope"');
    expect(r.stderr).toContain('field "maxInstances"');
  });

  test('mcp add --per-session writes "scope": "session"', async () => {
    const tmp = makeTempDir();
    cleanups.push(() => tmp.cleanup());
    const r = await runCli(['mcp', 'add', 'files', '--per-session', '--config-dir', tmp.path, '--', 'npx', '-y', '@modelcontextprotocol/server-filesystem', '/tmp']);
    expect(r.code).toBe(0);
    const written = JSON.parse(readFileSync(join(tmp.path, 'mcp.json'), 'utf8'));
    expect(written.mcpServers.files).toMatchObject({ command: 'npx', scope: 'session' });
    // Without the flag nothing is written: shared is the default.
    await runCli(['mcp', 'add', 'plain', '--config-dir', tmp.path, '--', 'node', 'x.js']);
    expect(JSON.parse(readFileSync(join(tmp.path, 'mcp.json'), 'utf8')).mcpServers.plain.scope).toBeUndefined();
  });
});
