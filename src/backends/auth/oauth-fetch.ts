/**
 * OAuth for the requests serve sends itself — the `server/discover` probe and the 2026-07-28 ("modern")
 * HTTP transport, which do not go through the SDK's transports: the stored access token goes out as a
 * Bearer header, and a 401 or a 403 insufficient_scope is answered the way the SDK's transports answer it
 * (auth(): refresh when possible; otherwise AwaitingAuthError, and the server waits for `1mcp mcp auth`).
 */
import { auth, extractWWWAuthenticateParams } from '@modelcontextprotocol/sdk/client/auth.js';
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { ServerConfig } from '../../config/mcp-schema.ts';
import { StoredOAuthProvider } from './provider.ts';
import { refreshOnce } from './refresh-once.ts';

/** The stored login of a remote server, unless its entry sets its own Authorization header (the user's credential). */
export function oauthProviderFor(config: ServerConfig): StoredOAuthProvider | undefined {
  if (config.type === 'stdio' || !config.url || !config.oauthFile) return undefined;
  if (Object.keys(config.headers).some((h) => h.toLowerCase() === 'authorization')) return undefined;
  return new StoredOAuthProvider({ name: config.name, url: config.url, oauthFile: config.oauthFile, oauth: config.oauth }, { kind: 'serve' });
}

/** The fetch for serve's own requests to this server: with its OAuth login when it has one. */
export function serverFetch(config: ServerConfig, inner?: FetchLike): FetchLike | undefined {
  const provider = oauthProviderFor(config);
  if (!provider) return inner;
  return withOAuth(provider, new URL(config.url!), provider.watch(refreshOnce(inner)));
}

export function withOAuth(provider: StoredOAuthProvider, serverUrl: URL, inner: FetchLike): FetchLike {
  const send = async (url: string | URL, init: RequestInit | undefined): Promise<Response> => {
    const headers = new Headers(init?.headers);
    const tokens = await provider.tokens();
    if (tokens?.access_token) headers.set('authorization', `Bearer ${tokens.access_token}`);
    return inner(url, { ...init, headers });
  };
  return async (url, init) => {
    const response = await send(url, init);
    const { resourceMetadataUrl, scope, error } = extractWWWAuthenticateParams(response);
    const stepUp = response.status === 403 && error === 'insufficient_scope';
    if (response.status !== 401 && !stepUp) return response;
    await response.body?.cancel().catch(() => {});
    // Throws AwaitingAuthError when only a new login helps (serve never starts one).
    const result = await auth(provider, { serverUrl, resourceMetadataUrl, scope, fetchFn: inner });
    if (result !== 'AUTHORIZED') throw new Error(`the OAuth login of ${serverUrl.href} did not complete`);
    // Once: a server that refuses a fresh token again is answered with its own response.
    return send(url, init);
  };
}
