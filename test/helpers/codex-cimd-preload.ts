/**
 * Preloaded into a source-mode serve (BUN_OPTIONS="--preload <this file>") by test/e2e/codex-oauth.test.ts:
 * answers serve's fetch of Codex's client ID metadata document offline, with the shape OpenAI publishes
 * (loopback callbacks without a port). Every other fetch goes out as usual. Not for import: loading it
 * replaces globalThis.fetch.
 */
const CODEX_CLIENT_DOCUMENT = 'https://chatgpt.com/oauth/codex/client.json';

const networkFetch = globalThis.fetch;
const offlineFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
  const url = input instanceof Request ? input.url : String(input);
  if (url !== CODEX_CLIENT_DOCUMENT) return networkFetch(input, init);
  return Response.json({
    client_id: CODEX_CLIENT_DOCUMENT,
    client_name: 'Codex',
    client_uri: 'https://chatgpt.com/codex',
    application_type: 'native',
    redirect_uris: ['http://127.0.0.1/callback', 'http://localhost/callback'],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'none',
  });
};
globalThis.fetch = Object.assign(offlineFetch, networkFetch) as typeof fetch;
