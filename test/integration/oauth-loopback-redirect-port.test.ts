/**
 * Loopback redirect URIs match on any port (RFC 8252 §7.3; docs/security.md "OAuth for clients").
 * Codex's default login (`codex mcp login`, registration "auto") uses the client ID metadata document
 * https://chatgpt.com/oauth/codex/client.json, which lists `http://127.0.0.1/callback` and
 * `http://localhost/callback` without a port, and then sends `redirect_uri=http://127.0.0.1:<port>/callback`
 * with the port its callback listener got. Here the same document is served on loopback (serve fetches
 * http documents there only), and the requests are shaped as Codex sends them.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { createHash, randomBytes } from 'node:crypto';
import { fixtureEntry } from '../helpers/fixture.ts';
import { waitFor } from '../helpers/processes.ts';
import { startServe, type ServeHandle } from '../helpers/serve.ts';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

describe('serve --enable-auth oauth: loopback redirect URIs on any port', () => {
  let serve: ServeHandle;
  let docs: ReturnType<typeof Bun.serve>;
  const docUrl = (name: string) => `http://127.0.0.1:${docs.port}/${name}/client.json`;

  beforeAll(async () => {
    serve = await startServe({ mcpServers: { alpha: fixtureEntry(['--name', 'alpha'], { tags: ['a'] }) } }, { args: ['--enable-auth', 'oauth'] });
    docs = Bun.serve({
      port: 0,
      hostname: '127.0.0.1',
      fetch(request) {
        const name = new URL(request.url).pathname.split('/')[1]!;
        // "codex": the shape of Codex's published document; "fixed": one loopback URI with a port.
        const redirectUris = name === 'codex' ? ['http://127.0.0.1/callback', 'http://localhost/callback'] : ['http://127.0.0.1:7777/callback'];
        return Response.json({ client_id: docUrl(name), client_name: `Doc ${name}`, application_type: 'native', redirect_uris: redirectUris, token_endpoint_auth_method: 'none', grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'] });
      },
    });
  });
  afterAll(async () => {
    docs?.stop(true);
    await serve?.stop();
  });

  const verifier = randomBytes(32).toString('base64url');
  const authorizeUrl = (clientId: string, redirectUri: string) => {
    const u = new URL(`${serve.origin}/oauth/authorize`);
    u.search = new URLSearchParams({
      response_type: 'code',
      client_id: clientId,
      state: 'st4te',
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
      redirect_uri: redirectUri,
      scope: 'tag:a',
      resource: serve.url,
    }).toString();
    return u;
  };

  /** Open the consent page, allow with the approval code from serve's log; the 302's Location. */
  async function consent(authUrl: URL): Promise<URL> {
    const seen = serve.stderr().length;
    const page = await fetch(authUrl);
    const html = await page.text();
    expect(page.status).toBe(200);
    const requestId = /name="request" value="([^"]+)"/.exec(html)![1]!;
    const approvalCode = await waitFor(() => /approval code (\d{3}-\d{3})/.exec(serve.stderr().slice(seen))?.[1], { what: 'the approval code' });
    const answer = await fetch(`${serve.origin}/oauth/authorize`, {
      method: 'POST',
      headers: FORM,
      body: new URLSearchParams({ request: requestId, approval_code: approvalCode, tag: 'a', action: 'allow' }),
      redirect: 'manual',
    });
    expect(answer.status).toBe(302);
    return new URL(answer.headers.get('location')!);
  }

  test("Codex's document (loopback URIs without a port): the port chosen at login is accepted, through to the token", async () => {
    const clientId = docUrl('codex');
    for (const redirectUri of ['http://127.0.0.1:42581/callback', 'http://localhost:34377/callback']) {
      const back = await consent(authorizeUrl(clientId, redirectUri));
      expect(back.origin + back.pathname).toBe(redirectUri);
      expect(back.searchParams.get('state')).toBe('st4te');
      const token = await fetch(`${serve.origin}/oauth/token`, {
        method: 'POST',
        headers: FORM,
        body: new URLSearchParams({ grant_type: 'authorization_code', code: back.searchParams.get('code')!, redirect_uri: redirectUri, client_id: clientId, code_verifier: verifier, resource: serve.url }),
      });
      expect(token.status).toBe(200);
      expect(((await token.json()) as { scope?: string }).scope).toBe('tag:a');
    }
  });

  test('a registered loopback URI with a port also matches another port', async () => {
    const back = await consent(authorizeUrl(docUrl('fixed'), 'http://127.0.0.1:50123/callback'));
    expect(back.origin + back.pathname).toBe('http://127.0.0.1:50123/callback');
  });

  test('host, path and scheme still match exactly: other loopback URIs are refused with a clear page', async () => {
    const refused = [
      [docUrl('codex'), 'http://127.0.0.1:42581/callback/other'],
      [docUrl('codex'), 'http://127.0.0.2:42581/callback'],
      [docUrl('codex'), 'http://127.0.0.1:42581/callback?x=1'],
      [docUrl('codex'), 'https://127.0.0.1:42581/callback'],
      [docUrl('fixed'), 'http://localhost:7777/callback'],
    ];
    for (const [clientId, redirectUri] of refused) {
      const page = await fetch(authorizeUrl(clientId!, redirectUri!), { redirect: 'manual' });
      expect(page.status).toBe(400);
      expect(await page.text()).toContain(`the redirect_uri ${redirectUri} is not registered for this client`);
    }
  });

  test('a registered https URI matches only exactly (the port is part of it)', async () => {
    const reg = await fetch(`${serve.origin}/oauth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_name: 'Web App', redirect_uris: ['https://app.example/cb'], token_endpoint_auth_method: 'none' }),
    });
    expect(reg.status).toBe(201);
    const { client_id } = (await reg.json()) as { client_id: string };
    const page = await fetch(authorizeUrl(client_id, 'https://app.example:8443/cb'), { redirect: 'manual' });
    expect(page.status).toBe(400);
    expect(await page.text()).toContain('is not registered for this client');
    expect((await fetch(authorizeUrl(client_id, 'https://app.example/cb'), { redirect: 'manual' })).status).toBe(200);
  });
});
