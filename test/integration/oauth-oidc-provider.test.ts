/**
 * OAuth to a remote server whose authorization server is `oidc-provider` (a certified OpenID/OAuth
 * implementation): discovery through RFC 9728 + OpenID metadata, dynamic registration, PKCE, resource
 * indicators, `iss` in the answer, login and consent pages with cookies — driven by fetch as a browser
 * would, against a real serve and the real `1mcp mcp auth --no-browser`.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUN_BIN, cliCommand, ROOT } from '../helpers/cli.ts';
import { connectHttp, textOf } from '../helpers/mcp-client.ts';
import { assertNoSurvivors, killTree, readLine, spawnTracked, waitFor, waitForExit } from '../helpers/processes.ts';
import { startServe, type ServeHandle } from '../helpers/serve.ts';

const FIXTURE = join(ROOT, 'test', 'fixtures', 'oidc-protected-server.ts');
const TTL_SECONDS = 3;

/** A browser without a screen: follows redirects, keeps cookies, fills in and submits each page's form, up to `stopAt`. */
async function browse(start: URL, stopAt: string, fields: Record<string, string>): Promise<Response> {
  const jar = new Map<string, string>();
  let url = start;
  let init: RequestInit = {};
  for (let step = 0; step < 20; step++) {
    if (url.href.startsWith(stopAt)) return fetch(url);
    const headers = new Headers(init.headers);
    if (jar.size) headers.set('cookie', [...jar].map(([k, v]) => `${k}=${v}`).join('; '));
    const response = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const [name, value] = [pair!.slice(0, pair!.indexOf('=')).trim(), pair!.slice(pair!.indexOf('=') + 1).trim()];
      const gone = attributes.some((a) => /max-age=0|expires=thu, 01 jan 1970/i.test(a.trim()));
      if (gone) jar.delete(name);
      else jar.set(name, value);
    }
    if (response.status >= 300 && response.status < 400) {
      url = new URL(response.headers.get('location')!, url);
      init = {};
      continue;
    }
    const html = await response.text();
    if (response.status !== 200) throw new Error(`${response.status} at ${url.href}: ${html.slice(0, 300)}`);
    const action = /<form[^>]*action="([^"]+)"/i.exec(html)?.[1];
    if (!action) throw new Error(`no form at ${url.href}: ${html.slice(0, 300)}`);
    const body = new URLSearchParams();
    for (const input of html.matchAll(/<input([^>]*)>/gi)) {
      const name = /name="([^"]+)"/.exec(input[1]!)?.[1];
      if (!name) continue;
      body.set(name, fields[name] ?? /value="([^"]*)"/.exec(input[1]!)?.[1] ?? '');
    }
    url = new URL(action.replace(/&amp;/g, '&'), url);
    init = { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body };
  }
  throw new Error('too many steps before the login came back');
}

interface Guarded {
  mcpUrl: string;
  issuer: string;
  child: ChildProcess;
  stats(): Promise<{ refreshes: number; codeExchanges: number; registrations: number; unauthorized: number; tokensSeen: string[] }>;
}

async function startGuarded(): Promise<Guarded> {
  const child = spawnTracked(BUN_BIN, [FIXTURE, '--ttl', String(TTL_SECONDS)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const [, port, issuer] = await readLine(child.stdout!, /^LISTENING (\d+) (\S+)$/, 20_000).catch((e) => {
    throw new Error(`${e.message}\n${stderr}`);
  });
  const origin = `http://127.0.0.1:${port}`;
  return { mcpUrl: `${origin}/mcp`, issuer: issuer!, child, stats: async () => (await fetch(`${origin}/admin/stats`)).json() };
}

async function stateOf(serve: ServeHandle): Promise<{ state: string; restarts: number; lastError?: string }> {
  const body = (await (await fetch(`${serve.origin}/api/status`)).json()) as { servers: { name: string; state: string; restarts: number; lastError?: string }[] };
  return body.servers.find((s) => s.name === 'remote')!;
}

describe('OAuth with oidc-provider as the authorization server', () => {
  let guarded: Guarded;
  let serve: ServeHandle;

  beforeAll(async () => {
    guarded = await startGuarded();
    serve = await startServe({ mcpServers: { remote: { url: guarded.mcpUrl } } }, { args: ['--log-level', 'debug'] });
  });

  afterAll(async () => {
    await serve?.stop();
    if (guarded) {
      killTree(guarded.child.pid!);
      await waitForExit(guarded.child);
    }
    await assertNoSurvivors();
  });

  test('awaiting-auth → mcp auth (login + consent pages) → calls work → expiry refreshed → revoked → awaiting-auth; no token in mcp.json or the log', async () => {
    await waitFor(async () => (await stateOf(serve)).state === 'awaiting-auth', { what: 'awaiting-auth', timeout: 15_000 });

    const [cmd, ...pre] = cliCommand();
    const cli = spawnTracked(cmd!, [...pre, 'mcp', 'auth', 'remote', '--no-browser', '--timeout', '30', '--config-dir', serve.dir], {
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    cli.stderr!.on('data', (d) => (stderr += d));
    const exited = waitForExit(cli, 40_000);
    try {
      const [, link] = await readLine(cli.stdout!, /^\s+(http:\/\/\S+)$/, 20_000);
      cli.stdout!.resume();
      const authorization = new URL(link!);
      expect(authorization.origin).toBe(guarded.issuer);
      expect(authorization.searchParams.get('resource')).toBe(guarded.mcpUrl);
      expect(authorization.searchParams.get('code_challenge_method')).toBe('S256');
      const callbackOrigin = new URL(authorization.searchParams.get('redirect_uri')!).origin;
      const landed = await browse(authorization, callbackOrigin, { login: 'alice', password: 'anything' });
      expect(await landed.text()).toContain('Logged in');
      const { code } = await exited;
      expect(stderr).not.toContain('Error');
      expect(code).toBe(0);
    } finally {
      if (cli.exitCode === null) killTree(cli.pid!);
    }

    await waitFor(async () => (await stateOf(serve)).state === 'connected', { what: 'remote to connect', timeout: 15_000 });
    const client = await connectHttp(serve.url);
    try {
      const call = async (text: string) => textOf(await client.callTool({ name: 'remote_1mcp_echo', arguments: { text } }));
      expect(await call('hello')).toBe('hello');
      const before = await guarded.stats();
      expect(before.registrations).toBe(1);
      expect(before.codeExchanges).toBe(1);

      await Bun.sleep(TTL_SECONDS * 1000 + 500);
      expect(await call('later')).toBe('later');
      expect((await guarded.stats()).refreshes).toBeGreaterThan(before.refreshes);

      await fetch(guarded.mcpUrl.replace('/mcp', '/admin/revoke-all'), { method: 'POST' });
      const refused = await client.callTool({ name: 'remote_1mcp_echo', arguments: { text: 'x' } }).then(
        (r) => (r.isError ? textOf(r) : 'no error'),
        (e: Error) => e.message,
      );
      expect(refused).toContain('run: 1mcp mcp auth remote');
      const status = await stateOf(serve);
      expect(status.state).toBe('awaiting-auth');
      expect(status.restarts).toBe(0);
    } finally {
      await client.close();
    }

    const { tokensSeen } = await guarded.stats();
    expect(tokensSeen.length).toBeGreaterThanOrEqual(4);
    const mcpJson = readFileSync(join(serve.dir, 'mcp.json'), 'utf8');
    for (const token of tokensSeen) {
      expect(mcpJson).not.toContain(token);
      expect(serve.stderr()).not.toContain(token);
    }
  });
});
