/**
 * A real Codex logs in to `serve --enable-auth oauth` (docs/security.md "OAuth for clients") the way a user
 * would, offline: Codex has serve as a Streamable HTTP server with no token, `codex mcp login` registers
 * (DCR), hands the authorization URL to $BROWSER (a script that records it) and waits on its loopback
 * callback; the test plays the user's browser — consent page, approval code from serve's log, Allow, follow
 * the redirect back to Codex. Then `codex exec` with the scripted model calls a tool through serve.
 *
 * Most logins force registration to DCR. Codex's default ("auto") uses its client ID metadata document at
 * https://chatgpt.com/oauth/codex/client.json, which serve would fetch from the internet: the test of that
 * path gives serve a preload (test/helpers/codex-cimd-preload.ts) answering that one fetch offline.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.ts';
import { CODEX, completedToolCalls, providerConfig, runCodex } from '../helpers/codex.ts';
import { fixtureEntry } from '../helpers/fixture.ts';
import { connectHttp, textOf } from '../helpers/mcp-client.ts';
import { offeredTools, startMockModel, type MockModel } from '../helpers/mock-model.ts';
import { assertNoSurvivors, killTree, readLine, spawnTracked, waitFor, waitForExit } from '../helpers/processes.ts';
import { openConsentPage, startOAuthServe } from '../helpers/oauth-flow.ts';
import { startServe, type ServeHandle } from '../helpers/serve.ts';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const NAMESPACE = 'mcp__onemcp';
/** Codex's client ID metadata document; codex-cimd-preload.ts answers serve's fetch of it offline. */
const CODEX_CLIENT_DOCUMENT = 'https://chatgpt.com/oauth/codex/client.json';
const CIMD_PRELOAD = join(import.meta.dir, '..', 'helpers', 'codex-cimd-preload.ts');

describe('Codex → serve --enable-auth oauth: codex mcp login, then codex exec', () => {
  let root: string;
  let serve: ServeHandle;
  let model: MockModel;
  let bearer: string;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), '1mcp-codex-oauth-'));
    ({ serve, bearer } = await startOAuthServe());
    model = startMockModel({ namespace: NAMESPACE, tool: 'alpha_1mcp_add', args: { a: 2, b: 3 } });
  });

  afterAll(async () => {
    model?.stop();
    await serve?.stop();
    await assertNoSurvivors();
    rmSync(root, { recursive: true, force: true });
  });

  /** A user's home with its own Codex config: the mock model, and serve over HTTP with no token. */
  function codexUser(name: string, at: ServeHandle = serve) {
    const home = join(root, name);
    const codexHome = join(home, '.codex');
    const project = join(home, 'project');
    mkdirSync(codexHome, { recursive: true });
    mkdirSync(project);
    writeFileSync(
      join(codexHome, 'config.toml'),
      [
        // Tokens in a file under CODEX_HOME, never in the keyring of the machine running the tests (Codex's
        // default, "auto", also falls back to this file when there is no keyring).
        'mcp_oauth_credentials_store = "file"',
        providerConfig(model.baseUrl),
        '[mcp_servers.onemcp]',
        `url = "${at.url}"`,
        '',
      ].join('\n'),
    );
    // The "browser": records the URL Codex asks it to open.
    const opened = join(home, 'opened-urls.txt');
    const browser = join(home, 'browser.sh');
    writeFileSync(browser, `#!/bin/sh\nprintf '%s\\n' "$1" >> '${opened}'\n`);
    chmodSync(browser, 0o755);
    return { home, codexHome, project, opened, browser, url: at.url };
  }

  /**
   * `codex mcp login onemcp` with the user's browser played over HTTP: the consent page, the approval
   * code, Allow with `tags`, then back to Codex. `browser`: Codex hands the URL to $BROWSER and the redirect
   * is followed to its loopback callback. `paste` (--no-browser, e.g. over SSH): Codex only prints the URL,
   * and the user pastes the address the browser ended on into Codex's prompt.
   */
  async function login(
    user: ReturnType<typeof codexUser>,
    tags: string[],
    { how = 'browser', at = serve, registration = 'dcr' }: { how?: 'browser' | 'paste'; at?: ServeHandle; registration?: 'dcr' | 'auto' } = {},
  ) {
    const args = ['mcp', 'login', 'onemcp', ...(registration === 'dcr' ? ['--oauth-client-registration', 'dcr'] : []), ...(how === 'paste' ? ['--no-browser'] : [])];
    rmSync(user.opened, { force: true });
    const codex = spawnTracked(CODEX, args, {
      cwd: user.project,
      env: { HOME: user.home, CODEX_HOME: user.codexHome, PATH: process.env.PATH ?? '/usr/bin:/bin', BROWSER: user.browser },
      stdio: [how === 'paste' ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    codex.stdout!.on('data', (d) => (stdout += d));
    codex.stderr!.on('data', (d) => (stderr += d));
    try {
      const printed = () => /^(http:\/\/\S+\/oauth\/authorize\?\S+)$/m.exec(stdout)?.[1];
      const opened = () => (existsSync(user.opened) ? readFileSync(user.opened, 'utf8').trim().split('\n').at(-1) : undefined);
      const authUrl = new URL(
        await waitFor(how === 'paste' ? printed : opened, { timeout: 20_000, what: `Codex to ${how === 'paste' ? 'print' : 'hand $BROWSER'} the authorization URL` }),
      );
      if (how === 'paste') expect(existsSync(user.opened)).toBe(false);
      // The same URL is printed for a user without a browser.
      await waitFor(() => stdout.includes(authUrl.href), { what: 'Codex to print the authorization URL' });
      expect(authUrl.origin + authUrl.pathname).toBe(`${at.origin}/oauth/authorize`);
      expect(authUrl.searchParams.get('client_id')).toMatch(registration === 'dcr' ? /^1mcp_client_/ : /^https:\/\//);
      expect(authUrl.searchParams.get('code_challenge_method')).toBe('S256');
      expect(authUrl.searchParams.get('resource')).toBe(at.url);
      const callback = new URL(authUrl.searchParams.get('redirect_uri')!);
      expect(callback.hostname).toBe('127.0.0.1');

      const { requestId, approvalCode } = await openConsentPage(at, authUrl);

      const body = new URLSearchParams({ request: requestId, approval_code: approvalCode, action: 'allow' });
      for (const tag of tags) body.append('tag', tag);
      const answer = await fetch(`${at.origin}/oauth/authorize`, { method: 'POST', headers: FORM, body, redirect: 'manual' });
      expect(answer.status).toBe(302);
      const back = new URL(answer.headers.get('location')!);
      expect(back.origin + back.pathname).toBe(callback.origin + callback.pathname);
      expect(back.searchParams.get('state')).toBe(authUrl.searchParams.get('state'));

      if (how === 'paste') {
        // The redirect's address, pasted into Codex's prompt: Codex takes the code and exchanges it at serve.
        codex.stdin!.end(`${back.href}\n`);
      } else {
        // The browser follows the redirect: Codex's callback takes the code and exchanges it at serve.
        const landed = await fetch(back);
        await landed.text();
        expect(landed.status).toBe(200);
      }
      const exit = await waitForExit(codex, 20_000);
      if (exit.code !== 0) console.log(stdout, stderr);
      expect(exit.code).toBe(0);
      return { stdout, stderr, clientId: authUrl.searchParams.get('client_id')! };
    } finally {
      if (codex.exitCode === null && codex.signalCode === null) killTree(codex.pid!);
    }
  }

  const backendAdds = async (server: string) => {
    const c = await connectHttp(serve.url, 'stats', { authorization: `Bearer ${bearer}` });
    try {
      return JSON.parse(textOf(await c.callTool({ name: `${server}_1mcp_stats`, arguments: {} }))).calls.filter((x: { name: string }) => x.name === 'add').length;
    } finally {
      await c.close();
    }
  };

  test('without login Codex gets no tools from serve (401)', async () => {
    const user = codexUser('nobody');
    model.requests.length = 0;
    const run = await runCodex({ home: user.home, codexHome: user.codexHome, cwd: user.project, prompt: 'Use the add tool on 2 and 3.' });
    expect(completedToolCalls(run.events)).toHaveLength(0);
    expect(offeredTools(model.requests[0], NAMESPACE)).toEqual([]);
  }, 90_000);

  test('codex mcp login (DCR, consent with the approval code, loopback callback), then codex exec calls a tool through serve', async () => {
    const user = codexUser('full');
    const { stdout } = await login(user, ['a', 'b']);
    expect(stdout).toMatch(/success/i);
    // The tokens landed in Codex's file store, under CODEX_HOME.
    expect(existsSync(join(user.codexHome, '.credentials.json'))).toBe(true);

    const before = await backendAdds('alpha');
    model.requests.length = 0;
    const run = await runCodex({ home: user.home, codexHome: user.codexHome, cwd: user.project, prompt: 'Use the add tool on 2 and 3.' });
    const calls = completedToolCalls(run.events);
    if (calls.length === 0) console.log(run.stderr.slice(-2000), JSON.stringify(run.events).slice(0, 2000));
    expect(calls).toHaveLength(1);
    expect(calls[0].item).toMatchObject({ server: 'onemcp', tool: 'alpha_1mcp_add', arguments: { a: 2, b: 3 }, status: 'completed', error: null });
    expect(calls[0].item.result.content).toEqual([{ type: 'text', text: '5' }]);
    expect(await backendAdds('alpha')).toBe(before + 1);
    const offered = offeredTools(model.requests[0], NAMESPACE);
    expect(offered).toContain('alpha_1mcp_add');
    expect(offered).toContain('beta_1mcp_add');
  }, 120_000);

  test('codex mcp login --no-browser: the URL is only printed, the pasted callback address completes the login', async () => {
    const user = codexUser('headless');
    await login(user, ['a', 'b'], { how: 'paste' });
    const before = await backendAdds('alpha');
    const run = await runCodex({ home: user.home, codexHome: user.codexHome, cwd: user.project, prompt: 'Use the add tool on 2 and 3.' });
    const calls = completedToolCalls(run.events);
    expect(calls).toHaveLength(1);
    expect(calls[0].item.result.content).toEqual([{ type: 'text', text: '5' }]);
    expect(await backendAdds('alpha')).toBe(before + 1);
  }, 120_000);

  test('a Codex approved only for tag:a is offered no tag-b tool, and its call to one never reaches the backend', async () => {
    const user = codexUser('scoped');
    const { clientId } = await login(user, ['a']);
    const listed = await runCli(['auth', 'clients', 'list', '--json', '--config-dir', serve.dir]);
    expect(listed.code).toBe(0);
    const grant = JSON.parse(listed.stdout).approved.find((g: { clientId: string }) => g.clientId === clientId);
    expect(grant.tags).toEqual(['a']);

    // The scripted model asks for the tag-b tool anyway (as if it had guessed the name).
    const sneaky = startMockModel({ namespace: NAMESPACE, tool: 'beta_1mcp_add', args: { a: 1, b: 1 } });
    try {
      writeFileSync(join(user.codexHome, 'config.toml'), readFileSync(join(user.codexHome, 'config.toml'), 'utf8').replace(model.baseUrl, sneaky.baseUrl));
      const before = await backendAdds('beta');
      const run = await runCodex({ home: user.home, codexHome: user.codexHome, cwd: user.project, prompt: 'Use the add tool on 1 and 1.' });
      const offered = offeredTools(sneaky.requests[0], NAMESPACE);
      expect(offered).toContain('alpha_1mcp_add');
      expect(offered.filter((n) => n.startsWith('beta_'))).toEqual([]);
      expect(completedToolCalls(run.events).filter((c) => c.item.status === 'completed' && !c.item.error)).toEqual([]);
      expect(await backendAdds('beta')).toBe(before);
    } finally {
      sneaky.stop();
    }
  }, 120_000);

  test('1mcp auth clients revoke cuts a logged-in Codex off; codex mcp logout only forgets the tokens on Codex\'s side', async () => {
    const user = codexUser('revoked');
    const { clientId } = await login(user, ['a']);
    const approvals = async () => JSON.parse((await runCli(['auth', 'clients', 'list', '--json', '--config-dir', serve.dir])).stdout).approved.filter((g: { clientId: string }) => g.clientId === clientId);
    const addOnce = () => runCodex({ home: user.home, codexHome: user.codexHome, cwd: user.project, prompt: 'Use the add tool on 2 and 3.' });
    expect(completedToolCalls((await addOnce()).events)).toHaveLength(1);

    // Logout at Codex's end: its stored tokens go, serve keeps the approval (Codex does not call revocation).
    const codexEnv = { HOME: user.home, CODEX_HOME: user.codexHome, PATH: process.env.PATH ?? '/usr/bin:/bin' };
    const logout = spawnTracked(CODEX, ['mcp', 'logout', 'onemcp'], { cwd: user.project, env: codexEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let said = '';
    logout.stdout!.on('data', (d) => (said += d));
    expect((await waitForExit(logout, 20_000)).code).toBe(0);
    expect(said).toContain('onemcp');
    const store = join(user.codexHome, '.credentials.json');
    expect(existsSync(store) ? readFileSync(store, 'utf8') : '').not.toContain(clientId);
    expect(await approvals()).toHaveLength(1);
    model.requests.length = 0;
    expect(completedToolCalls((await addOnce()).events)).toHaveLength(0);
    expect(offeredTools(model.requests[0], NAMESPACE)).toEqual([]);

    // Logged in again, then revoked at serve: the next Codex run gets no tools (its refresh is refused too).
    const again = await login(user, ['a']);
    expect(completedToolCalls((await addOnce()).events)).toHaveLength(1);
    const revoked = await runCli(['auth', 'clients', 'revoke', again.clientId, '--config-dir', serve.dir]);
    expect(revoked.code).toBe(0);
    model.requests.length = 0;
    expect(completedToolCalls((await addOnce()).events)).toHaveLength(0);
    expect(offeredTools(model.requests[0], NAMESPACE)).toEqual([]);
  }, 120_000);

  test('after serve restarts (its access tokens forgotten) Codex refreshes with its stored refresh token, no new login', async () => {
    const dir = join(root, 'restarting-serve');
    const config = { mcpServers: { alpha: fixtureEntry(['--name', 'alpha'], { tags: ['a'] }) } };
    let first: ServeHandle | undefined = await startServe(config, { dir, args: ['--enable-auth', 'oauth'] });
    let second: ServeHandle | undefined;
    try {
      const user = codexUser('restart', first);
      await login(user, ['a'], { at: first });
      const port = first.port;
      // Codex's file store: one entry per server (name and URL) with the tokens serve issued.
      const stored = () => Object.values(JSON.parse(readFileSync(join(user.codexHome, '.credentials.json'), 'utf8')) as { access_token: string; refresh_token: string; server_url: string }[])[0]!;
      const atLogin = stored();
      expect(atLogin.server_url).toBe(user.url);
      const ok = await runCodex({ home: user.home, codexHome: user.codexHome, cwd: user.project, prompt: 'Use the add tool on 2 and 3.' });
      expect(completedToolCalls(ok.events).map((c) => c.item.status)).toEqual(['completed']);
      expect(stored()).toEqual(atLogin);
      await first.stop();
      first = undefined;
      // Same config dir (the approval and refresh token hashes persist there) and the same URL.
      second = await startServe(config, { dir, args: ['--enable-auth', 'oauth', '--port', String(port)] });
      expect(second.url).toBe(user.url);
      const seen = second.stderr().length;
      const run = await runCodex({ home: user.home, codexHome: user.codexHome, cwd: user.project, prompt: 'Use the add tool on 2 and 3.' });
      const calls = completedToolCalls(run.events);
      if (calls.length === 0) console.log(run.stderr.slice(-3000), second.stderr().slice(seen));
      expect(calls).toHaveLength(1);
      expect(calls[0].item.result.content).toEqual([{ type: 'text', text: '5' }]);
      // Refreshed: both tokens replaced (serve rotates the refresh token).
      const refreshed = stored();
      expect(refreshed.access_token).not.toBe(atLogin.access_token);
      expect(refreshed.refresh_token).not.toBe(atLogin.refresh_token);
      // No consent was asked for again.
      expect(second.stderr().slice(seen)).not.toContain('asks to connect');
    } finally {
      await first?.stop();
      await second?.stop();
    }
  }, 120_000);

  test("Codex's default login (registration auto): its client ID metadata document, a loopback callback on the port it picked", async () => {
    // serve cannot reach chatgpt.com here: a preload answers that one fetch with the published document's shape.
    const at = await startServe(
      { mcpServers: { alpha: fixtureEntry(['--name', 'alpha'], { tags: ['a'] }) } },
      { mode: 'source', args: ['--enable-auth', 'oauth'], env: { BUN_OPTIONS: `--preload ${CIMD_PRELOAD}` } },
    );
    try {
      const user = codexUser('cimd', at);
      const { clientId } = await login(user, ['a'], { at, registration: 'auto' });
      expect(clientId).toBe(CODEX_CLIENT_DOCUMENT);
      const run = await runCodex({ home: user.home, codexHome: user.codexHome, cwd: user.project, prompt: 'Use the add tool on 2 and 3.' });
      const calls = completedToolCalls(run.events);
      if (calls.length === 0) console.log(run.stderr.slice(-2000));
      expect(calls).toHaveLength(1);
      expect(calls[0].item.result.content).toEqual([{ type: 'text', text: '5' }]);
    } finally {
      await at.stop();
    }
  }, 120_000);
});
