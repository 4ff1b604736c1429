/**
 * Findings of a security read of serve's OAuth authorization server, each reproduced against a real serve.
 * docs/security.md "OAuth for clients".
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { fixtureEntry } from '../helpers/fixture.ts';
import { pkce, REDIRECT } from '../helpers/oauth-flow.ts';
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
