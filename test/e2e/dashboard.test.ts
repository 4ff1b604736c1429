/**
 * The dashboard at / in a real browser: Debian's Chromium driven by playwright-core, against a real serve
 * (the compiled binary once it is built, as in CI, so the page must be embedded in it) with real fixture
 * backends. Clicks change files on disk and what serve does; screenshots are saved in light and dark at
 * 1280×800 and 390×844 (the folder is printed; DASHBOARD_SCREENSHOT=docs also refreshes docs/dashboard.png).
 * Without Chromium the suite is skipped with a message saying how to install it.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { ROOT, runCli } from '../helpers/cli.ts';
import { fixtureEntry } from '../helpers/fixture.ts';
import { connectHttp } from '../helpers/mcp-client.ts';
import { e2eMode } from '../helpers/mode.ts';
import { oauthServe, pkce } from '../helpers/oauth-flow.ts';
import { assertAllGone, descendantsOf, waitFor } from '../helpers/processes.ts';
import { startServe, type ServeHandle } from '../helpers/serve.ts';

const CHROMIUM = process.env.ONE_MCP_CHROMIUM ?? '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`dashboard e2e skipped: no Chromium at ${CHROMIUM} (install it with "apt-get install -y chromium", or point ONE_MCP_CHROMIUM at one)`);

const SHOTS = join(tmpdir(), '1mcp-dashboard-screenshots');

async function openBrowser(): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(join(tmpdir(), '1mcp-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 800 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  // Chromium's processes (browser, renderers, GPU and network helpers), to check none outlives the test.
  const main = descendantsOf(process.pid).filter((pid) => cmdline(pid).includes(`--user-data-dir=${profile}`));
  if (main.length === 0) throw new Error(`no Chromium process with --user-data-dir=${profile} found`);
  const browserPids = [...main, ...main.flatMap((pid) => descendantsOf(pid))];
  return {
    context,
    async close() {
      await context.close();
      await assertAllGone(browserPids);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return '';
  }
}

/** Every failed request and script error of the page, so a test can assert there were none. */
function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && errors.push(`console: ${m.text()}`));
  return errors;
}

const row = (page: Page, attr: string, name: string) => page.locator(`tr[data-${attr}="${name}"]`);
const mcpJson = (serve: ServeHandle) => JSON.parse(readFileSync(join(serve.dir, 'mcp.json'), 'utf8'));

/**
 * A serve with auth over alpha (tag web) and beta (tag files), its tokens made by the CLI beforehand
 * (their secrets land in `secrets` by name), and a browser.
 */
async function startAuthDashboard(prefix: string, tokens: readonly (readonly [name: string, ...extra: string[]])[], authArgs: string[], secrets: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  let serve: ServeHandle | undefined;
  try {
    for (const [name, ...extra] of tokens) {
      const created = await runCli(['auth', 'token', 'create', '--name', name, ...extra, '--config-dir', dir], { mode: e2eMode() });
      expect(created.code).toBe(0);
      secrets[name] = created.stdout.trim();
    }
    serve = await startServe(
      { mcpServers: { alpha: fixtureEntry(['--name', 'alpha'], { tags: ['web'] }), beta: fixtureEntry(['--name', 'beta'], { tags: ['files'] }) } },
      { dir, args: authArgs, waitReady: true, mode: e2eMode() },
    );
    return { dir, serve, browser: await openBrowser() };
  } catch (error) {
    await stopAuthDashboard(undefined, serve, dir);
    throw error;
  }
}

/** Undo startAuthDashboard, whatever part of it happened. */
async function stopAuthDashboard(browser: { close(): Promise<void> } | undefined, serve: ServeHandle | undefined, dir: string | undefined) {
  await browser?.close();
  await serve?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
}

describe.skipIf(!haveChromium)('dashboard in Chromium (no auth)', () => {
  let serve: ServeHandle;
  let browser: Awaited<ReturnType<typeof openBrowser>>;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    serve = await startServe({
      mcpServers: {
        alpha: fixtureEntry(['--name', 'alpha', '--tools', '3'], { tags: ['web'] }),
        beta: fixtureEntry(['--name', 'beta'], { tags: ['files'] }),
      },
    }, { mode: e2eMode() });
    browser = await openBrowser();
    page = await browser.context.newPage();
    errors = watchErrors(page);
    await page.goto(`${serve.origin}/`);
    await row(page, 'server', 'alpha').locator('.state', { hasText: 'connected' }).waitFor();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
  });

  test('servers view: state, counts, details with tools, resources and stderr; light screenshot 1280x800', async () => {
    const alpha = row(page, 'server', 'alpha');
    await expect(alpha.locator('td').nth(2).textContent()).resolves.toBe('19'); // tools column: 16 fixture tools + 3 extra
    await page.getByRole('button', { name: 'Details' }).first().click();
    const detail = page.getByRole('region', { name: 'Details of alpha' });
    await detail.getByText('alpha_1mcp_tool_0').waitFor();
    await detail.getByText('fixture://alpha/static').waitFor();
    await page.emulateMedia({ colorScheme: 'light' });
    await page.screenshot({ path: join(SHOTS, 'details-light-1280x800.png') });
    if (process.env.DASHBOARD_SCREENSHOT === 'docs') copyFileSync(join(SHOTS, 'details-light-1280x800.png'), join(ROOT, 'docs', 'dashboard.png'));
    await page.getByRole('button', { name: 'Hide details' }).click();
    await detail.waitFor({ state: 'detached' });
  });

  test('disable a server: mcp.json changes on disk and serve shows it disabled; enable brings it back', async () => {
    await row(page, 'server', 'beta').getByRole('button', { name: 'Disable' }).click();
    await waitFor(() => mcpJson(serve).mcpServers.beta.disabled === true, { what: 'mcp.json to mark beta disabled' });
    await row(page, 'server', 'beta').locator('.state', { hasText: 'disabled' }).waitFor();
    const status = await (await fetch(`${serve.origin}/api/status`)).json();
    expect(status.servers.find((s: { name: string }) => s.name === 'beta').state).toBe('disabled');
    expect(mcpJson(serve).mcpServers.alpha.disabled).toBeUndefined();

    await row(page, 'server', 'beta').getByRole('button', { name: 'Enable' }).click();
    await waitFor(() => mcpJson(serve).mcpServers.beta.disabled === undefined, { what: 'mcp.json to enable beta' });
    await row(page, 'server', 'beta').locator('.state', { hasText: 'connected' }).waitFor({ timeout: 15_000 });
  }, 30_000);

  test('presets: the preview follows the filter as it is typed; saving writes presets.json and serve applies it', async () => {
    await page.getByRole('link', { name: 'Presets' }).click();
    await page.getByLabel('Name').fill('web-only');
    const filter = page.getByLabel('Filter');
    const preview = page.locator('#preset-preview');
    await filter.pressSequentially('web or', { delay: 20 });
    await preview.getByText(/expected a tag after 'or'.*column 7/).waitFor();
    await expect(filter.getAttribute('aria-invalid')).resolves.toBe('true');
    await filter.pressSequentially(' files', { delay: 20 });
    await preview.getByText('Matches 2: alpha, beta').waitFor();
    await filter.fill('');
    await filter.pressSequentially('web', { delay: 20 });
    await preview.getByText('Matches 1: alpha').waitFor();
    await page.getByLabel('Description').fill('only the web server');
    await page.getByRole('button', { name: 'Create preset' }).click();
    await row(page, 'preset', 'web-only').waitFor();

    const stored = JSON.parse(readFileSync(join(serve.dir, 'presets.json'), 'utf8')).presets['web-only'];
    expect(stored).toMatchObject({ name: 'web-only', filter: 'web', description: 'only the web server', tagQuery: { tag: 'web' } });
    const client = await connectHttp(`${serve.origin}/mcp?preset=web-only`);
    try {
      const names = (await client.listTools()).tools.map((t) => t.name);
      expect(names).toContain('alpha_1mcp_tool_0');
      expect(names.some((n) => n.startsWith('beta_'))).toBe(false);
    } finally {
      await client.close();
    }

    // Edit: the row's Edit button fills the form; the new filter is stored.
    await row(page, 'preset', 'web-only').getByRole('button', { name: 'Edit' }).click();
    await filter.fill('web or files');
    await preview.getByText('Matches 2: alpha, beta').waitFor();
    await page.getByRole('button', { name: 'Save preset' }).click();
    await row(page, 'preset', 'web-only').getByText('web or files').waitFor();
    expect(JSON.parse(readFileSync(join(serve.dir, 'presets.json'), 'utf8')).presets['web-only'].filter).toBe('web or files');
  }, 30_000);

  test('sessions: a connected client shows with its ?app= label and view', async () => {
    const client = await connectHttp(`${serve.origin}/mcp?app=e2e-editor&tags=web`, 'e2e-client');
    try {
      await page.getByRole('link', { name: 'Sessions' }).click();
      const session = page.locator('#sessions-body tr', { hasText: 'e2e-editor' });
      await session.waitFor();
      await expect(session.textContent()).resolves.toContain('e2e-client');
      await expect(session.textContent()).resolves.toContain('tags web');
    } finally {
      await client.close();
    }
  });

  test('budget: each view with its tool count and estimated tokens', async () => {
    await page.getByRole('link', { name: 'Budget' }).click();
    const all = page.locator('#budget-body tr', { hasText: 'all servers' });
    await all.waitFor();
    await expect(all.locator('td').first().textContent()).resolves.toBe('35');
    await page.locator('#budget-body tr', { hasText: 'preset web-only' }).waitFor();
  });

  test('live log: recent lines at once, new ones as they happen', async () => {
    await page.getByRole('link', { name: 'Log' }).click();
    const lines = page.locator('#log-lines');
    await lines.getByText('dashboard: disabled beta in mcp.json').waitFor();
    await fetch(`${serve.origin}/api/servers/alpha/restart`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    await lines.getByText(/\[alpha\].*(restart|connected)/).last().waitFor();
  });

  test('keyboard only: Tab reaches the sections and the row buttons, Enter acts, focus is visible', async () => {
    await page.goto(`${serve.origin}/#servers`);
    await row(page, 'server', 'alpha').waitFor();
    const seen: string[] = [];
    for (let i = 0; i < 25; i++) {
      await page.keyboard.press('Tab');
      seen.push(await page.evaluate(() => {
        const el = document.activeElement as HTMLElement;
        return `${el.tagName.toLowerCase()}:${el.textContent?.trim()}`;
      }));
    }
    for (const want of ['a:Servers', 'a:Presets', 'a:Log', 'button:Details', 'button:Restart', 'button:Disable']) expect(seen).toContain(want);
    // The focused control shows an outline (not just the browser default that a reset could remove).
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
    expect(outline).not.toBe('none');
    // Back to the nav with Shift+Tab, then Enter opens a section.
    await page.keyboard.press('Shift+Tab');
    await page.locator('a[data-tab="sessions"]').focus();
    await page.keyboard.press('Enter');
    await expect(page.locator('a[data-tab="sessions"]').getAttribute('aria-current')).resolves.toBe('page');
    await page.locator('#view-sessions').waitFor({ state: 'visible' });
  });

  test('dark mode and a narrow window: readable, no horizontal page scroll; screenshots saved', async () => {
    for (const scheme of ['light', 'dark'] as const) {
      for (const size of [{ width: 1280, height: 800 }, { width: 390, height: 844 }]) {
        await page.emulateMedia({ colorScheme: scheme });
        await page.setViewportSize(size);
        await page.goto(`${serve.origin}/#servers`);
        await row(page, 'server', 'alpha').locator('.state', { hasText: 'connected' }).waitFor();
        const look = await page.evaluate(() => ({
          bg: getComputedStyle(document.body).backgroundColor,
          fg: getComputedStyle(document.body).color,
          overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
        }));
        expect(look.overflow).toBeLessThanOrEqual(0);
        if (scheme === 'dark') expect(look.bg).toBe('rgb(20, 21, 24)');
        else expect(look.bg).toBe('rgb(247, 247, 248)');
        await page.screenshot({ path: join(SHOTS, `servers-${scheme}-${size.width}x${size.height}.png`), fullPage: true });
        for (const view of ['presets', 'budget', 'log']) {
          await page.getByRole('link', { name: view[0]!.toUpperCase() + view.slice(1) }).click();
          await page.waitForFunction((v) => document.body.dataset.loaded === v || v === 'log', view);
          await page.locator(`#view-${view}`).waitFor({ state: 'visible' });
          expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
          await page.screenshot({ path: join(SHOTS, `${view}-${scheme}-${size.width}x${size.height}.png`), fullPage: true });
        }
      }
    }
    await page.setViewportSize({ width: 1280, height: 800 });
    console.log(`dashboard screenshots: ${SHOTS}`);
    expect(errors).toEqual([]);
  }, 30_000);
});

describe.skipIf(!haveChromium)('dashboard in Chromium with --enable-auth', () => {
  let serve: ServeHandle;
  let browser: Awaited<ReturnType<typeof openBrowser>>;
  let dir: string;
  const secrets: Record<string, string> = {};

  beforeAll(async () => {
    ({ dir, serve, browser } = await startAuthDashboard('1mcp-dashboard-auth-', [['admin'], ['victim'], ['webonly', '--tags', 'web']], ['--enable-auth'], secrets));
  }, 60_000);

  afterAll(() => stopAuthDashboard(browser, serve, dir));

  test('sign in keeps the token in page memory (not the URL, not a cookie); revoke writes tokens.json, the token is refused and its log stream ends', async () => {
    const page = await browser.context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${serve.origin}/`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByLabel('Bearer token').fill('1mcp_wrong');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('That token was refused').waitFor();
    await page.getByLabel('Bearer token').fill(secrets.admin!);
    await page.keyboard.press('Enter');
    await row(page, 'server', 'alpha').waitFor();
    expect(page.url()).not.toContain(secrets.admin!);
    expect(await browser.context.cookies()).toEqual([]);
    expect(await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }))).toBe('{}{}');

    // The victim token works before the revoke…
    const asVictim = () => fetch(`${serve.origin}/api/status`, { headers: { authorization: `Bearer ${secrets.victim}` } });
    expect((await asVictim()).status).toBe(200);
    const victimLog = await fetch(`${serve.origin}/api/logs/stream`, { headers: { authorization: `Bearer ${secrets.victim}` } });
    expect(victimLog.status).toBe(200);
    const reader = victimLog.body!.getReader();
    const logEnded = (async () => {
      for (;;) if ((await reader.read()).done) return true;
    })();
    await page.getByRole('link', { name: 'Tokens' }).click();
    const victim = row(page, 'token', 'victim');
    await victim.getByRole('button', { name: 'Revoke' }).click();
    await victim.getByRole('button', { name: 'Confirm revoke' }).click();
    await victim.waitFor({ state: 'detached' });
    const tokens = JSON.parse(readFileSync(join(dir, 'tokens.json'), 'utf8')).tokens;
    expect(Object.keys(tokens).sort()).toEqual(['admin', 'webonly']);
    // …and is refused after it, on /api and on /mcp; its open log stream ends.
    expect(await logEnded).toBe(true);
    expect((await asVictim()).status).toBe(401);
    const mcp = await fetch(`${serve.origin}/mcp`, { method: 'POST', headers: { authorization: `Bearer ${secrets.victim}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: '{}' });
    expect(mcp.status).toBe(401);
    expect(errors.filter((e) => !e.includes('401'))).toEqual([]);
    await page.close();
  }, 30_000);

  test('the API keeps /api rules: token required, JSON type on changes, foreign Origin refused, tag-limited tokens read only', async () => {
    const base = serve.origin;
    const admin = { authorization: `Bearer ${secrets.admin}` };
    const web = { authorization: `Bearer ${secrets.webonly}` };
    expect((await fetch(`${base}/api/sessions`)).status).toBe(401);
    expect((await fetch(`${base}/`)).status).toBe(200); // the page holds no data
    const noType = await fetch(`${base}/api/presets/x`, { method: 'DELETE', headers: admin });
    expect(noType.status).toBe(415);
    const formPost = await fetch(`${base}/api/servers/beta/disable`, { method: 'POST', headers: { ...admin, 'content-type': 'application/x-www-form-urlencoded' } });
    expect(formPost.status).toBe(415);
    const foreign = await fetch(`${base}/api/servers/beta/disable`, { method: 'POST', headers: { ...admin, 'content-type': 'application/json', origin: 'http://evil.example' } });
    expect(foreign.status).toBe(403);
    expect(mcpJson(serve).mcpServers.beta.disabled).toBeUndefined();

    // Twice: each refusal carries its own body.
    for (let i = 0; i < 2; i++) {
      const limited = await fetch(`${base}/api/servers/alpha/disable`, { method: 'POST', headers: { ...web, 'content-type': 'application/json' } });
      expect(limited.status).toBe(403);
      expect((await limited.json()).error).toContain('token without tags');
    }
    const limitedPreset = await fetch(`${base}/api/presets`, { method: 'POST', headers: { ...web, 'content-type': 'application/json' }, body: '{"name":"x","filter":"web"}' });
    expect(limitedPreset.status).toBe(403);

    // Bad input: one clear message, nothing written.
    const asAdmin = (method: string, path: string, body?: unknown) =>
      fetch(`${base}${path}`, { method, headers: { ...admin, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    const badFilter = await asAdmin('POST', '/api/presets', { name: 'p1', filter: 'web and' });
    expect(badFilter.status).toBe(400);
    expect(await badFilter.json()).toMatchObject({ error: expect.stringContaining('column 8'), column: 8 });
    expect((await asAdmin('POST', '/api/presets', { name: 'bad name', filter: 'web' })).status).toBe(400);
    expect(existsSync(join(dir, 'presets.json'))).toBe(false);
    expect((await asAdmin('POST', '/api/presets', { name: 'p1', filter: 'web' })).status).toBe(201);
    const again = await asAdmin('POST', '/api/presets', { name: 'p1', filter: 'files' });
    expect(again.status).toBe(409);
    expect((await again.json()).error).toContain('already exists');
    expect((await asAdmin('PUT', '/api/presets/nope', { filter: 'web' })).status).toBe(404);
    expect((await asAdmin('DELETE', '/api/presets/p1')).status).toBe(200);
    expect((await asAdmin('POST', '/api/servers/nope/disable')).status).toBe(404);
    expect((await asAdmin('POST', '/api/tokens/nope/revoke')).status).toBe(404);
    expect((await fetch(`${base}/api/tokens`, { headers: web })).status).toBe(403);
    expect((await fetch(`${base}/api/logs/stream`, { headers: web })).status).toBe(403);
    const preview = await (await fetch(`${base}/api/filter-preview?filter=web%20or%20files`, { headers: web })).json();
    expect(preview.servers.map((s: { name: string }) => s.name)).toEqual(['alpha']);
    expect(mcpJson(serve).mcpServers.alpha.disabled).toBeUndefined();
    const page = await (await fetch(`${base}/`)).headers.get('content-security-policy');
    expect(page).toContain("script-src 'self'");
  });
});

describe.skipIf(!haveChromium)('dashboard in Chromium with --enable-auth oauth: OAuth clients', () => {
  let serve: ServeHandle;
  let browser: Awaited<ReturnType<typeof openBrowser>>;
  let dir: string;
  const secrets: Record<string, string> = {};
  const flow = oauthServe(() => serve, { tag: 'web' });
  const clientsFile = () => JSON.parse(readFileSync(join(dir, 'oauth-clients.json'), 'utf8')) as { clients: Record<string, unknown>; grants: Record<string, { clientId: string }> };

  beforeAll(async () => {
    ({ dir, serve, browser } = await startAuthDashboard('1mcp-dashboard-oauth-', [['admin'], ['webonly', '--tags', 'web']], ['--enable-auth', 'oauth'], secrets));
  }, 60_000);

  afterAll(() => stopAuthDashboard(browser, serve, dir));

  test('an approved client shows (never a pending approval code); Revoke removes it from oauth-clients.json, its token gets 401 and its session closes', async () => {
    // Two clients through the real flow (register, consent with the code from serve's log, exchange); one stays.
    const agent = await flow.connected('Dash Agent');
    const keeper = await flow.connected('Keeper Agent');
    const opened = await flow.mcp(agent.tokens.access_token);
    expect(opened.status).toBe(200);
    const sessionId = opened.headers.get('mcp-session-id');
    expect(sessionId).toBeTruthy();
    await opened.body?.cancel();
    // A consent request left pending: its approval code is on serve's log only.
    const pendingId = await flow.register('Pending Agent');
    const { approvalCode } = await flow.openConsent(flow.authorizeUrl(pendingId, pkce().challenge), 'Pending Agent');

    const page = await browser.context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${serve.origin}/#oauth`);
    await page.getByLabel('Bearer token').fill(secrets.admin!);
    await page.keyboard.press('Enter');
    const agentRow = row(page, 'oauth-client', agent.clientId);
    await agentRow.waitFor();
    await expect(agentRow.textContent()).resolves.toContain('Dash Agent');
    await expect(agentRow.textContent()).resolves.toContain('approved');
    await expect(agentRow.locator('.tag').allTextContents()).resolves.toEqual(['web']);
    await row(page, 'oauth-client', keeper.clientId).waitFor();
    await expect(row(page, 'oauth-client', pendingId).textContent()).resolves.toContain('registered, not approved');
    const shown = (await page.locator('#view-oauth').textContent()) ?? '';
    expect(shown).not.toContain(approvalCode);
    expect(shown).not.toContain(approvalCode.replace('-', ''));
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: join(SHOTS, 'oauth-dark-1280x800.png'), fullPage: true });
    await page.emulateMedia({ colorScheme: 'light' });

    // Keyboard only: focus the Revoke button, Enter arms it, Enter again revokes.
    await agentRow.getByRole('button', { name: 'Revoke' }).focus();
    await page.keyboard.press('Enter');
    await agentRow.getByRole('button', { name: 'Confirm revoke' }).waitFor();
    await page.keyboard.press('Enter');
    await agentRow.waitFor({ state: 'detached' });
    await page.getByText(/OAuth client .* revoked/).waitFor();

    const file = clientsFile();
    expect(Object.keys(file.clients)).not.toContain(agent.clientId);
    expect(Object.values(file.grants).map((g) => g.clientId)).not.toContain(agent.clientId);
    expect(Object.values(file.grants).map((g) => g.clientId)).toContain(keeper.clientId);
    expect((await flow.mcp(agent.tokens.access_token)).status).toBe(401);
    // Its registration went too: the refresh token is refused with the client (RFC 6749 invalid_client).
    const refreshed = await flow.refresh(agent.clientId, agent.tokens.refresh_token);
    expect(refreshed.status).toBe(401);
    expect((await refreshed.json()).error).toBe('invalid_client');
    const admin = { authorization: `Bearer ${secrets.admin}` };
    await waitFor(async () => {
      const { sessions } = await (await fetch(`${serve.origin}/api/sessions`, { headers: admin })).json();
      return !sessions.some((s: { id: string }) => s.id === sessionId);
    }, { what: 'the revoked client\'s session to close' });
    // The other client is untouched.
    const kept = await flow.mcp(keeper.tokens.access_token);
    expect(kept.status).toBe(200);
    await kept.body?.cancel();
    expect(errors.filter((e) => !e.includes('401'))).toEqual([]);
    await page.close();
  }, 60_000);

  test('the API keeps /api rules for OAuth clients: no hashes, JSON type on changes, foreign Origin refused, tag-limited tokens and OAuth identities get 403', async () => {
    const base = serve.origin;
    const admin = { authorization: `Bearer ${secrets.admin}` };
    const listed = await fetch(`${base}/api/oauth/clients`, { headers: admin });
    expect(listed.status).toBe(200);
    const text = await listed.text();
    const { clients } = JSON.parse(text) as { clients: { clientId: string; name: string; kind: string; approved: boolean; tags: string[] | null; created: string; lastUsed?: string }[] };
    const keeper = clients.find((c) => c.name === 'Keeper Agent')!;
    expect(keeper).toMatchObject({ kind: 'registered', approved: true, tags: ['web'] });
    expect(keeper.created).toMatch(/^\d{4}-/);
    expect(keeper.lastUsed).toMatch(/^\d{4}-/);
    for (const secret of ['refreshHash', 'rotatedHashes', 'secretHash', 'redirect']) expect(text).not.toContain(secret);

    expect((await fetch(`${base}/api/oauth/clients`)).status).toBe(401);
    const revokeKeeper = (headers: Record<string, string>) => fetch(`${base}/api/oauth/clients/${encodeURIComponent(keeper.clientId)}/revoke`, { method: 'POST', headers });
    expect((await revokeKeeper(admin)).status).toBe(415);
    expect((await revokeKeeper({ ...admin, 'content-type': 'application/json', origin: 'http://evil.example' })).status).toBe(403);
    const web = { authorization: `Bearer ${secrets.webonly}` };
    expect((await fetch(`${base}/api/oauth/clients`, { headers: web })).status).toBe(403);
    const limited = await revokeKeeper({ ...web, 'content-type': 'application/json' });
    expect(limited.status).toBe(403);
    expect((await limited.json()).error).toContain('token without tags');
    // An OAuth client approved for some tags is tag-limited too: it cannot list or revoke clients.
    const other = await flow.connected('Limited Agent');
    const asClient = { authorization: `Bearer ${other.tokens.access_token}` };
    expect((await fetch(`${base}/api/oauth/clients`, { headers: asClient })).status).toBe(403);
    expect((await revokeKeeper({ ...asClient, 'content-type': 'application/json' })).status).toBe(403);
    const unknown = await fetch(`${base}/api/oauth/clients/no-such-client/revoke`, { method: 'POST', headers: { ...admin, 'content-type': 'application/json' } });
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).error).toContain('no OAuth client with ID "no-such-client"');
    // A client named like another client's ID is not taken for it: the API revokes by exact ID.
    expect((await fetch(`${base}/api/oauth/clients/Keeper%20Agent/revoke`, { method: 'POST', headers: { ...admin, 'content-type': 'application/json' } })).status).toBe(404);
    expect(Object.values(clientsFile().grants).map((g) => g.clientId)).toContain(keeper.clientId);
    expect((await fetch(`${base}/api/oauth/clients`, { method: 'PUT', headers: { ...admin, 'content-type': 'application/json' } })).status).not.toBe(200);
  });

  test('OAuth clients view: light and dark, 1280x800 and 390x844, no horizontal page scroll; Tab reaches Revoke', async () => {
    const page = await browser.context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${serve.origin}/#oauth`);
    await page.getByLabel('Bearer token').fill(secrets.admin!);
    await page.keyboard.press('Enter');
    await page.locator('#oauth-body tr', { hasText: 'Keeper Agent' }).waitFor();
    for (const scheme of ['light', 'dark'] as const) {
      for (const size of [{ width: 1280, height: 800 }, { width: 390, height: 844 }]) {
        await page.emulateMedia({ colorScheme: scheme });
        await page.setViewportSize(size);
        const look = await page.evaluate(() => ({ bg: getComputedStyle(document.body).backgroundColor, overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth }));
        expect(look.overflow).toBeLessThanOrEqual(0);
        expect(look.bg).toBe(scheme === 'dark' ? 'rgb(20, 21, 24)' : 'rgb(247, 247, 248)');
        await page.screenshot({ path: join(SHOTS, `oauth-${scheme}-${size.width}x${size.height}.png`), fullPage: true });
      }
    }
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.locator('a[data-tab="oauth"]').focus();
    const seen: string[] = [];
    for (let i = 0; i < 10 && !seen.includes('button:Revoke'); i++) {
      await page.keyboard.press('Tab');
      seen.push(await page.evaluate(() => `${document.activeElement!.tagName.toLowerCase()}:${document.activeElement!.textContent?.trim()}`));
    }
    expect(seen).toContain('button:Revoke');
    expect(errors.filter((e) => !e.includes('401'))).toEqual([]); // the 401 before signing in is expected
    await page.close();
  }, 30_000);
});

describe('the OAuth clients API without --enable-auth oauth', () => {
  test('the list is empty with a hint; revoke says how to start serve', async () => {
    const serve = await startServe({ mcpServers: { alpha: fixtureEntry(['--name', 'alpha']) } }, { mode: e2eMode() });
    try {
      const listed = await (await fetch(`${serve.origin}/api/oauth/clients`)).json();
      expect(listed.clients).toEqual([]);
      expect(listed.hint).toContain('--enable-auth oauth');
      const revoke = await fetch(`${serve.origin}/api/oauth/clients/x/revoke`, { method: 'POST', headers: { 'content-type': 'application/json' } });
      expect(revoke.status).toBe(409);
      expect((await revoke.json()).error).toContain('--enable-auth oauth');
    } finally {
      await serve.stop();
    }
  });
});
