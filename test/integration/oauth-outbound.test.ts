/**
 * OAuth to remote servers, end to end with real parts: a real serve, the real CLI (`1mcp mcp auth
 * --no-browser`), and a protected MCP server behind the MCP SDK's own authorization server
 * (test/fixtures/oauth-protected-server.ts: metadata discovery, dynamic registration, PKCE, token
 * rotation). The browser is played by fetch: open the printed link, submit the login form, follow the
 * redirect to the CLI's loopback callback.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { BUN_BIN, cliCommand, ROOT, runCli } from '../helpers/cli.ts';
import { connectHttp, textOf } from '../helpers/mcp-client.ts';
import { assertNoSurvivors, killTree, readLine, spawnTracked, waitFor, waitForExit } from '../helpers/processes.ts';
import { startServe, type ServeHandle } from '../helpers/serve.ts';

const FIXTURE = join(ROOT, 'test', 'fixtures', 'oauth-protected-server.ts');
const TTL_SECONDS = 3;

interface Guarded {
  origin: string;
  child: ChildProcess;
  stats(): Promise<{ registrations: number; authorizations: number; codeExchanges: number; refreshes: number; unauthorized: number; tokensSeen: string[] }>;
  stop(): Promise<void>;
}

async function startGuarded(extra: string[] = []): Promise<Guarded> {
  const child = spawnTracked(BUN_BIN, [FIXTURE, '--ttl', String(TTL_SECONDS), '--password', 'pw', ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const [, port] = await readLine(child.stdout!, /^LISTENING (\d+)$/).catch((e) => {
    throw new Error(`${e.message}\n${stderr}`);
  });
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    child,
    stats: async () => (await fetch(`${origin}/admin/stats`)).json(),
    async stop() {
      killTree(child.pid!);
      await waitForExit(child);
    },
  };
}

interface ServerStatus {
  name: string;
  state: string;
  restarts: number;
  lastError?: string;
}

async function stateOf(serve: ServeHandle, name = 'guarded'): Promise<ServerStatus> {
  const body = (await (await fetch(`${serve.origin}/api/status`)).json()) as { servers: ServerStatus[] };
  return body.servers.find((s) => s.name === name)!;
}

/** `1mcp mcp auth guarded --no-browser`, with the browser's part done by fetch; returns the CLI's output. */
async function login(serve: ServeHandle, guarded: Guarded, password = 'pw', env: Record<string, string> = {}, resource = `${guarded.origin}/mcp`): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const [cmd, ...pre] = cliCommand();
  const cli = spawnTracked(cmd!, [...pre, 'mcp', 'auth', 'guarded', '--no-browser', '--timeout', '20', '--config-dir', serve.dir], {
    env: { ...process.env, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  cli.stderr!.on('data', (d) => (stderr += d));
  const exited = waitForExit(cli, 30_000);
  try {
    const [, link] = await readLine(cli.stdout!, /^\s+(http:\/\/\S+)$/, 20_000);
    cli.stdout!.on('data', (d) => (stdout += d));
    stdout = `  ${link}\n`;
    const authorization = new URL(link!);
    expect(authorization.origin).toBe(guarded.origin);
    expect(authorization.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorization.searchParams.get('resource')).toBe(resource);
    const redirectUri = new URL(authorization.searchParams.get('redirect_uri')!);
    expect(redirectUri.hostname).toBe('127.0.0.1');
    expect(redirectUri.pathname).toBe('/callback');
    // The browser: the login form, then the redirect back to the CLI's loopback port.
    const form = await (await fetch(authorization)).text();
    const request = /name="request" value="([^"]+)"/.exec(form)?.[1];
    expect(request).toBeDefined();
    const signedIn = await fetch(`${guarded.origin}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ request: request!, username: 'demo', password }),
      redirect: 'manual',
    });
    if (signedIn.status === 302) {
      const back = new URL(signedIn.headers.get('location')!);
      expect(back.origin).toBe(redirectUri.origin);
      const page = await fetch(back);
      expect(page.status).toBe(password === 'pw' ? 200 : 400);
      expect(await page.text()).toContain(password === 'pw' ? 'Logged in' : 'refused');
    }
    const { code } = await exited;
    return { code, stdout, stderr };
  } finally {
    if (cli.exitCode === null) killTree(cli.pid!);
  }
}

async function call(client: Client, text: string): Promise<string> {
  return textOf(await client.callTool({ name: 'guarded_1mcp_echo', arguments: { text } }));
}

describe('OAuth to a remote server (awaiting-auth, mcp auth, refresh, logout)', () => {
  let guarded: Guarded;
  let serve: ServeHandle;
  let mcpJsonText: string;

  beforeAll(async () => {
    guarded = await startGuarded();
    serve = await startServe({ mcpServers: { guarded: { url: `${guarded.origin}/mcp` } } }, { args: ['--log-level', 'debug'] });
    mcpJsonText = readFileSync(join(serve.dir, 'mcp.json'), 'utf8');
  });

  afterAll(async () => {
    await serve?.stop();
    await guarded?.stop();
    await assertNoSurvivors();
  });

  test('a server that answers 401 with WWW-Authenticate waits in awaiting-auth (no restarts) and says what to run', async () => {
    const status = await waitFor(async () => {
      const s = await stateOf(serve);
      return s.state === 'awaiting-auth' ? s : undefined;
    }, { what: 'awaiting-auth', timeout: 15_000 });
    expect(status.restarts).toBe(0);
    expect(status.lastError).toContain('run: 1mcp mcp auth guarded');
    const health = (await (await fetch(`${serve.origin}/health`)).json()) as { servers: { awaitingAuth: number } };
    expect(health.servers.awaitingAuth).toBe(1);
    const mcpHealth = (await (await fetch(`${serve.origin}/health/mcp`)).json()) as { servers: ServerStatus[] };
    expect(mcpHealth.servers.find((s) => s.name === 'guarded')!.state).toBe('awaiting-auth');
    const metrics = await (await fetch(`${serve.origin}/metrics`)).text();
    expect(metrics).toMatch(/onemcp_backend_state\{server="guarded",state="awaiting-auth"\} 1/);
    const cli = await runCli(['mcp', 'status', 'guarded', '--config-dir', serve.dir]);
    expect(cli.code).toBe(1);
    expect(cli.stdout).toContain('awaiting-auth');
    expect(cli.stdout).toContain('run: 1mcp mcp auth guarded');
    // Its tools were never listed: a call for one says which server waits for a login.
    const client = await connectHttp(serve.url);
    try {
      const error = await client.callTool({ name: 'guarded_1mcp_echo', arguments: { text: 'x' } }).then(
        () => 'no error',
        (e: Error) => e.message,
      );
      expect(error).toContain('unknown tool "guarded_1mcp_echo"');
      expect(error).toContain('server "guarded" waits for an OAuth login (run: 1mcp mcp auth guarded)');
    } finally {
      await client.close();
    }
    // Still waiting, not retrying: no registration was attempted by serve.
    expect((await guarded.stats()).registrations).toBe(0);
  });

  test('mcp auth --no-browser: discovery, registration, PKCE login, tokens saved 0600; serve reconnects without a restart', async () => {
    const servePid = serve.child.pid;
    const result = await login(serve, guarded);
    expect(result.stderr).not.toContain('Error');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Logged in to guarded');
    const file = join(serve.dir, 'oauth', 'guarded.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const saved = JSON.parse(readFileSync(file, 'utf8'));
    expect(saved.url).toBe(`${guarded.origin}/mcp`);
    expect(typeof saved.tokens.access_token).toBe('string');
    expect(typeof saved.client.client_id).toBe('string');
    await waitFor(async () => (await stateOf(serve)).state === 'connected', { what: 'guarded to connect', timeout: 15_000 });
    expect(serve.child.pid).toBe(servePid);
    expect(serve.child.exitCode).toBeNull();
    const client = await connectHttp(serve.url);
    try {
      expect(await call(client, 'hello')).toBe('hello');
    } finally {
      await client.close();
    }
    const stats = await guarded.stats();
    expect(stats.registrations).toBe(1);
    expect(stats.codeExchanges).toBe(1);
  });

  test('when the access token is due, serve refreshes it before using it (no 401) and calls keep working', async () => {
    const client = await connectHttp(serve.url);
    try {
      const before = await guarded.stats();
      await Bun.sleep(TTL_SECONDS * 1000 + 500);
      expect(await call(client, 'after expiry')).toBe('after expiry');
      const after = await guarded.stats();
      expect(after.refreshes).toBeGreaterThan(before.refreshes);
      expect(after.unauthorized).toBe(before.unauthorized);
      expect((await stateOf(serve)).state).toBe('connected');
    } finally {
      await client.close();
    }
  });

  test('a 401 during a call (access token revoked, refresh token still good): one refresh, the call is retried and succeeds', async () => {
    const client = await connectHttp(serve.url);
    try {
      const before = await guarded.stats();
      await fetch(`${guarded.origin}/admin/revoke-access`, { method: 'POST' });
      expect(await call(client, 'after 401')).toBe('after 401');
      const after = await guarded.stats();
      expect(after.unauthorized).toBeGreaterThan(before.unauthorized);
      expect(after.refreshes).toBe(before.refreshes + 1);
      const status = await stateOf(serve);
      expect(status.state).toBe('connected');
      expect(status.restarts).toBe(0);
    } finally {
      await client.close();
    }
  });

  test('several calls hit the 401 at once: the refresh token rotates once per refresh and no call loses the login', async () => {
    const client = await connectHttp(serve.url);
    try {
      await fetch(`${guarded.origin}/admin/revoke-access`, { method: 'POST' });
      const texts = await Promise.all(['a', 'b', 'c', 'd'].map((t) => call(client, t).catch((e: Error) => e.message)));
      expect(texts).toEqual(['a', 'b', 'c', 'd']);
      const status = await stateOf(serve);
      expect(status.state).toBe('connected');
      expect(await call(client, 'later')).toBe('later');
    } finally {
      await client.close();
    }
  });

  test('tokens revoked at the authorization server: the call fails with "run: 1mcp mcp auth", the server waits in awaiting-auth', async () => {
    const client = await connectHttp(serve.url);
    try {
      await fetch(`${guarded.origin}/admin/revoke-all`, { method: 'POST' });
      const error = await client.callTool({ name: 'guarded_1mcp_echo', arguments: { text: 'x' } }).then(
        (r) => (r.isError ? textOf(r) : 'no error'),
        (e: Error) => e.message,
      );
      expect(error).toContain('run: 1mcp mcp auth guarded');
      const status = await stateOf(serve);
      expect(status.state).toBe('awaiting-auth');
      if (status.restarts !== 0) console.log(serve.stderr().split('\n').filter((l) => l.includes('guarded')).join('\n'));
      expect(status.restarts).toBe(0);
      // Calls now fail at once with the same advice.
      const again = await client.callTool({ name: 'guarded_1mcp_echo', arguments: { text: 'y' } }).then(
        (r) => (r.isError ? textOf(r) : 'no error'),
        (e: Error) => e.message,
      );
      expect(again).toContain('awaiting-auth');
      expect(again).toContain('run: 1mcp mcp auth guarded');
    } finally {
      await client.close();
    }
  });

  test('log in again, then mcp auth --logout forgets the tokens and the server goes back to awaiting-auth', async () => {
    const again = await login(serve, guarded);
    expect(again.code).toBe(0);
    await waitFor(async () => (await stateOf(serve)).state === 'connected', { what: 'guarded to reconnect', timeout: 15_000 });
    const out = await runCli(['mcp', 'auth', '--logout', 'guarded', '--config-dir', serve.dir]);
    expect(out.stderr).toContain('reconnecting guarded');
    expect(out.code).toBe(0);
    // serve reconnects at once and may save the server's new 401 challenge (scope, metadata URL) before this
    // check, so the file can exist again (challenge, discovery) — but never with the login's tokens or registration.
    const file = join(serve.dir, 'oauth', 'guarded.json');
    const left = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
    expect(left.tokens).toBeUndefined();
    expect(left.client).toBeUndefined();
    await waitFor(async () => (await stateOf(serve)).state === 'awaiting-auth', { what: 'awaiting-auth after logout', timeout: 15_000 });
    const second = await runCli(['mcp', 'auth', '--logout', 'guarded', '--config-dir', serve.dir]);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('No login saved for guarded');
  });

  test('a wrong password at the authorization server: no tokens are saved', async () => {
    const result = await login(serve, guarded, 'wrong');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('the authorization server refused the login: access_denied (wrong password)');
    expect(existsSync(join(serve.dir, 'oauth', 'guarded.json')) && JSON.parse(readFileSync(join(serve.dir, 'oauth', 'guarded.json'), 'utf8')).tokens).toBeFalsy();
  });

  test('no token ever appears in mcp.json or in serve’s log (debug level)', async () => {
    const { tokensSeen } = await guarded.stats();
    expect(tokensSeen.length).toBeGreaterThan(4);
    const mcpJson = readFileSync(join(serve.dir, 'mcp.json'), 'utf8');
    expect(mcpJson).toBe(mcpJsonText);
    const log = serve.stderr();
    for (const token of tokensSeen) {
      expect(mcpJson).not.toContain(token);
      expect(log).not.toContain(token);
    }
  });
});

describe('mcp auth refuses what it cannot log in to', () => {
  test('a stdio server, an unknown name, a server with its own Authorization header', async () => {
    const dir = (await import('../helpers/tmp.ts')).makeTempDir();
    try {
      const { writeFileSync } = await import('node:fs');
      writeFileSync(
        join(dir.path, 'mcp.json'),
        JSON.stringify({ mcpServers: { local: { command: 'true' }, keyed: { url: 'http://127.0.0.1:9/mcp', headers: { Authorization: 'Bearer k' } } } }),
      );
      const local = await runCli(['mcp', 'auth', 'local', '--no-browser', '--config-dir', dir.path]);
      expect(local.code).toBe(1);
      expect(local.stderr).toContain('runs a local command');
      const unknown = await runCli(['mcp', 'auth', 'nope', '--no-browser', '--config-dir', dir.path]);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toContain('no server named "nope"');
      const keyed = await runCli(['mcp', 'auth', 'keyed', '--no-browser', '--config-dir', dir.path]);
      expect(keyed.code).toBe(1);
      expect(keyed.stderr).toContain('sends its own Authorization header');
    } finally {
      dir.cleanup();
    }
  });
});

describe('a pre-registered OAuth client (oauth.clientId / clientSecret in mcp.json)', () => {
  test('is used instead of dynamic registration; its secret stays in mcp.json (via ${VAR}), not in the token file', async () => {
    const guarded = await startGuarded(['--client', 'pre-id:pre-secret']);
    const env = { PRE_SECRET: 'pre-secret' };
    const serve = await startServe(
      { mcpServers: { guarded: { url: `${guarded.origin}/mcp`, oauth: { clientId: 'pre-id', clientSecret: '${PRE_SECRET}', scopes: ['mcp'] } } } },
      { env },
    );
    try {
      await waitFor(async () => (await stateOf(serve)).state === 'awaiting-auth', { what: 'awaiting-auth', timeout: 15_000 });
      const result = await login(serve, guarded, 'pw', env);
      expect(result.code).toBe(0);
      await waitFor(async () => (await stateOf(serve)).state === 'connected', { what: 'guarded to connect', timeout: 15_000 });
      const client = await connectHttp(serve.url);
      try {
        expect(await call(client, 'pre')).toBe('pre');
      } finally {
        await client.close();
      }
      const stats = await guarded.stats();
      expect(stats.registrations).toBe(0);
      expect(stats.codeExchanges).toBe(1);
      const saved = readFileSync(join(serve.dir, 'oauth', 'guarded.json'), 'utf8');
      expect(JSON.parse(saved).client.client_id).toBe('pre-id');
      expect(saved).not.toContain('pre-secret');
    } finally {
      await serve.stop();
      await guarded.stop();
    }
  });
});

describe('a remote server that answers 401 but speaks no OAuth', () => {
  test('is not sent to a login: its error says to give it credentials in "headers"', async () => {
    // Every request is refused, with no WWW-Authenticate metadata and no authorization server anywhere.
    const plain = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => new Response('no', { status: 401 }) });
    const serve = await startServe({ mcpServers: { keyed: { type: 'http', url: `http://127.0.0.1:${plain.port}/mcp`, maxRestarts: 1, restartDelay: 10 } } }, { waitReady: false });
    try {
      const status = await waitFor(async () => {
        const s = await stateOf(serve, 'keyed');
        return s.state === 'crash-loop' || s.state === 'error' ? s : undefined;
      }, { what: 'keyed to give up', timeout: 15_000 });
      expect(status.lastError).toContain('answered 401 Unauthorized and publishes no OAuth metadata');
      expect(status.lastError).toContain('--headers Authorization=');
      expect(existsSync(join(serve.dir, 'oauth', 'keyed.json'))).toBe(false);
    } finally {
      await serve.stop();
      plain.stop(true);
    }
  });
});

describe('OAuth to a legacy HTTP+SSE server', () => {
  // Also a regression test: the event stream's GET used to lose the SDK's headers (Accept, the token).
  test('awaiting-auth, then mcp auth logs in for the /sse resource and calls work through serve', async () => {
    const guarded = await startGuarded();
    const serve = await startServe({ mcpServers: { guarded: { url: `${guarded.origin}/sse` } } });
    try {
      await waitFor(async () => (await stateOf(serve)).state === 'awaiting-auth', { what: 'awaiting-auth', timeout: 15_000 });
      const result = await login(serve, guarded, 'pw', {}, `${guarded.origin}/sse`);
      expect(result.code).toBe(0);
      await waitFor(async () => (await stateOf(serve)).state === 'connected', { what: 'guarded to connect', timeout: 15_000 });
      const client = await connectHttp(serve.url);
      try {
        expect(await call(client, 'over sse')).toBe('over sse');
      } finally {
        await client.close();
      }
    } finally {
      await serve.stop();
      await guarded.stop();
    }
  });
});
