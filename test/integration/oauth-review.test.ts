/**
 * Findings of a security read of serve's OAuth authorization server, each reproduced against a real serve.
 * docs/security.md "OAuth for clients".
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { runCli } from '../helpers/cli.ts';
import { fixtureEntry } from '../helpers/fixture.ts';
import { oauthServe, pkce, REDIRECT, startOAuthServe } from '../helpers/oauth-flow.ts';
import { startServe, type ServeHandle } from '../helpers/serve.ts';

describe('serve exposed (--external-url): a client ID metadata document URL cannot point to this machine', () => {
  let serve: ServeHandle;
  beforeAll(async () => {
    serve = await startServe({ mcpServers: { alpha: fixtureEntry(['--name', 'alpha'], { tags: ['a'] }) } }, { args: ['--enable-auth', 'oauth', '--external-url', 'https://mcp.example.test'], waitReady: false });
  });
  afterAll(async () => {
    await serve?.stop();
  });

  const authorizeWith = async (clientId: string) => {
    const url = new URL(`http://127.0.0.1:${serve.port}/oauth/authorize`);
    url.search = new URLSearchParams({ client_id: clientId, redirect_uri: REDIRECT, response_type: 'code', code_challenge: pkce().challenge, code_challenge_method: 'S256' }).toString();
    const page = await fetch(url, { redirect: 'manual', headers: { host: 'mcp.example.test' } });
    return { status: page.status, html: await page.text() };
  };

  // Each of these names this machine; before the fix only localhost, 127.x and [::1] were refused, so an
  // exposed serve could be made to connect to its own local ports (and tell apart open from closed).
  for (const host of ['0.0.0.0', '0', '[::]', '[::ffff:127.0.0.1]', 'localhost.', 'db.localhost', '127.0.0.1', 'localhost']) {
    test(`https://${host}:1/… is refused before any fetch`, async () => {
      const { status, html } = await authorizeWith(`https://${host}:1/client.json`);
      expect(status).toBe(400);
      expect(html).toContain('must not point to this machine');
    });
  }

  test('an ordinary https client_id is still fetched (it fails here only because the name does not resolve)', async () => {
    const { status, html } = await authorizeWith('https://client.invalid/client.json');
    expect(status).toBe(400);
    expect(html).toContain('could not be fetched');
  });
});

describe('approval codes cannot be guessed by opening request after request', () => {
  let serve: ServeHandle;
  beforeAll(async () => {
    ({ serve } = await startOAuthServe());
  });
  afterAll(async () => {
    await serve?.stop();
  });

  test('after 20 wrong codes across requests the form takes no code, even the right one; the terminal still approves', async () => {
    const a = oauthServe(() => serve);
    const clientId = await a.register('Guessing Agent');
    // 4 requests × 5 wrong guesses: each request is cancelled after 5, a new one gave 5 fresh guesses before.
    for (let round = 0; round < 4; round++) {
      const { requestId, approvalCode } = await a.openConsent(a.authorizeUrl(clientId, pkce().challenge), 'Guessing Agent');
      for (let guess = 0; guess < 5; guess++) {
        const wrong = `${guess}${guess}${guess}-${round}${round}${round}`;
        const r = await a.submitConsent({ request: requestId, approval_code: wrong === approvalCode ? '999-999' : wrong, tag: 'a', action: 'allow' });
        expect(r.headers.get('location')).toBeNull();
      }
    }
    const { requestId, approvalCode } = await a.openConsent(a.authorizeUrl(clientId, pkce().challenge), 'Guessing Agent');
    const typed = await a.submitConsent({ request: requestId, approval_code: approvalCode, tag: 'a', action: 'allow' });
    expect(typed.status).toBe(400);
    expect(typed.headers.get('location')).toBeNull();
    expect(await typed.text()).toContain('too many wrong approval codes on this serve lately');
    // The local user's way in stays open.
    const approved = await runCli(['auth', 'approve', approvalCode, '--tags', 'a', '--config-dir', serve.dir]);
    expect(approved.code).toBe(0);
    const allowed = await a.submitConsent({ request: requestId, action: 'allow' });
    expect(allowed.status).toBe(302);
    expect(new URL(allowed.headers.get('location')!).searchParams.get('code')).toBeTruthy();
  });
});
