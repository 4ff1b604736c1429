/**
 * What a protected server last asked for (the `WWW-Authenticate: Bearer …` of a 401 or 403). Serve cannot
 * log in by itself, so it keeps the challenge for `1mcp mcp auth`: a server that lets `initialize` through
 * and asks for a scope only on a later request (step-up) gets that scope in the next login.
 */
import { extractWWWAuthenticateParams } from '@modelcontextprotocol/sdk/client/auth.js';
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';

export interface Challenge {
  status: 401 | 403;
  scope?: string;
  resourceMetadataUrl?: string;
  error?: string;
}

/**
 * A fetch that reports, for each response from `endpoint` (the server's MCP URL), its Bearer challenge —
 * or undefined for a response without one, so an old challenge is not taken for the current one.
 */
export function watchChallenges(endpoint: string, inner: FetchLike, onResponse: (challenge: Challenge | undefined) => void): FetchLike {
  const target = withoutQuery(endpoint);
  return async (url, init) => {
    const response = await inner(url, init);
    if (withoutQuery(String(url)) !== target) return response;
    let challenge: Challenge | undefined;
    if (response.status === 401 || response.status === 403) {
      const { scope, resourceMetadataUrl, error } = extractWWWAuthenticateParams(response);
      if (scope || resourceMetadataUrl || error) challenge = { status: response.status, scope, resourceMetadataUrl: resourceMetadataUrl?.href, error };
    }
    onResponse(challenge);
    return response;
  };
}

/** The scopes of both, each once, in order (space-separated as in OAuth). */
export function scopeUnion(...scopes: (string | undefined)[]): string | undefined {
  const all = [...new Set(scopes.flatMap((s) => s?.split(' ').filter(Boolean) ?? []))];
  return all.length ? all.join(' ') : undefined;
}

/** Does `granted` hold every scope in `wanted`? */
export function coversScope(granted: string | undefined, wanted: string | undefined): boolean {
  const have = new Set(granted?.split(' ') ?? []);
  return (wanted?.split(' ').filter(Boolean) ?? []).every((s) => have.has(s));
}

function withoutQuery(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return url;
  }
}
