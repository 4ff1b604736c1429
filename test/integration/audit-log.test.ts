/**
 * serve --audit-log against a real serve, real backends and SDK clients: one JSON line per
 * tools/call, prompts/get and resources/read with the right fields and outcomes; arguments only with
 * --audit-args, and then without secrets (argument keys that name one, Bearer values, the caller's own
 * token); the file is 0600; rotation at --audit-max-size keeps every line whole; no file without the
 * flag; bad flags are one-line usage errors before anything listens.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.ts';
import { fixtureEntry } from '../helpers/fixture.ts';
import { connectHttp } from '../helpers/mcp-client.ts';
import { waitFor } from '../helpers/processes.ts';
import { startServe, type ServeHandle } from '../helpers/serve.ts';
import { makeTempDir, type TempDir } from '../helpers/tmp.ts';

const readLines = (path: string) =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, any>);

describe('serve --audit-log --audit-args (with --enable-auth)', () => {
  let serve: ServeHandle;
  let tmp: TempDir;
  let auditPath: string;
  let token: string;
  let client: Client;

  beforeAll(async () => {
    tmp = makeTempDir('1mcp-audit-');
    // A folder that does not exist yet: serve creates it (0700).
    auditPath = join(tmp.path, 'logs', 'audit.jsonl');
    serve = await startServe(
      { mcpServers: { a: fixtureEntry(['--name', 'a', '--conformance', '--fidelity']), slowpoke: fixtureEntry(['--name', 'slowpoke'], { requestTimeout: 300 }) } },
      { args: ['--enable-auth', '--audit-log', auditPath, '--audit-args'] },
    );
    const r = await runCli(['auth', 'token', 'create', '--name', 'ci-bot', '--config-dir', serve.dir]);
    expect(r.code).toBe(0);
    token = r.stdout.trim();
    client = await connectHttp(`${serve.url}?app=auditor`, { headers: { authorization: `Bearer ${token}` } });
  });
  afterAll(async () => {
    await client?.close().catch(() => {});
    await serve.stop();
    tmp.cleanup();
  });

  test('one line per call with the right fields and outcome; no secret in the file; 0600', async () => {
    const secretArgs = { text: 'hello', token: 'sekrit-value-1', api_key: 'k-abc-123', nested: { password: 'hunter2' }, note: 'Authorization: Bearer abc.def-123', bearer: `Bearer ${token}` };
    await client.callTool({ name: 'a_1mcp_echo', arguments: secretArgs });
    expect((await client.callTool({ name: 'a_1mcp_test_error_handling', arguments: {} })).isError).toBe(true);
    await expect(client.callTool({ name: 'a_1mcp_fail', arguments: { code: -32050, message: 'nope' } })).rejects.toThrow('nope');
    await expect(client.callTool({ name: 'slowpoke_1mcp_hang', arguments: {} })).rejects.toThrow(/no answer within 300 ms/);
    const abort = new AbortController();
    const cancelled = client.callTool({ name: 'a_1mcp_slow', arguments: { ms: 5000 } }, undefined, { signal: abort.signal });
    setTimeout(() => abort.abort('enough'), 200);
    await expect(cancelled).rejects.toThrow();
    await client.getPrompt({ name: 'a_1mcp_greet', arguments: { name: 'Ada' } });
    const uri = (await client.listResources()).resources.find((r) => r.uri.includes('fixture://a/static'))!.uri;
    await client.readResource({ uri });
    // Not audited: lists, and calls that reach no backend.
    await client.listTools();
    await expect(client.callTool({ name: 'nobody_1mcp_nothing', arguments: {} })).rejects.toThrow(/unknown tool/);

    const lines = await waitFor(() => (existsSync(auditPath) && readLines(auditPath).length >= 7 ? readLines(auditPath) : undefined), { timeout: 5000, what: '7 audit lines' });
    await Bun.sleep(100);
    expect(readLines(auditPath).length).toBe(7);
    const sessionId = (client.transport as StreamableHTTPClientTransport).sessionId;
    for (const l of lines) {
      expect(l.session).toBe(sessionId);
      expect(l.app).toBe('auditor');
      expect(l.tokenName).toBe('ci-bot');
      expect(l.view).toBe('all servers');
      expect(Number.isNaN(Date.parse(l.time))).toBe(false);
      expect(typeof l.durationMs).toBe('number');
    }
    const pick = ({ server, method, tool, prompt, outcome, code }: Record<string, any>) => ({ server, method, tool, prompt, outcome, code });
    expect(lines.map(pick)).toEqual([
      { server: 'a', method: 'tools/call', tool: 'echo', prompt: undefined, outcome: 'ok', code: undefined },
      { server: 'a', method: 'tools/call', tool: 'test_error_handling', prompt: undefined, outcome: 'tool-error', code: undefined },
      { server: 'a', method: 'tools/call', tool: 'fail', prompt: undefined, outcome: 'rpc-error', code: -32050 },
      { server: 'slowpoke', method: 'tools/call', tool: 'hang', prompt: undefined, outcome: 'timeout', code: -32001 },
      { server: 'a', method: 'tools/call', tool: 'slow', prompt: undefined, outcome: 'cancelled', code: undefined },
      { server: 'a', method: 'prompts/get', tool: undefined, prompt: 'greet', outcome: 'ok', code: undefined },
      { server: 'a', method: 'resources/read', tool: undefined, prompt: undefined, outcome: 'ok', code: undefined },
    ]);
    expect(lines[2]!.error).toBe('nope');
    expect(lines[3]!.durationMs).toBeGreaterThanOrEqual(250);
    expect(lines[6]!.uri).toBe('fixture://a/static');
    // --audit-args: arguments are there, with every secret masked.
    expect(lines[0]!.arguments).toEqual({ text: 'hello', token: '***', api_key: '***', nested: { password: '***' }, note: 'Authorization: Bearer ***', bearer: '***' });
    expect(lines[5]!.arguments).toEqual({ name: 'Ada' });
    const text = readFileSync(auditPath, 'utf8');
    for (const secret of ['sekrit-value-1', 'k-abc-123', 'hunter2', 'abc.def-123', token, token.slice(5)]) expect(text).not.toContain(secret);
    expect(statSync(auditPath).mode & 0o777).toBe(0o600);
    expect(statSync(join(tmp.path, 'logs')).mode & 0o777).toBe(0o700);
  });

  test('a stateless 2026-07-28 tools/call is audited (no session) and counted in /metrics', async () => {
    const version = '2026-07-28';
    const params = { name: 'a_1mcp_echo', arguments: { text: 'modern', password: 'pw-modern-1' }, _meta: { 'io.modelcontextprotocol/protocolVersion': version, 'io.modelcontextprotocol/clientCapabilities': {}, 'io.modelcontextprotocol/clientInfo': { name: 'modern', version: '1' } } };
    const r = await fetch(`${serve.url}?app=modern-app`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': version, 'mcp-method': 'tools/call', 'mcp-name': 'a_1mcp_echo', authorization: `Bearer ${token}` },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params }),
    });
    expect(r.status).toBe(200);
    expect(await r.text()).toContain('modern');
    const line = await waitFor(() => readLines(auditPath).find((l) => l.app === 'modern-app'), { timeout: 5000, what: 'the modern call in the audit log' });
    expect(line).toMatchObject({ view: 'all servers', server: 'a', method: 'tools/call', tool: 'echo', outcome: 'ok', arguments: { text: 'modern', password: '***' } });
    expect(line.session).toBeUndefined();
    expect(readFileSync(auditPath, 'utf8')).not.toContain('pw-modern-1');
    const metrics = await (await fetch(`${serve.origin}/metrics`, { headers: { authorization: `Bearer ${token}` } })).text();
    expect(metrics).toContain('onemcp_tool_calls_total{server="a",tool="echo",outcome="ok"} 2');
  });
});

describe('audit log rotation and absence', () => {
  let tmp: TempDir;
  beforeAll(() => {
    tmp = makeTempDir('1mcp-audit-rot-');
  });
  afterAll(() => tmp.cleanup());

  test('rotated at --audit-max-size: every file within the limit, 0600, every line whole; no arguments without --audit-args', async () => {
    const auditPath = join(tmp.path, 'audit.jsonl');
    const serve = await startServe({ mcpServers: { a: fixtureEntry(['--name', 'a']) } }, { args: ['--audit-log', auditPath, '--audit-max-size', '2k'] });
    try {
      const client = await connectHttp(serve.url);
      const calls = 20;
      for (let i = 0; i < calls; i++) await client.callTool({ name: 'a_1mcp_echo', arguments: { text: `call ${i} ${'x'.repeat(200)}` } });
      await client.close();
      const files = () => readdirSync(tmp.path).filter((f) => f.startsWith('audit.jsonl')).sort();
      const all = () => files().flatMap((f) => readLines(join(tmp.path, f)));
      await waitFor(() => all().length === calls, { timeout: 5000, what: `${calls} audit lines over the rotated files` });
      expect(files().length).toBeGreaterThanOrEqual(2);
      expect(files()).toContain('audit.jsonl.1');
      for (const f of files()) {
        const st = statSync(join(tmp.path, f));
        expect(st.size).toBeLessThanOrEqual(2048);
        expect(st.mode & 0o777).toBe(0o600);
      }
      // Oldest first: .N … .1, then the current file.
      const ordered = [...files().filter((f) => f !== 'audit.jsonl').sort((x, y) => Number(y.split('.').pop()) - Number(x.split('.').pop())), 'audit.jsonl'];
      const lines = ordered.flatMap((f) => readLines(join(tmp.path, f)));
      expect(lines.map((l) => l.tool)).toEqual(Array(calls).fill('echo'));
      expect(lines.every((l) => l.arguments === undefined && l.tokenName === undefined && l.app === undefined)).toBe(true);
    } finally {
      await serve.stop();
    }
  });

  test('without --audit-log no audit file is written', async () => {
    const serve = await startServe({ mcpServers: { a: fixtureEntry(['--name', 'a']) } });
    try {
      const before = readdirSync(serve.dir).sort();
      const client = await connectHttp(serve.url);
      await client.callTool({ name: 'a_1mcp_echo', arguments: { text: 'x' } });
      await client.close();
      await Bun.sleep(100);
      expect(readdirSync(serve.dir).sort()).toEqual(before);
      expect(before.some((f) => /audit/.test(f))).toBe(false);
    } finally {
      await serve.stop();
    }
  });

  test('bad flags: one-line usage errors before anything listens; a symlink is refused', async () => {
    const dir = join(tmp.path, 'cfg');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'mcp.json'), JSON.stringify({ mcpServers: {} }));
    const serveWith = (...args: string[]) => runCli(['serve', '--port', '0', '--config-dir', dir, ...args]);
    const noLog = await serveWith('--audit-args');
    expect(noLog.code).not.toBe(0);
    expect(noLog.stderr).toContain('--audit-args records arguments in the audit log: add --audit-log <file>');
    const badSize = await serveWith('--audit-log', join(tmp.path, 'x.jsonl'), '--audit-max-size', 'ten');
    expect(badSize.code).not.toBe(0);
    expect(badSize.stderr).toContain('--audit-max-size must be a size such as 10MiB, 500k or 1048576 (bytes); got "ten"');
    expect(existsSync(join(tmp.path, 'x.jsonl'))).toBe(false);
    const target = join(tmp.path, 'elsewhere.txt');
    writeFileSync(target, '');
    symlinkSync(target, join(tmp.path, 'link.jsonl'));
    const link = await serveWith('--audit-log', join(tmp.path, 'link.jsonl'));
    expect(link.code).not.toBe(0);
    expect(link.stderr).toContain(`cannot open the audit log ${join(tmp.path, 'link.jsonl')}: refusing to write the log`);
    expect(readFileSync(target, 'utf8')).toBe('');
    for (const r of [noLog, badSize, link]) expect(r.stderr.trim().split('\n').length).toBe(1);
  });
});
