/**
 * The consent page grants an OAuth client servers, not serve: even a client approved for "all servers" uses every
 * server but cannot administer serve through /api (docs/security.md "OAuth for clients"); a bearer token without
 * tags still can.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test';
import { oauthServe, pkce } from '../helpers/oauth-flow.ts';
import { startOAuthServe } from '../helpers/oauth-flow.ts';
import type { ServeHandle } from '../helpers/serve.ts';

let serve: ServeHandle;
let bearer: string;

beforeAll(async () => {
  ({ serve, bearer } = await startOAuthServe());
});

afterAll(async () => {
  await serve?.stop();
});

test('an OAuth client approved for all servers sees both servers but gets 403 on config changes, tokens, OAuth clients and the log; a bearer token still administers', async () => {
  const flow = oauthServe(() => serve);
  const clientId = await flow.register('everything');
  const p = pkce();
  // No scope asked: the page offers "all servers", and the person ticks it.
  const { requestId, approvalCode } = await flow.openConsent(flow.authorizeUrl(clientId, p.challenge, { scope: '' }), 'everything');
  const answer = await flow.submitConsent({ request: requestId, approval_code: approvalCode, all: '1', action: 'allow' });
  expect(answer.status).toBe(302);
  const code = new URL(answer.headers.get('location')!).searchParams.get('code')!;
  const exchanged = await flow.exchange(clientId, code, p.verifier);
  expect(exchanged.status).toBe(200);
  const { access_token: accessToken } = (await exchanged.json()) as { access_token: string };
  expect((await flow.mcp(accessToken)).status).toBe(200);

  const as = (token: string, path: string, init: RequestInit = {}) =>
    fetch(`${serve.origin}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, ...(init.body ? { 'content-type': 'application/json' } : {}) } });
  const status = await as(accessToken, '/api/status');
  expect(status.status).toBe(200);
  const statusText = await status.text();
  expect(statusText).toContain('alpha');
  expect(statusText).toContain('beta');

  const refusals: [string, RequestInit?][] = [
    ['/api/servers/alpha/disable', { method: 'POST', body: '{}' }],
    ['/api/tokens'],
    ['/api/tokens/admin/revoke', { method: 'POST', body: '{}' }],
    ['/api/oauth/clients'],
    [`/api/oauth/clients/${encodeURIComponent(clientId)}/revoke`, { method: 'POST', body: '{}' }],
    ['/api/logs/stream'],
  ];
  for (const [path, init] of refusals) {
    const r = await as(accessToken, path, init);
    expect({ path, status: r.status }).toEqual({ path, status: 403 });
    expect(await r.text()).toContain("this is an OAuth client's token");
  }
  // Nothing changed: alpha is still enabled, the admin token still works and administers.
  const tokens = await as(bearer, '/api/tokens');
  expect(tokens.status).toBe(200);
  expect(await tokens.text()).toContain('admin');
  expect((await as(bearer, '/api/oauth/clients')).status).toBe(200);
  const disabled = await as(bearer, '/api/servers/alpha/disable', { method: 'POST', body: '{}' });
  expect(disabled.status).toBe(200);
});
