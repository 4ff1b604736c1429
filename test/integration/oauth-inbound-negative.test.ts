/**
 * serve --enable-auth oauth refuses what it must (docs/security.md), each with the error the RFCs name:
 * PKCE (RFC 7636 / OAuth 2.1), single-use codes and refresh-token rotation (RFC 6749 §10.5, OAuth 2.1 §4.3),
 * redirect URIs (RFC 6749 §4.1.2.1: never redirect to an unregistered URI), resource indicators (RFC 8707),
 * `iss` on every redirect (RFC 9207), revocation (RFC 7009), registration (RFC 7591), and the consent
 * form's approval code and Origin. Real serve processes (source mode), raw HTTP as a client and a browser
 * would send it; each refusal is next to the legitimate path that works.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.ts';
import { fixtureEntry } from '../helpers/fixture.ts';
import { FORM, oauthServe, pkce, REDIRECT, type Tokens } from '../helpers/oauth-flow.ts';
import { waitFor } from '../helpers/processes.ts';
import { startServe, type ServeHandle } from '../helpers/serve.ts';
import { makeTempDir } from '../helpers/tmp.ts';

async function expectOAuthError(response: Response, status: number, error: string, mentions?: string): Promise<void> {
  expect(response.status).toBe(status);
  expect(response.headers.get('cache-control')).toContain('no-store');
  const body = (await response.json()) as { error: string; error_description?: string };
  expect(body.error).toBe(error);
  if (mentions) expect(body.error_description).toContain(mentions);
}

async function expectRefusedAtMcp(response: Response, why?: string): Promise<void> {
  expect(response.status).toBe(401);
  const challenge = response.headers.get('www-authenticate') ?? '';
  expect(challenge).toContain('error="invalid_token"');
  expect(challenge).toContain('resource_metadata=');
  if (why) expect(challenge).toContain(why);
  await response.body?.cancel();
}

/** Where the authorization endpoint sent the browser: the client's redirect URI with an error, state and iss. */
function redirectedError(response: Response, origin: string): URLSearchParams {
  expect(response.status).toBe(302);
  const back = new URL(response.headers.get('location')!);
  expect(`${back.origin}${back.pathname}`).toBe(REDIRECT);
  expect(back.searchParams.get('code')).toBeNull();
  expect(back.searchParams.get('state')).toBe('st-1');
  expect(back.searchParams.get('iss')).toBe(origin);
  return back.searchParams;
}

describe('serve --enable-auth oauth refuses', () => {
  let serve: ServeHandle;
  let other: ServeHandle;
  const a = oauthServe(() => serve);
  const b = oauthServe(() => other);

  beforeAll(async () => {
    const config = { mcpServers: { alpha: fixtureEntry(['--name', 'alpha'], { tags: ['a'] }) } };
    [serve, other] = await Promise.all([startServe(config, { args: ['--enable-auth', 'oauth'] }), startServe(config, { args: ['--enable-auth', 'oauth'] })]);
  });
  afterAll(async () => {
    await Promise.all([serve?.stop(), other?.stop()]);
  });

  test('a wrong code_verifier: invalid_grant; the right one works', async () => {
    const clientId = await a.register('Verifier Agent');
    const p = pkce();
    const code = await a.authorize(clientId, 'Verifier Agent', p);
    await expectOAuthError(await a.exchange(clientId, code, pkce().verifier), 400, 'invalid_grant', 'PKCE');
    await expectOAuthError(await a.exchange(clientId, code, ''), 400, 'invalid_grant', 'PKCE');
    const ok = await a.exchange(clientId, code, p.verifier);
    expect(ok.status).toBe(200);
    const tokens = (await ok.json()) as Tokens;
    expect(tokens.token_type).toBe('Bearer');
    expect(tokens.scope).toBe('tag:a');
    expect((await a.mcp(tokens.access_token)).status).toBe(200);
  });

  test('a code used twice: invalid_grant, and the tokens its first use issued are revoked', async () => {
    const clientId = await a.register('Replay Agent');
    const p = pkce();
    const code = await a.authorize(clientId, 'Replay Agent', p);
    const first = await a.exchange(clientId, code, p.verifier);
    expect(first.status).toBe(200);
    const tokens = (await first.json()) as Tokens;
    expect((await a.mcp(tokens.access_token)).status).toBe(200);
    await expectOAuthError(await a.exchange(clientId, code, p.verifier), 400, 'invalid_grant', 'already used');
    await expectRefusedAtMcp(await a.mcp(tokens.access_token));
    await expectOAuthError(await a.refresh(clientId, tokens.refresh_token), 400, 'invalid_grant');
  });

  test('a code is bound to its client and redirect_uri', async () => {
    const clientId = await a.register('Bound Agent');
    const thief = await a.register('Thief Agent');
    const p = pkce();
    const code = await a.authorize(clientId, 'Bound Agent', p);
    await expectOAuthError(await a.exchange(thief, code, p.verifier), 400, 'invalid_grant', 'another client');
    await expectOAuthError(await a.exchange(clientId, code, p.verifier, { redirect_uri: 'http://127.0.0.1:9/other' }), 400, 'invalid_grant', 'redirect_uri');
    expect((await a.exchange(clientId, code, p.verifier)).status).toBe(200);
  });

  test('a redirect_uri that is not registered: an error page, never a redirect', async () => {
    const clientId = await a.register('Redirect Agent');
    for (const evil of ['http://127.0.0.1:9/evil', 'https://evil.example/callback', `${REDIRECT}/../x`]) {
      const r = await fetch(a.authorizeUrl(clientId, pkce().challenge, { redirect_uri: evil }), { redirect: 'manual' });
      expect(r.status).toBe(400);
      expect(r.headers.get('location')).toBeNull();
      expect(r.headers.get('content-type')).toContain('text/html');
      expect(await r.text()).toContain('is not registered for this client');
    }
    // An unknown client: a page too (its redirect URI cannot be trusted).
    const unknown = await fetch(a.authorizeUrl('no-such-client', pkce().challenge), { redirect: 'manual' });
    expect(unknown.status).toBe(400);
    expect(unknown.headers.get('location')).toBeNull();
    // Registration refuses a redirect URI a native app cannot own (RFC 7591 §3.2.2, RFC 8252).
    const bad = await fetch(`${serve.origin}/oauth/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ client_name: 'x', redirect_uris: ['http://evil.example/cb'], token_endpoint_auth_method: 'none' }) });
    await expectOAuthError(bad, 400, 'invalid_redirect_uri');
  });

  test('PKCE is required and only S256: plain or no challenge goes back as invalid_request (with state and iss)', async () => {
    const clientId = await a.register('Plain Agent');
    const p = pkce();
    const plain = redirectedError(await fetch(a.authorizeUrl(clientId, p.verifier, { code_challenge_method: 'plain' }), { redirect: 'manual' }), serve.origin);
    expect(plain.get('error')).toBe('invalid_request');
    expect(plain.get('error_description')).toContain('S256');
    const none = redirectedError(await fetch(a.authorizeUrl(clientId, '', { code_challenge_method: '' }), { redirect: 'manual' }), serve.origin);
    expect(none.get('error')).toBe('invalid_request');
    expect(serve.stderr()).not.toContain('"Plain Agent" asks to connect');
  });

  test('a resource other than this serve: invalid_target at the authorization and at the token endpoint', async () => {
    const clientId = await a.register('Resource Agent');
    const p = pkce();
    const atAuthorize = redirectedError(await fetch(a.authorizeUrl(clientId, p.challenge, { resource: 'https://other.example/mcp' }), { redirect: 'manual' }), serve.origin);
    expect(atAuthorize.get('error')).toBe('invalid_target');
    // The other serve on this machine is another resource too.
    const otherServe = redirectedError(await fetch(a.authorizeUrl(clientId, p.challenge, { resource: other.url }), { redirect: 'manual' }), serve.origin);
    expect(otherServe.get('error')).toBe('invalid_target');
    const code = await a.authorize(clientId, 'Resource Agent', p);
    await expectOAuthError(await a.exchange(clientId, code, p.verifier, { resource: 'https://other.example/mcp' }), 400, 'invalid_target');
    await expectOAuthError(await a.exchange(clientId, code, p.verifier, { resource: other.url }), 400, 'invalid_target');
    expect((await a.exchange(clientId, code, p.verifier)).status).toBe(200);
  });

  test("an access token of another serve (another config dir) is refused, and that serve refuses this one's", async () => {
    const here = await a.connected('Here Agent');
    const there = await b.connected('There Agent');
    expect((await a.mcp(here.tokens.access_token)).status).toBe(200);
    expect((await b.mcp(there.tokens.access_token)).status).toBe(200);
    await expectRefusedAtMcp(await a.mcp(there.tokens.access_token));
    await expectRefusedAtMcp(await b.mcp(here.tokens.access_token));
    // Nor is a refresh token of one serve any good at the other.
    await expectOAuthError(await a.refresh(here.clientId, there.tokens.refresh_token), 400, 'invalid_grant');
  });

  test('consent without the approval code, or with a wrong one, approves nothing; the right code does', async () => {
    const clientId = await a.register('Consent Agent');
    const p = pkce();
    const { requestId, approvalCode } = await a.openConsent(a.authorizeUrl(clientId, p.challenge), 'Consent Agent');
    const wrong = approvalCode === '111-111' ? '222-222' : '111-111';
    const attempts: Record<string, string>[] = [
      { request: requestId, tag: 'a', action: 'allow' },
      { request: requestId, approval_code: wrong, tag: 'a', action: 'allow' },
    ];
    for (const fields of attempts) {
      const r = await a.submitConsent(fields);
      expect(r.status).toBe(400);
      expect(r.headers.get('location')).toBeNull();
      expect(await r.text()).toContain('wrong approval code');
    }
    const ok = await a.submitConsent({ request: requestId, approval_code: approvalCode, tag: 'a', action: 'allow' });
    expect(ok.status).toBe(302);
    expect(new URL(ok.headers.get('location')!).searchParams.get('code')).toBeTruthy();
  });

  test('the consent form POSTed from another site (Origin) is refused; the request stays for the real page', async () => {
    const clientId = await a.register('Origin Agent');
    const p = pkce();
    const { requestId, approvalCode } = await a.openConsent(a.authorizeUrl(clientId, p.challenge), 'Origin Agent');
    for (const origin of ['https://evil.example', 'null', `http://localhost:${serve.port + 1}`]) {
      const r = await a.submitConsent({ request: requestId, approval_code: approvalCode, tag: 'a', action: 'allow' }, { origin });
      expect(r.status).toBe(403);
      expect(r.headers.get('location')).toBeNull();
      await r.body?.cancel();
    }
    const ok = await a.submitConsent({ request: requestId, approval_code: approvalCode, tag: 'a', action: 'allow' });
    expect(ok.status).toBe(302);
  });

  test('a revoked refresh token (RFC 7009) is refused, and so is the access token of that approval', async () => {
    const { clientId, tokens } = await a.connected('Revoke Agent');
    expect((await a.mcp(tokens.access_token)).status).toBe(200);
    const revoked = await fetch(`${serve.origin}/oauth/revoke`, { method: 'POST', headers: FORM, body: new URLSearchParams({ token: tokens.refresh_token, client_id: clientId }) });
    expect(revoked.status).toBe(200);
    await expectOAuthError(await a.refresh(clientId, tokens.refresh_token), 400, 'invalid_grant');
    await expectRefusedAtMcp(await a.mcp(tokens.access_token));
  });

  test('a rotated refresh token used again: invalid_grant, and the whole approval is revoked (also the new tokens)', async () => {
    const { clientId, tokens } = await a.connected('Rotation Agent');
    const rotated = await a.refresh(clientId, tokens.refresh_token);
    expect(rotated.status).toBe(200);
    const fresh = (await rotated.json()) as Tokens;
    expect(fresh.refresh_token).not.toBe(tokens.refresh_token);
    expect((await a.mcp(fresh.access_token)).status).toBe(200);
    await expectOAuthError(await a.refresh(clientId, tokens.refresh_token), 400, 'invalid_grant', 'already used');
    await expectOAuthError(await a.refresh(clientId, fresh.refresh_token), 400, 'invalid_grant');
    await expectRefusedAtMcp(await a.mcp(fresh.access_token));
  });

  test('a refresh token works only for the client it was issued to', async () => {
    const { clientId, tokens } = await a.connected('Owner Agent');
    const stranger = await a.register('Stranger Agent');
    await expectOAuthError(await a.refresh(stranger, tokens.refresh_token), 400, 'invalid_grant');
    expect((await a.refresh(clientId, tokens.refresh_token)).status).toBe(200);
  });
});

describe('serve --enable-auth oauth after a restart', () => {
  test('access tokens (kept in memory only) are refused; the refresh token, kept hashed on disk, gets new ones', async () => {
    const dir = makeTempDir('1mcp-oauth-restart-');
    const config = { mcpServers: { alpha: fixtureEntry(['--name', 'alpha'], { tags: ['a'] }) } };
    let serve: ServeHandle | undefined;
    const steps = oauthServe(() => serve!);
    try {
      serve = await startServe(config, { args: ['--enable-auth', 'oauth'], dir: dir.path });
      const { clientId, tokens } = await steps.connected('Restart Agent');
      expect((await steps.mcp(tokens.access_token)).status).toBe(200);
      await serve.stop();
      serve = await startServe(config, { args: ['--enable-auth', 'oauth'], dir: dir.path });
      await expectRefusedAtMcp(await steps.mcp(tokens.access_token));
      const refreshed = await steps.refresh(clientId, tokens.refresh_token);
      expect(refreshed.status).toBe(200);
      const fresh = (await refreshed.json()) as Tokens;
      expect((await steps.mcp(fresh.access_token)).status).toBe(200);
    } finally {
      await serve?.stop();
      dir.cleanup();
    }
  });
});

describe('serve --enable-auth oauth --oauth-token-ttl', () => {
  /** One JSON-RPC message to /mcp with this access token, on a session when given. */
  function post(handle: ServeHandle, accessToken: string, message: object, sessionId?: string): Promise<Response> {
    return fetch(handle.url, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${accessToken}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        ...(sessionId ? { 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25' } : {}),
      },
      body: JSON.stringify({ jsonrpc: '2.0', ...message }),
    });
  }
  const listTools = { id: 2, method: 'tools/list', params: {} };

  test('an expired access token is refused (401 invalid_token) at /mcp and on its session; the refresh token gets a new one that carries on the session', async () => {
    const config = { mcpServers: { alpha: fixtureEntry(['--name', 'alpha'], { tags: ['a'] }) } };
    const serve = await startServe(config, { args: ['--enable-auth', 'oauth', '--oauth-token-ttl', '2s'] });
    const steps = oauthServe(() => serve);
    try {
      const { clientId, tokens } = await steps.connected('Short Agent');
      expect(tokens.expires_in).toBe(2);
      // While it lives, the token opens a session and works on it.
      const opened = await steps.mcp(tokens.access_token);
      expect(opened.status).toBe(200);
      const sessionId = opened.headers.get('mcp-session-id')!;
      expect(sessionId).toBeTruthy();
      await opened.body?.cancel();
      const initialized = await post(serve, tokens.access_token, { method: 'notifications/initialized' }, sessionId);
      expect(initialized.status).toBe(202);
      await initialized.body?.cancel();
      const listed = await post(serve, tokens.access_token, listTools, sessionId);
      expect(listed.status).toBe(200);
      expect(await listed.text()).toContain('alpha_1mcp_echo');

      // Once it expires, the session it opened refuses it, with the challenge that sends the client to refresh.
      const refused = await waitFor(
        async () => {
          const r = await post(serve, tokens.access_token, listTools, sessionId);
          if (r.status === 401) return r;
          await r.body?.cancel();
          return undefined;
        },
        { timeout: 15_000, what: 'the access token to expire' },
      );
      expect(((await refused.clone().json()) as { message: string }).message).toContain('expired');
      await expectRefusedAtMcp(refused);
      await expectRefusedAtMcp(await steps.mcp(tokens.access_token));

      // The refresh token (30 days) still works: its access token carries on the same session, and opens new ones.
      const refreshed = await steps.refresh(clientId, tokens.refresh_token);
      expect(refreshed.status).toBe(200);
      const fresh = (await refreshed.json()) as Tokens;
      expect(fresh.expires_in).toBe(2);
      const again = await post(serve, fresh.access_token, listTools, sessionId);
      expect(again.status).toBe(200);
      expect(await again.text()).toContain('alpha_1mcp_echo');
      const reopened = await steps.mcp(fresh.access_token);
      expect(reopened.status).toBe(200);
      await reopened.body?.cancel();
      // The old token stays refused, also beside a live one of the same approval.
      await expectRefusedAtMcp(await post(serve, tokens.access_token, listTools, sessionId));
    } finally {
      await serve.stop();
    }
  });

  /** Read an event stream until it ends; what it carried. Fails the test if it is still open after `ms`. */
  async function readToEnd(response: Response, ms = 15_000): Promise<string> {
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`the stream was still open after ${ms} ms`)), ms)));
    try {
      for (;;) {
        const { done, value } = await Promise.race([reader.read(), timeout]);
        if (done) return text;
        text += decoder.decode(value, { stream: true });
      }
    } finally {
      clearTimeout(timer);
      reader.cancel().catch(() => {});
    }
  }

  test('a standing stream opened with an access token ends when the token expires; the refreshed token reopens it on the same session', async () => {
    const config = { mcpServers: { alpha: fixtureEntry(['--name', 'alpha'], { tags: ['a'] }) } };
    const serve = await startServe(config, { args: ['--enable-auth', 'oauth', '--oauth-token-ttl', '2s'] });
    const steps = oauthServe(() => serve);
    const stream = (accessToken: string, sessionId: string) =>
      fetch(serve.url, { headers: { authorization: `Bearer ${accessToken}`, accept: 'text/event-stream', 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25' } });
    try {
      const { clientId, tokens } = await steps.connected('Stream Agent');
      const opened = await steps.mcp(tokens.access_token);
      const sessionId = opened.headers.get('mcp-session-id')!;
      await opened.body?.cancel();
      const initialized = await post(serve, tokens.access_token, { method: 'notifications/initialized' }, sessionId);
      expect(initialized.status).toBe(202);
      // Legacy HTTP+SSE: the stream is the session; its first event names where to POST.
      const legacy = await fetch(`${serve.origin}/sse`, { headers: { authorization: `Bearer ${tokens.access_token}`, accept: 'text/event-stream' } });
      expect(legacy.status).toBe(200);
      // Streamable HTTP: the session's GET stream (its headers may come only with its first bytes, so not awaited here).
      const standing = stream(tokens.access_token, sessionId).then((r) => {
        expect(r.status).toBe(200);
        expect(r.headers.get('content-type')).toContain('text/event-stream');
        return readToEnd(r);
      });
      const [legacyText] = await Promise.all([readToEnd(legacy), standing]);
      const endpoint = /event: endpoint\ndata: (\S+)/.exec(legacyText)?.[1];
      expect(endpoint).toContain('/messages?sessionId=');

      await expectRefusedAtMcp(await stream(tokens.access_token, sessionId));
      const refreshed = await steps.refresh(clientId, tokens.refresh_token);
      expect(refreshed.status).toBe(200);
      const fresh = (await refreshed.json()) as Tokens;
      // The session outlives the stream: the refreshed token reopens it (the old one was let go) and calls on it.
      const reopening = stream(fresh.access_token, sessionId);
      const listed = await post(serve, fresh.access_token, listTools, sessionId);
      expect(listed.status).toBe(200);
      expect(await listed.text()).toContain('alpha_1mcp_echo');
      // The legacy session ended with its stream: it answers 404, the client opens a new /sse.
      const gone = await fetch(new URL(endpoint!, serve.origin), {
        method: 'POST',
        headers: { authorization: `Bearer ${fresh.access_token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }),
      });
      expect(gone.status).toBe(404);
      await gone.body?.cancel();
      // Not 409 (a second stream on the session): the expired one was let go at serve too.
      const reopened = await reopening;
      expect(reopened.status).toBe(200);
      await reopened.body?.cancel();
    } finally {
      await serve.stop();
    }
  });

  test('a bad --oauth-token-ttl, or one without --enable-auth oauth, is a one-line usage error (exit 2) and nothing starts', async () => {
    const dir = makeTempDir('1mcp-oauth-ttl-');
    try {
      const cases: [string[], Record<string, string>, string][] = [
        [['--enable-auth', 'oauth', '--oauth-token-ttl', '0s'], {}, '--oauth-token-ttl must be a duration from 1s to 24h, such as 15m or 1h (got "0s")'],
        [['--enable-auth', 'oauth', '--oauth-token-ttl', '25h'], {}, '--oauth-token-ttl must be a duration from 1s to 24h, such as 15m or 1h (got "25h")'],
        [['--enable-auth', 'oauth', '--oauth-token-ttl', '90'], {}, '--oauth-token-ttl must be a duration from 1s to 24h, such as 15m or 1h (got "90")'],
        [['--enable-auth', 'oauth', '--oauth-token-ttl', '1.5h'], {}, '--oauth-token-ttl must be a duration from 1s to 24h, such as 15m or 1h (got "1.5h")'],
        [['--enable-auth', 'oauth'], { ONE_MCP_OAUTH_TOKEN_TTL: 'soon' }, '--oauth-token-ttl must be a duration from 1s to 24h, such as 15m or 1h (got "soon")'],
        [['--enable-auth', '--oauth-token-ttl', '15m'], {}, '--oauth-token-ttl sets the lifetime of OAuth access tokens: add --enable-auth oauth, or leave it out (got "15m")'],
        [['--oauth-token-ttl', '15m'], {}, '--oauth-token-ttl sets the lifetime of OAuth access tokens: add --enable-auth oauth, or leave it out (got "15m")'],
      ];
      for (const [args, env, message] of cases) {
        const r = await runCli(['serve', '--port', '0', '--config-dir', dir.path, ...args], { env });
        expect(r.code, args.join(' ')).toBe(2);
        expect(r.stderr.trim()).toBe(`1mcp: ${message}`);
        expect(existsSync(join(dir.path, 'server.pid'))).toBe(false);
      }
    } finally {
      dir.cleanup();
    }
  });

  test('the environment twin sets the lifetime like the flag', async () => {
    const config = { mcpServers: { alpha: fixtureEntry(['--name', 'alpha'], { tags: ['a'] }) } };
    const serve = await startServe(config, { args: ['--enable-auth', 'oauth'], env: { ONE_MCP_OAUTH_TOKEN_TTL: '15m' } });
    try {
      const { tokens } = await oauthServe(() => serve).connected('Env Agent');
      expect(tokens.expires_in).toBe(900);
    } finally {
      await serve.stop();
    }
  });
});
