/**
 * The HTTP edge under attack (issue 10 items 5, 6, 8, 12; issue 11 item 12), each against a real serve:
 * tag-limited tokens on /api and /health, redacted stderr, cross-site origins, JSON-only state changes,
 * a non-loopback bind without auth, sessions bound to the token hash and closed on revoke/expiry,
 * malformed `expires`, malformed path encoding, an empty ?tags=, and the config problem in /api/status.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hashToken, newToken } from '../../src/config/tokens.ts';
import { runCli } from '../helpers/cli.ts';
import { fixtureCommand, fixtureEntry } from '../helpers/fixture.ts';
import { connectHttp, textOf } from '../helpers/mcp-client.ts';
import { waitFor } from '../helpers/processes.ts';
import { JSON_HEADERS } from '../helpers/raw-http.ts';
import { startServe, type ServeHandle } from '../helpers/serve.ts';

const LEAKED = 'sk-proj-Zx8kP2qL9mN4vB7cX1wE5rT3';
const INIT = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } });

/** A fixture that first prints a secret to stderr, as a misconfigured server does. */
function leakyEntry(name: string, tags: string[]) {
  const { command, args } = fixtureCommand(['--name', name]);
  const quoted = [command, ...args].map((a) => `'${a}'`).join(' ');
  return { command: 'sh', args: ['-c', `echo "starting with OPENAI_API_KEY=${LEAKED} Authorization: Bearer ${LEAKED}" >&2; exec ${quoted}`], tags };
}

interface Tokens {
  [name: string]: { secret: string; tags?: string[]; expires?: string };
}

function writeTokens(dir: string, tokens: Tokens): void {
  const file = { version: 1, tokens: {} as Record<string, unknown> };
  for (const [name, t] of Object.entries(tokens)) {
    file.tokens[name] = { name, hash: hashToken(t.secret), ...(t.tags ? { tags: t.tags } : {}), created: new Date().toISOString(), ...(t.expires !== undefined ? { expires: t.expires } : {}) };
  }
  writeFileSync(join(dir, 'tokens.json'), JSON.stringify(file, null, 2), { mode: 0o600 });
}

const bearer = (secret: string) => ({ authorization: `Bearer ${secret}` });

describe('serve --enable-auth: scope, redaction, origins, token-bound sessions', () => {
  let serve: ServeHandle;
  const tokens: Tokens = { full: { secret: newToken() }, pub: { secret: newToken(), tags: ['public'] } };
  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${serve.origin}${path}`, { headers });
  const ready = () => waitFor(async () => (await get('/health/ready')).status === 200, { what: 'backends ready (after a restart)' });
  const post = (path: string, headers: Record<string, string> = {}, body = '{}') => fetch(`${serve.origin}${path}`, { method: 'POST', headers, body });

  beforeAll(async () => {
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), '1mcp-edge-'));
    writeTokens(dir, tokens);
    serve = await startServe(
      { mcpServers: { open: fixtureEntry(['--name', 'open'], { tags: ['public'] }), secret: leakyEntry('secret', ['secret']) } },
      { dir, args: ['--enable-auth', '--health-info-level', 'full', '--allow-origin', 'http://localhost:5173'] },
    );
    await waitFor(async () => ((await (await get('/api/status', bearer(tokens.full!.secret))).json()) as any).servers.find((s: any) => s.name === 'secret')?.stderrTail?.length > 0, { what: 'the leak in stderr' });
  });
  afterAll(async () => {
    const { rmSync } = await import('node:fs');
    const dir = serve.dir;
    await serve.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a tag-limited token: /api/status lists only its servers; other servers are 404 for tools and restart; nothing leaks', async () => {
    const scoped = await get('/api/status', bearer(tokens.pub!.secret));
    expect(scoped.status).toBe(200);
    const body = await scoped.text();
    expect(JSON.parse(body).servers.map((s: { name: string }) => s.name)).toEqual(['open']);
    expect(body).not.toContain('secret');
    expect(body).not.toContain(LEAKED);

    const hidden = await get('/api/servers/secret/tools', bearer(tokens.pub!.secret));
    const missing = await get('/api/servers/nosuch/tools', bearer(tokens.pub!.secret));
    expect(hidden.status).toBe(404);
    expect(missing.status).toBe(404);
    // Indistinguishable from a server that does not exist (only the name differs).
    expect((await hidden.text()).replace('secret', 'X')).toBe((await missing.text()).replace('nosuch', 'X'));

    const pidBefore = ((await (await get('/api/status', bearer(tokens.full!.secret))).json()) as any).servers.find((s: any) => s.name === 'secret').pid;
    const restart = await post('/api/servers/secret/restart', { ...bearer(tokens.pub!.secret), 'content-type': 'application/json' });
    expect(restart.status).toBe(404);
    const after = ((await (await get('/api/status', bearer(tokens.full!.secret))).json()) as any).servers.find((s: any) => s.name === 'secret');
    expect(after.pid).toBe(pidBefore);
    expect(after.restarts).toBe(0);

    // The legitimate path: its own server's tools and restart.
    expect((await get('/api/servers/open/tools', bearer(tokens.pub!.secret))).status).toBe(200);
    const own = await post('/api/servers/open/restart', { ...bearer(tokens.pub!.secret), 'content-type': 'application/json' });
    expect(own.status).toBe(200);
    expect(((await own.json()) as { restarted: string }).restarted).toBe('open');
  });

  test('an unrestricted token sees everything, with the stderr tail and errors redacted', async () => {
    const text = await (await get('/api/status', bearer(tokens.full!.secret))).text();
    const status = JSON.parse(text);
    expect(status.servers.map((s: { name: string }) => s.name).sort()).toEqual(['open', 'secret']);
    const tail = status.servers.find((s: any) => s.name === 'secret').stderrTail.join('\n');
    expect(tail).toContain('OPENAI_API_KEY=***');
    expect(tail).toContain('Bearer ***');
    expect(text).not.toContain(LEAKED);
    const health = await (await get('/health', bearer(tokens.full!.secret))).text();
    expect(health).toContain('serverStates');
    expect(health).not.toContain(LEAKED);
  });

  test('/health details need a token; liveness and readiness stay open; a scoped token sees only its servers', async () => {
    await ready();
    const anonymous = (await (await get('/health')).json()) as Record<string, unknown>;
    expect(anonymous.status).toBe('healthy');
    expect(anonymous.serverStates).toBeUndefined();
    expect(anonymous.pid).toBeUndefined();
    expect((await get('/health/live')).status).toBe(200);
    expect((await get('/health/ready')).status).toBe(200);
    expect((await get('/health/mcp')).status).toBe(401);
    expect((await get('/health/mcp/open')).status).toBe(401);
    expect((await get('/health', bearer('1mcp_wrong'))).status).toBe(401);

    const scopedList = (await (await get('/health/mcp', bearer(tokens.pub!.secret))).json()) as { servers: { name: string }[] };
    expect(scopedList.servers.map((s) => s.name)).toEqual(['open']);
    expect((await get('/health/mcp/secret', bearer(tokens.pub!.secret))).status).toBe(404);
    expect((await get('/health/mcp/open', bearer(tokens.pub!.secret))).status).toBe(200);
    const scopedHealth = (await (await get('/health', bearer(tokens.pub!.secret))).json()) as { serverStates: Record<string, unknown> };
    expect(Object.keys(scopedHealth.serverStates)).toEqual(['open']);
  });

  test('cross-site: Origin null, port-less, wrong scheme or foreign origins are refused; our own and --allow-origin pass', async () => {
    const restart = (origin: string) => post('/api/servers/open/restart', { ...bearer(tokens.full!.secret), 'content-type': 'application/json', origin });
    for (const origin of ['null', 'http://localhost', 'http://127.0.0.1', `https://localhost:${serve.port}`, `http://localhost:${serve.port + 1}`, 'http://evil.example', `http://evil.example:${serve.port}`, 'http://localhost:5173.evil.example']) {
      const r = await restart(origin);
      expect({ origin, status: r.status }).toEqual({ origin, status: 403 });
      expect(await r.text()).toContain('--allow-origin');
    }
    // The same Origin rules on /mcp (a page's fetch to the MCP endpoint).
    expect((await fetch(serve.url, { method: 'POST', headers: { ...JSON_HEADERS, ...bearer(tokens.full!.secret), origin: 'null' }, body: INIT })).status).toBe(403);
    for (const origin of [`http://localhost:${serve.port}`, `http://127.0.0.1:${serve.port}`, 'http://localhost:5173']) {
      const r = await restart(origin);
      expect({ origin, status: r.status }).toEqual({ origin, status: 200 });
    }
  });

  test('POST /api/* needs Content-Type: application/json (a form post cannot restart anything)', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const r = await post('/api/servers/open/restart', { ...bearer(tokens.full!.secret), 'content-type': type }, 'x=1');
      expect(r.status).toBe(415);
      expect(await r.text()).toContain('application/json');
    }
    const none = await fetch(`${serve.origin}/api/servers/open/restart`, { method: 'POST', headers: bearer(tokens.full!.secret) });
    expect(none.status).toBe(415);
  });

  test('sessions are bound to the token hash: revoking closes them at once; a re-created token of the same name inherits nothing', async () => {
    await ready();
    const openSessions = async () => ((await (await get('/api/status', bearer(tokens.full!.secret))).json()) as { sessions: number }).sessions;
    const before = await openSessions();
    const temp = { secret: newToken() };
    writeTokens(serve.dir, { ...tokens, temp });
    const init = await fetch(serve.url, { method: 'POST', headers: { ...JSON_HEADERS, ...bearer(temp.secret) }, body: INIT });
    expect(init.status).toBe(200);
    const sessionId = init.headers.get('mcp-session-id')!;
    await init.text();
    const headers = { ...JSON_HEADERS, 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-06-18' };
    await (await fetch(serve.url, { method: 'POST', headers: { ...headers, ...bearer(temp.secret) }, body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) })).text();
    expect(await openSessions()).toBe(before + 1);

    // Revoke "temp" and create a new token with the same name: the session closes without any request of its own.
    const reborn = { secret: newToken() };
    writeTokens(serve.dir, { ...tokens, temp: reborn });
    await waitFor(async () => (await openSessions()) === before, { what: 'the revoked token’s session to close' });
    await waitFor(() => serve.stderr().includes('closed 1 session of a revoked or expired token'), { what: 'the log line' });

    const reuse = await fetch(serve.url, { method: 'POST', headers: { ...headers, ...bearer(reborn.secret) }, body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }) });
    expect(reuse.status).toBe(404);
    expect((await fetch(serve.url, { method: 'POST', headers: { ...JSON_HEADERS, ...bearer(temp.secret) }, body: INIT })).status).toBe(401);
    // The new token itself works.
    const client = await connectHttp(serve.url, 'reborn', bearer(reborn.secret));
    expect(textOf(await client.callTool({ name: 'open_1mcp_echo', arguments: { text: 'hi' } }))).toBe('hi');
    await client.close();
    writeTokens(serve.dir, tokens);
  });

  test('an expiring token: its open session is closed when it expires, without any request', async () => {
    await ready();
    const brief = { secret: newToken(), expires: new Date(Date.now() + 2500).toISOString() };
    writeTokens(serve.dir, { ...tokens, brief });
    const client = await connectHttp(serve.url, 'brief', bearer(brief.secret));
    let closed = false;
    client.onclose = () => (closed = true);
    expect(textOf(await client.callTool({ name: 'open_1mcp_echo', arguments: { text: 'before' } }))).toBe('before');
    const sessionId = (client.transport as { sessionId?: string }).sessionId!;
    await waitFor(async () => {
      const r = await fetch(serve.url, { method: 'POST', headers: { ...JSON_HEADERS, 'mcp-session-id': sessionId, ...bearer(tokens.full!.secret) }, body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'ping' }) });
      await r.text();
      return r.status === 404; // gone (not 403 "another token's session")
    }, { timeout: 10_000, what: 'the expired token’s session to be closed' });
    expect((await fetch(serve.url, { method: 'POST', headers: { ...JSON_HEADERS, ...bearer(brief.secret) }, body: INIT })).status).toBe(401);
    void closed;
    await client.close().catch(() => {});
    writeTokens(serve.dir, tokens);
  });

  test('a malformed "expires" means expired (refused, with a log line), never "valid forever"', async () => {
    const typo = { secret: newToken(), expires: 'next tuesday' };
    const numeric = { secret: newToken(), expires: 4102444800000 as unknown as string };
    writeTokens(serve.dir, { ...tokens, typo, numeric });
    for (const t of [typo, numeric]) {
      const r = await fetch(serve.url, { method: 'POST', headers: { ...JSON_HEADERS, ...bearer(t.secret) }, body: INIT });
      expect(r.status).toBe(401);
      expect(await r.text()).toContain('expired');
    }
    await waitFor(() => serve.stderr().includes('token "typo" has an invalid "expires" value'), { what: 'the log line' });
    writeTokens(serve.dir, tokens);
    // Tokens still fine afterwards.
    expect((await get('/api/status', bearer(tokens.full!.secret))).status).toBe(200);
  });

  test('malformed percent-encoding in a path is a 400, with no stack trace in the log', async () => {
    for (const path of ['/health/mcp/%E0%A4%A', '/api/servers/%E0%A4%A/tools', '/mcp%']) {
      const r = await get(path, bearer(tokens.full!.secret));
      expect({ path, status: r.status }).toEqual({ path, status: 400 });
      expect(await r.text()).toContain('percent-encoding');
    }
    expect(serve.stderr()).not.toContain('URIError');
    expect(serve.stderr()).not.toMatch(/\n\s+at /);
    expect((await get('/health/mcp/open', bearer(tokens.full!.secret))).status).toBe(200);
  });
});

describe('serve without auth', () => {
  test('an empty ?tags= is a 400 naming the parameter; a real tag list still works', async () => {
    const serve = await startServe({ mcpServers: { files: fixtureEntry(['--name', 'files'], { tags: ['files'] }) } });
    try {
      for (const query of ['?tags=', '?tags=,', '?tags=%20', '?tag-filter=']) {
        const r = await fetch(`${serve.url}${query}`, { method: 'POST', headers: JSON_HEADERS, body: INIT });
        expect({ query, status: r.status }).toEqual({ query, status: 400 });
        expect(await r.text()).toMatch(/\?tags=|\?tag-filter=/);
      }
      const sse = await fetch(`${serve.origin}/sse?tags=`);
      expect(sse.status).toBe(400);
      const client = await connectHttp(`${serve.url}?tags=files`);
      expect((await client.listTools()).tools.length).toBeGreaterThan(0);
      await client.close();
    } finally {
      await serve.stop();
    }
  });

  test('/api/status shows why mcp.json is not loaded while a reload fails, and clears it once fixed', async () => {
    const good = { mcpServers: { files: fixtureEntry(['--name', 'files']) } };
    const serve = await startServe(good);
    try {
      const problems = async () => ((await (await fetch(`${serve.origin}/api/status`)).json()) as { problems: { message: string }[] }).problems;
      expect(await problems()).toEqual([]);
      writeFileSync(join(serve.dir, 'mcp.json'), '{ "mcpServers": { "files": { "command": 42 } } }');
      const seen = await waitFor(async () => (await problems()).find((p) => p.message.includes('mcp.json')), { what: 'the reload problem in /api/status' });
      expect(seen.message).toContain('previous configuration');
      serve.writeConfig(good);
      await waitFor(async () => (await problems()).length === 0, { what: 'the problem to clear' });
    } finally {
      await serve.stop();
    }
  });

  test('a non-loopback bind without --enable-auth warns about the risk; the banner shows the address bound', async () => {
    const serve = await startServe({}, { args: ['--host', '0.0.0.0'] });
    try {
      const err = serve.stderr();
      expect(err).toContain('without --enable-auth');
      expect(err).toContain(`bound to 0.0.0.0:${serve.port}, all interfaces`);
      expect((await fetch(`${serve.origin}/health`)).status).toBe(200);
    } finally {
      await serve.stop();
    }
  });

  test('backend stderr written to the log (--log-level debug) is redacted too', async () => {
    const serve = await startServe({ mcpServers: { secret: leakyEntry('secret', ['secret']) } }, { args: ['--log-level', 'debug'] });
    try {
      await waitFor(() => serve.stderr().includes('OPENAI_API_KEY=***'), { what: 'the redacted stderr line in the log' });
      expect(serve.stderr()).not.toContain(LEAKED);
    } finally {
      await serve.stop();
    }
  });

  test('bad edge flags are usage errors before anything listens', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), '1mcp-flags-'));
    try {
      const cases: [string[], RegExp][] = [
        [['--allow-origin', 'null'], /--allow-origin "null" is not an origin/],
        [['--allow-origin', 'http://localhost:5173/app'], /only scheme, host and port/],
        [['--max-sessions', '0'], /--max-sessions must be a whole number ≥ 1/],
        [['--body-timeout', '0'], /--body-timeout must be/],
      ];
      for (const [args, message] of cases) {
        const r = await runCli(['serve', '--port', '0', '--config-dir', dir, ...args]);
        expect({ args, code: r.code }).toEqual({ args, code: 2 });
        expect(r.stderr).toMatch(message);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
