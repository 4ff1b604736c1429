/**
 * The OAuth authorization-code flow against `serve --enable-auth oauth`, step by step over raw HTTP, as a
 * client and a browser send it (docs/security.md "OAuth for clients"): register, consent with the approval
 * code read from serve's log, exchange, refresh, and an MCP request with the access token.
 */
import { expect } from 'bun:test';
import { createHash, randomBytes } from 'node:crypto';
import { runCli } from './cli.ts';
import { fixtureEntry } from './fixture.ts';
import { waitFor } from './processes.ts';
import { startServe, type ServeHandle } from './serve.ts';

/** Never contacted: the tests read the redirect from the 302 instead of following it. */
export const REDIRECT = 'http://127.0.0.1:9/callback';
export const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

export interface Pkce {
  verifier: string;
  challenge: string;
}

export function pkce(): Pkce {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** `serve --enable-auth oauth` over alpha (tag a) and beta (tag b), and a bearer token "admin" made by the CLI. */
export async function startOAuthServe(): Promise<{ serve: ServeHandle; bearer: string }> {
  const serve = await startServe(
    { mcpServers: { alpha: fixtureEntry(['--name', 'alpha'], { tags: ['a'] }), beta: fixtureEntry(['--name', 'beta'], { tags: ['b'] }) } },
    { args: ['--enable-auth', 'oauth'] },
  );
  const created = await runCli(['auth', 'token', 'create', '--name', 'admin', '--config-dir', serve.dir]);
  expect(created.code).toBe(0);
  return { serve, bearer: created.stdout.trim() };
}

/**
 * The approval code serve printed for the latest consent request (of `clientName`, when given) after
 * `seenBefore` characters of its log — what the person reads there.
 */
export function approvalCodeOnLog(serve: ServeHandle, seenBefore: number, clientName?: string): Promise<string> {
  const asks = clientName === undefined ? 'asks to connect' : `"${clientName}" asks to connect`;
  return waitFor(
    () => {
      const lines = serve.stderr().slice(seenBefore).split('\n').filter((l) => l.includes(asks));
      return /approval code (\d{3}-\d{3})/.exec(lines.at(-1) ?? '')?.[1];
    },
    { what: `the approval code${clientName === undefined ? '' : ` for ${clientName}`} on serve's log` },
  );
}

/**
 * The browser opens the consent page at `url` (200, not a redirect); the person reads the approval code on
 * serve's log. Returns the page, its hidden request id and that code.
 */
export async function openConsentPage(serve: ServeHandle, url: URL, clientName?: string) {
  const seen = serve.stderr().length;
  const page = await fetch(url, { redirect: 'manual' });
  const html = await page.text();
  expect(page.status).toBe(200);
  const requestId = /name="request" value="([^"]+)"/.exec(html)?.[1];
  expect(requestId).toBeDefined();
  return { page, html, requestId: requestId!, approvalCode: await approvalCodeOnLog(serve, seen, clientName) };
}

export interface Tokens {
  access_token: string;
  refresh_token: string;
  token_type: string;
  expires_in: number;
  scope?: string;
}

/**
 * One serve with OAuth on, and the steps of a client and a browser against it. `tag` is the tag the client
 * asks for (scope tag:<tag>) and the person ticks on the consent page.
 */
export function oauthServe(handle: () => ServeHandle, { tag = 'a' }: { tag?: string } = {}) {
  const origin = () => handle().origin;

  async function register(name: string, redirectUris = [REDIRECT]): Promise<string> {
    const r = await fetch(`${origin()}/oauth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_name: name, redirect_uris: redirectUris, token_endpoint_auth_method: 'none', grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'] }),
    });
    expect(r.status).toBe(201);
    return ((await r.json()) as { client_id: string }).client_id;
  }

  function authorizeUrl(clientId: string, challenge: string, extra: Record<string, string> = {}): URL {
    const url = new URL(`${origin()}/oauth/authorize`);
    const params = { response_type: 'code', client_id: clientId, redirect_uri: REDIRECT, code_challenge: challenge, code_challenge_method: 'S256', state: 'st-1', resource: handle().url, scope: `tag:${tag}`, ...extra };
    for (const [k, v] of Object.entries(params)) if (v !== '') url.searchParams.set(k, v);
    return url;
  }

  /** The browser opens the consent page; the person reads the approval code on serve's log. */
  const openConsent = (url: URL, clientName: string) => openConsentPage(handle(), url, clientName);

  function submitConsent(fields: Record<string, string>, headers: Record<string, string> = { origin: origin() }): Promise<Response> {
    return fetch(`${origin()}/oauth/authorize`, { method: 'POST', headers: { ...FORM, ...headers }, body: new URLSearchParams(fields), redirect: 'manual' });
  }

  /** The whole front channel: consent with the right code → the authorization code from the redirect. */
  async function authorize(clientId: string, clientName: string, p: Pkce): Promise<string> {
    const { requestId, approvalCode } = await openConsent(authorizeUrl(clientId, p.challenge), clientName);
    const answer = await submitConsent({ request: requestId, approval_code: approvalCode, tag, action: 'allow' });
    expect(answer.status).toBe(302);
    const back = new URL(answer.headers.get('location')!);
    expect(back.searchParams.get('iss')).toBe(origin());
    return back.searchParams.get('code')!;
  }

  function token(fields: Record<string, string>): Promise<Response> {
    return fetch(`${origin()}/oauth/token`, { method: 'POST', headers: FORM, body: new URLSearchParams(fields) });
  }

  const exchange = (clientId: string, code: string, verifier: string, extra: Record<string, string> = {}) =>
    token({ grant_type: 'authorization_code', client_id: clientId, code, code_verifier: verifier, redirect_uri: REDIRECT, resource: handle().url, ...extra });

  const refresh = (clientId: string, refreshToken: string) => token({ grant_type: 'refresh_token', client_id: clientId, refresh_token: refreshToken });

  /** A client that went through the whole flow: its tokens. */
  async function connected(name: string): Promise<{ clientId: string; tokens: Tokens }> {
    const clientId = await register(name);
    const p = pkce();
    const code = await authorize(clientId, name, p);
    const r = await exchange(clientId, code, p.verifier);
    expect(r.status).toBe(200);
    return { clientId, tokens: (await r.json()) as Tokens };
  }

  /** POST /mcp (initialize) with this access token: 200 when accepted. */
  function mcp(accessToken: string): Promise<Response> {
    return fetch(handle().url, {
      method: 'POST',
      headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'negative', version: '1' } } }),
    });
  }

  return { register, authorizeUrl, openConsent, submitConsent, authorize, exchange, refresh, connected, mcp, token };
}
