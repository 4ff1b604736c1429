/**
 * serve --enable-auth oauth (docs/security.md): a real serve in source mode, the MCP SDK v1 client with its
 * OAuth support (discovery, registration, PKCE, token exchange) against it, the consent page driven over
 * HTTP with the approval code read from serve's stderr, tag scopes, refresh rotation, revocation, bearer
 * tokens beside OAuth, and `1mcp auth approve`.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { UnauthorizedError, type OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import type { OAuthClientInformationMixed, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';
import { runCli } from '../helpers/cli.ts';
import { fixtureEntry } from '../helpers/fixture.ts';
import { connectHttp, textOf } from '../helpers/mcp-client.ts';
import { waitFor } from '../helpers/processes.ts';
import { openConsentPage, startOAuthServe } from '../helpers/oauth-flow.ts';
import { startServe, type ServeHandle } from '../helpers/serve.ts';

/** Never contacted: the test reads the redirect from the consent form's 302 instead of following it. */
const REDIRECT = 'http://127.0.0.1:9/callback';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/** An OAuthClientProvider that keeps everything in memory and records where it was sent to log in. */
class MemoryProvider implements OAuthClientProvider {
  info?: OAuthClientInformationMixed;
  saved?: OAuthTokens;
  verifier = '';
  authUrl?: URL;
  constructor(
    readonly name: string,
    preset?: OAuthClientInformationMixed,
  ) {
    this.info = preset;
  }
  get redirectUrl() {
    return REDIRECT;
  }
  get clientMetadata() {
    return { client_name: this.name, redirect_uris: [REDIRECT], grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], token_endpoint_auth_method: 'none' };
  }
  clientInformation() {
    return this.info;
  }
  saveClientInformation(info: OAuthClientInformationMixed) {
    this.info = info;
  }
  tokens() {
    return this.saved;
  }
  saveTokens(tokens: OAuthTokens) {
    this.saved = tokens;
  }
  redirectToAuthorization(url: URL) {
    this.authUrl = url;
  }
  saveCodeVerifier(v: string) {
    this.verifier = v;
  }
  codeVerifier() {
    return this.verifier;
  }
}

const serversOf = (tools: { name: string }[]) => [...new Set(tools.map((t) => t.name.split('_1mcp_')[0]))].sort();

describe('serve --enable-auth oauth', () => {
  let serve: ServeHandle;
  let bearer: string;
  const open: Client[] = [];

  /** GET the consent page the client was sent to: its hidden request id and the approval code from the log. */
  const openConsent = (authUrl: URL, clientName: string) => openConsentPage(serve, authUrl, clientName);

  async function submitConsent(fields: Record<string, string | string[]>) {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(fields)) for (const one of [v].flat()) body.append(k, one);
    return fetch(`${serve.origin}/oauth/authorize`, { method: 'POST', headers: FORM, body, redirect: 'manual' });
  }

  /** The SDK client's whole login: 401 → discovery → registration → authorize URL; consent over HTTP; token exchange; connect. */
  async function connectWithOAuth(provider: MemoryProvider, consent: (authUrl: URL) => Promise<string>): Promise<Client> {
    const first = new Client({ name: provider.name, version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport(new URL(serve.url), { authProvider: provider });
    await expect(first.connect(transport)).rejects.toBeInstanceOf(UnauthorizedError);
    expect(provider.authUrl).toBeDefined();
    const code = await consent(provider.authUrl!);
    await transport.finishAuth(code);
    const client = new Client({ name: provider.name, version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(serve.url), { authProvider: provider }));
    open.push(client);
    return client;
  }

  /** Consent on the page with the approval code, allowing `tags`; returns the code from the redirect. */
  const consentWithCode = (clientName: string, tags: string[]) => async (authUrl: URL) => {
    const { requestId, approvalCode } = await openConsent(authUrl, clientName);
    const answer = await submitConsent({ request: requestId, approval_code: approvalCode, tag: tags, action: 'allow' });
    expect(answer.status).toBe(302);
    const back = new URL(answer.headers.get('location')!);
    expect(back.origin + back.pathname).toBe(REDIRECT);
    expect(back.searchParams.get('state')).toBe(authUrl.searchParams.get('state'));
    expect(back.searchParams.get('iss')).toBe(serve.origin);
    return back.searchParams.get('code')!;
  };

  const sessionsByToken = async () => {
    const r = await fetch(`${serve.origin}/api/sessions`, { headers: { authorization: `Bearer ${bearer}` } });
    expect(r.status).toBe(200);
    return ((await r.json()) as { sessions: { tokenName?: string }[] }).sessions.map((s) => s.tokenName);
  };

  beforeAll(async () => {
    ({ serve, bearer } = await startOAuthServe());
  });
  afterAll(async () => {
    for (const c of open) await c.close().catch(() => {});
    await serve.stop();
  });

  test('metadata: protected resource (RFC 9728) and authorization server (RFC 8414); 401s carry the challenge', async () => {
    for (const path of ['/.well-known/oauth-protected-resource', '/.well-known/oauth-protected-resource/mcp']) {
      const prm = (await (await fetch(`${serve.origin}${path}`)).json()) as Record<string, unknown>;
      expect(prm).toMatchObject({ resource: serve.url, authorization_servers: [serve.origin], scopes_supported: ['tag:a', 'tag:b'] });
    }
    const as = (await (await fetch(`${serve.origin}/.well-known/oauth-authorization-server`)).json()) as Record<string, unknown>;
    expect(as).toMatchObject({
      issuer: serve.origin,
      authorization_endpoint: `${serve.origin}/oauth/authorize`,
      token_endpoint: `${serve.origin}/oauth/token`,
      registration_endpoint: `${serve.origin}/oauth/register`,
      revocation_endpoint: `${serve.origin}/oauth/revoke`,
      code_challenge_methods_supported: ['S256'],
      grant_types_supported: ['authorization_code', 'refresh_token'],
      client_id_metadata_document_supported: true,
      authorization_response_iss_parameter_supported: true,
    });
    expect(as.token_endpoint_auth_methods_supported).toContain('none');
    for (const [method, path] of [['POST', '/mcp'], ['GET', '/sse'], ['POST', '/messages'], ['GET', '/api/status']] as const) {
      const r = await fetch(`${serve.origin}${path}`, { method });
      expect(r.status).toBe(401);
      expect(r.headers.get('www-authenticate')).toBe(`Bearer resource_metadata="${serve.origin}/.well-known/oauth-protected-resource/mcp", scope="tag:a tag:b"`);
    }
    // The discovery documents stay behind the Host guard (DNS rebinding).
    expect((await fetch(`${serve.origin}/.well-known/oauth-authorization-server`, { headers: { host: 'evil.example' } })).status).toBe(403);
  });

  test('the SDK client registers (DCR), consents to tag:a with the printed code, and sees and calls only tag-a servers', async () => {
    const provider = new MemoryProvider('Scoped Agent');
    const client = await connectWithOAuth(provider, consentWithCode('Scoped Agent', ['a']));
    expect(provider.info?.client_id).toMatch(/^1mcp_client_/);
    expect(provider.saved?.scope).toBe('tag:a');
    expect(serversOf((await client.listTools()).tools)).toEqual(['alpha']);
    expect(textOf(await client.callTool({ name: 'alpha_1mcp_echo', arguments: { text: 'hi' } }))).toBe('hi');
    await expect(client.callTool({ name: 'beta_1mcp_echo', arguments: { text: 'x' } })).rejects.toThrow(/unknown tool/);
    // The file keeps hashes only: neither the access nor the refresh token appears in it; 0600.
    const file = join(serve.dir, 'oauth-clients.json');
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain(provider.saved!.access_token);
    expect(text).not.toContain(provider.saved!.refresh_token!);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // Bearer tokens keep working beside OAuth, and see the OAuth session under its identity.
    expect(await sessionsByToken()).toContain('oauth:Scoped Agent');
    const viaBearer = await connectHttp(serve.url, 'bearer-beside-oauth', { authorization: `Bearer ${bearer}` });
    open.push(viaBearer);
    expect(serversOf((await viaBearer.listTools()).tools)).toEqual(['alpha', 'beta']);
  });

  test('refresh rotates: the new tokens work, the old refresh token is refused, and reusing it revokes the approval', async () => {
    const provider = new MemoryProvider('Rotating Agent');
    const client = await connectWithOAuth(provider, consentWithCode('Rotating Agent', ['b']));
    const clientId = provider.info!.client_id;
    const oldRefresh = provider.saved!.refresh_token!;
    const refresh = (token: string) =>
      fetch(`${serve.origin}/oauth/token`, { method: 'POST', headers: FORM, body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: token, client_id: clientId }) });
    const first = await refresh(oldRefresh);
    expect(first.status).toBe(200);
    expect(first.headers.get('cache-control')).toBe('no-store');
    const rotated = (await first.json()) as OAuthTokens;
    expect(rotated.refresh_token).toBeDefined();
    expect(rotated.refresh_token).not.toBe(oldRefresh);
    // The new access token serves the same session (sessions are bound to the approval, not to one access token).
    provider.saved = { ...provider.saved, ...rotated };
    expect(serversOf((await client.listTools()).tools)).toEqual(['beta']);
    // The old refresh token again: refused, and the whole approval ends (it may have leaked).
    const replay = await refresh(oldRefresh);
    expect(replay.status).toBe(400);
    expect(((await replay.json()) as { error: string }).error).toBe('invalid_grant');
    const after = await fetch(serve.url, { method: 'POST', headers: { authorization: `Bearer ${rotated.access_token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: '{}' });
    expect(after.status).toBe(401);
    expect((await refresh(rotated.refresh_token!)).status).toBe(400);
  });

  test('a client ID metadata document served on loopback is fetched and used as the client (no registration)', async () => {
    let docUrl = '';
    const docServer = Bun.serve({
      port: 0,
      hostname: '127.0.0.1',
      fetch: () => Response.json({ client_id: docUrl, client_name: 'Metadata Doc Agent', redirect_uris: [REDIRECT], token_endpoint_auth_method: 'none' }),
    });
    try {
      docUrl = `http://127.0.0.1:${docServer.port}/client.json`;
      // The SDK only sends https metadata URLs itself, so the client information is given as the URL.
      const provider = new MemoryProvider('Metadata Doc Agent', { client_id: docUrl });
      const client = await connectWithOAuth(provider, consentWithCode('Metadata Doc Agent', ['a', 'b']));
      expect(serversOf((await client.listTools()).tools)).toEqual(['alpha', 'beta']);
      const listed = await runCli(['auth', 'clients', 'list', '--json', '--config-dir', serve.dir]);
      expect(listed.code).toBe(0);
      expect(JSON.parse(listed.stdout).approved.map((g: { clientId: string }) => g.clientId)).toContain(docUrl);
    } finally {
      docServer.stop(true);
    }
  });

  test('auth clients revoke cuts a client off at once: its token is refused and its session closed', async () => {
    const provider = new MemoryProvider('Doomed Agent');
    const client = await connectWithOAuth(provider, consentWithCode('Doomed Agent', ['a']));
    expect(serversOf((await client.listTools()).tools)).toEqual(['alpha']);
    expect(await sessionsByToken()).toContain('oauth:Doomed Agent');
    const revoked = await runCli(['auth', 'clients', 'revoke', 'Doomed Agent', '--config-dir', serve.dir]);
    expect(revoked.code).toBe(0);
    await waitFor(async () => !(await sessionsByToken()).includes('oauth:Doomed Agent'), { what: 'the revoked client\'s session to close' });
    const r = await fetch(serve.url, { method: 'POST', headers: { authorization: `Bearer ${provider.saved!.access_token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: '{}' });
    expect(r.status).toBe(401);
    expect(r.headers.get('www-authenticate')).toContain('error="invalid_token"');
    const again = await runCli(['auth', 'clients', 'revoke', 'Doomed Agent', '--config-dir', serve.dir]);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain('no OAuth client named "Doomed Agent"');
    // Others are untouched.
    expect(await sessionsByToken()).toContain('oauth:Scoped Agent');
  });

  test('1mcp auth approve <code> --tags b approves from the terminal; Allow then needs no code', async () => {
    const provider = new MemoryProvider('Terminal Agent');
    const client = await connectWithOAuth(provider, async (authUrl) => {
      const { requestId, approvalCode } = await openConsent(authUrl, 'Terminal Agent');
      // Without the code (and before the terminal approved): refused, the page says why.
      const early = await submitConsent({ request: requestId, tag: 'a', action: 'allow' });
      expect(early.status).toBe(400);
      expect(await early.text()).toContain('wrong approval code');
      const approved = await runCli(['auth', 'approve', approvalCode, '--tags', 'b', '--config-dir', serve.dir]);
      expect(approved.stderr).toBe('');
      expect(approved.code).toBe(0);
      expect(approved.stdout).toContain('Terminal Agent');
      const answer = await submitConsent({ request: requestId, action: 'allow' });
      expect(answer.status).toBe(302);
      return new URL(answer.headers.get('location')!).searchParams.get('code')!;
    });
    expect(serversOf((await client.listTools()).tools)).toEqual(['beta']);
    // A code nobody is waiting for, and a proof made without the identity key.
    const stale = await runCli(['auth', 'approve', '000-000', '--config-dir', serve.dir]);
    expect(stale.code).not.toBe(0);
    expect(stale.stderr).toContain('no pending request has the approval code 000-000');
    const forged = await fetch(`${serve.origin}/oauth/approve`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: '000-000', proof: 'a'.repeat(64) }) });
    expect(forged.status).toBe(403);
  });

  test('consent: wrong codes cancel the request after 5 tries; Deny redirects with access_denied; the page cannot be framed', async () => {
    const reg = (await (await fetch(`${serve.origin}/oauth/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ client_name: 'Raw', redirect_uris: [REDIRECT] }) })).json()) as { client_id: string };
    const verifier = randomBytes(32).toString('base64url');
    const authorizeUrl = () =>
      new URL(
        `${serve.origin}/oauth/authorize?${new URLSearchParams({ response_type: 'code', client_id: reg.client_id, redirect_uri: REDIRECT, state: 's1', code_challenge: createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256', scope: 'tag:a', resource: serve.url })}`,
      );
    const first = await openConsent(authorizeUrl(), 'Raw');
    expect(first.page.headers.get('x-frame-options')).toBe('DENY');
    expect(first.page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(first.page.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(first.html).toContain('value="a" checked');
    for (let i = 1; i <= 5; i++) {
      const r = await submitConsent({ request: first.requestId, approval_code: '999-999' === first.approvalCode ? '111-111' : '999-999', tag: 'a', action: 'allow' });
      expect(r.status).toBe(i < 5 ? 400 : 403);
    }
    const late = await submitConsent({ request: first.requestId, approval_code: first.approvalCode, tag: 'a', action: 'allow' });
    expect(await late.text()).toContain('expired or was already answered');
    const second = await openConsent(authorizeUrl(), 'Raw');
    const denied = await submitConsent({ request: second.requestId, action: 'deny' });
    expect(denied.status).toBe(302);
    const back = new URL(denied.headers.get('location')!);
    expect(back.searchParams.get('error')).toBe('access_denied');
    expect(back.searchParams.get('state')).toBe('s1');
    // A redirect URI the client did not register is never redirected to: a page says so.
    const stray = new URL(authorizeUrl());
    stray.searchParams.set('redirect_uri', 'https://evil.example/cb');
    const shown = await fetch(stray, { redirect: 'manual' });
    expect(shown.status).toBe(400);
    expect(await shown.text()).toContain('is not registered for this client');
  });

  test('raw HTTP: the PKCE verifier is checked; a code works once, and a replayed code revokes what it issued; names are escaped', async () => {
    const reg = await fetch(`${serve.origin}/oauth/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ client_name: '<script>x</script>', redirect_uris: [REDIRECT] }) });
    expect(reg.status).toBe(201);
    const { client_id } = (await reg.json()) as { client_id: string };
    const verifier = randomBytes(32).toString('base64url');
    const url = new URL(`${serve.origin}/oauth/authorize`);
    for (const [k, v] of Object.entries({ response_type: 'code', client_id, redirect_uri: REDIRECT, code_challenge: createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256', scope: 'tag:a' })) url.searchParams.set(k, v);
    const { html, requestId, approvalCode } = await openConsent(url, '<script>x</script>');
    expect(html).not.toContain('<script>');
    expect(html).toContain('&#60;script&#62;');
    const answer = await submitConsent({ request: requestId, approval_code: approvalCode.replace('-', ''), tag: 'a', action: 'allow' });
    const code = new URL(answer.headers.get('location')!).searchParams.get('code')!;
    const exchange = (codeVerifier: string) =>
      fetch(`${serve.origin}/oauth/token`, { method: 'POST', headers: FORM, body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, client_id, code_verifier: codeVerifier, resource: serve.url }) });
    const wrong = await exchange(randomBytes(32).toString('base64url'));
    expect(wrong.status).toBe(400);
    expect(((await wrong.json()) as { error: string }).error).toBe('invalid_grant');
    const ok = await exchange(verifier);
    expect(ok.status).toBe(200);
    const tokens = (await ok.json()) as OAuthTokens;
    expect(tokens).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: 'tag:a' });
    const init = () =>
      fetch(serve.url, {
        method: 'POST',
        headers: { authorization: `Bearer ${tokens.access_token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } }),
      });
    const working = await init();
    expect(working.status).toBe(200);
    await working.body?.cancel();
    // A 2026-07-28 (stateless) request with the same token is scoped the same way.
    const modern = await fetch(serve.url, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.access_token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/list' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/list', params: { _meta: { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': {}, 'io.modelcontextprotocol/clientInfo': { name: 'modern-oauth', version: '1' } } } }),
    });
    expect(modern.status).toBe(200);
    const text = await modern.text();
    const message = JSON.parse(modern.headers.get('content-type')?.includes('event-stream') ? text.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5)).find((d) => d.includes('"id":7'))! : text);
    expect(serversOf(message.result.tools)).toEqual(['alpha']);
    const replay = await exchange(verifier);
    expect(replay.status).toBe(400);
    expect(((await replay.json()) as { error_description: string }).error_description).toContain('already used');
    expect((await init()).status).toBe(401);
  });

  test('bad requests: registration rules, a metadata document that names another client, authorize checks (redirected once the redirect URI is trusted)', async () => {
    const register = (body: unknown) => fetch(`${serve.origin}/oauth/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const plainHttp = await register({ redirect_uris: ['http://app.example/cb'] });
    expect(plainHttp.status).toBe(400);
    expect(await plainHttp.json()).toMatchObject({ error: 'invalid_redirect_uri' });
    expect(((await (await register({ redirect_uris: [] })).json()) as { error: string }).error).toBe('invalid_redirect_uri');
    expect(((await (await register({ redirect_uris: [REDIRECT], grant_types: ['client_credentials'] })).json()) as { error: string }).error).toBe('invalid_client_metadata');

    // A metadata document must name itself.
    const liar = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => Response.json({ client_id: 'https://someone.else/client.json', redirect_uris: [REDIRECT] }) });
    try {
      const url = new URL(`${serve.origin}/oauth/authorize`);
      for (const [k, v] of Object.entries({ response_type: 'code', client_id: `http://127.0.0.1:${liar.port}/c.json`, redirect_uri: REDIRECT, code_challenge: 'x'.repeat(43), code_challenge_method: 'S256' })) url.searchParams.set(k, v);
      const shown = await fetch(url, { redirect: 'manual' });
      expect(shown.status).toBe(400);
      expect(await shown.text()).toContain('does not name the same client_id');
    } finally {
      liar.stop(true);
    }

    const { client_id } = (await (await register({ client_name: 'Checked', redirect_uris: [REDIRECT] })).json()) as { client_id: string };
    const refusal = async (params: Record<string, string>) => {
      const url = new URL(`${serve.origin}/oauth/authorize`);
      for (const [k, v] of Object.entries({ response_type: 'code', client_id, redirect_uri: REDIRECT, state: 'st', code_challenge: 'x'.repeat(43), code_challenge_method: 'S256', ...params })) url.searchParams.set(k, v);
      const r = await fetch(url, { redirect: 'manual' });
      expect(r.status).toBe(302);
      const back = new URL(r.headers.get('location')!);
      expect(back.searchParams.get('state')).toBe('st');
      expect(back.searchParams.get('iss')).toBe(serve.origin);
      return back.searchParams.get('error');
    };
    expect(await refusal({ code_challenge_method: 'plain' })).toBe('invalid_request');
    expect(await refusal({ code_challenge: '' })).toBe('invalid_request');
    expect(await refusal({ response_type: 'token' })).toBe('unsupported_response_type');
    expect(await refusal({ resource: 'http://127.0.0.1:1/mcp' })).toBe('invalid_target');
    expect(await refusal({ scope: 'tag:a tag:nope' })).toBe('invalid_scope');
    expect(await refusal({ scope: 'admin' })).toBe('invalid_scope');
  });
});

describe('serve --enable-auth oauth across a restart', () => {
  test('access tokens live in memory: after a restart the old one is refused and the refresh token gets a new one', async () => {
    const dir = (await import('node:fs')).mkdtempSync(join((await import('node:os')).tmpdir(), '1mcp-oauth-restart-'));
    const config = { mcpServers: { alpha: fixtureEntry(['--name', 'alpha'], { tags: ['a'] }) } };
    let serve = await startServe(config, { dir, args: ['--enable-auth', 'oauth'] });
    try {
      const reg = (await (await fetch(`${serve.origin}/oauth/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ client_name: 'Restart', redirect_uris: [REDIRECT] }) })).json()) as { client_id: string };
      const verifier = randomBytes(32).toString('base64url');
      const url = new URL(`${serve.origin}/oauth/authorize`);
      for (const [k, v] of Object.entries({ response_type: 'code', client_id: reg.client_id, redirect_uri: REDIRECT, code_challenge: createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256' })) url.searchParams.set(k, v);
      const seen = serve.stderr().length;
      const html = await (await fetch(url)).text();
      const requestId = /name="request" value="([^"]+)"/.exec(html)![1]!;
      expect(html).toContain('name="all"');
      const approvalCode = await waitFor(() => /"Restart" asks to connect — approval code (\d{3}-\d{3})/.exec(serve.stderr().slice(seen))?.[1]);
      const answer = await fetch(`${serve.origin}/oauth/authorize`, { method: 'POST', headers: FORM, body: new URLSearchParams({ request: requestId, approval_code: approvalCode, all: '1', action: 'allow' }), redirect: 'manual' });
      const code = new URL(answer.headers.get('location')!).searchParams.get('code')!;
      const first = (await (await fetch(`${serve.origin}/oauth/token`, { method: 'POST', headers: FORM, body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, client_id: reg.client_id, code_verifier: verifier }) })).json()) as OAuthTokens;
      expect(first.scope).toBeUndefined(); // every server
      const status = (token: string) => fetch(`${serve.origin}/api/status`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status);
      expect(await status(first.access_token)).toBe(200);
      await serve.stop();
      serve = await startServe(config, { dir, args: ['--enable-auth', 'oauth'] });
      expect(await status(first.access_token)).toBe(401);
      const refreshed = await fetch(`${serve.origin}/oauth/token`, { method: 'POST', headers: FORM, body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: first.refresh_token!, client_id: reg.client_id }) });
      expect(refreshed.status).toBe(200);
      expect(await status(((await refreshed.json()) as OAuthTokens).access_token)).toBe(200);
    } finally {
      await serve.stop();
      (await import('node:fs')).rmSync(dir, { recursive: true, force: true });
    }
  });
});

test('serve --enable-auth with an unknown mode is a usage error', async () => {
  const r = await runCli(['serve', '--enable-auth', 'kerberos', '--port', '0', '--config-dir', join(import.meta.dir, 'no-such-dir-oauth-inbound')]);
  expect(r.code).toBe(2);
  expect(r.stderr).toContain('--enable-auth takes no value (bearer tokens) or "oauth"');
});
