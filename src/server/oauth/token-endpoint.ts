/**
 * POST /oauth/token and POST /oauth/revoke (docs/security.md): authorization_code with PKCE (single-use
 * codes — a replayed code revokes what it issued), refresh_token with rotation (a rotated-away token used
 * again ends the grant), RFC 6749 §5.2 errors, RFC 7009 revocation.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { sha256 } from '../../config/oauth-clients.ts';
import type { Logger } from '../../log.ts';
import { oneLine } from './authorize.ts';
import type { GrantStore } from './grants.ts';
import { oauthError, oauthJson, readForm } from './http.ts';
import type { IssuedTokens } from './issued.ts';
import { sameResource, scopesFor, type PublicUrls } from './metadata.ts';

export interface TokenDeps {
  store: GrantStore;
  issued: IssuedTokens;
  log: Logger;
  /** Whether `clientId` names a client at all (registered, or a metadata-document URL). */
  isMetadataDocumentId(clientId: string): boolean;
}

function equalText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The client making the request, authenticated as it registered; or the error answer. */
function authenticateClient(request: Request, form: URLSearchParams, deps: TokenDeps): { clientId: string } | { response: Response } {
  const invalid = (why: string) => ({ response: oauthError('invalid_client', why, 401, { 'www-authenticate': 'Basic realm="1mcp"' }) });
  let clientId = form.get('client_id') ?? undefined;
  let secret = form.get('client_secret') ?? undefined;
  let method: 'none' | 'client_secret_post' | 'client_secret_basic' = secret !== undefined ? 'client_secret_post' : 'none';
  const basic = /^Basic\s+(\S+)$/i.exec(request.headers.get('authorization') ?? '');
  if (basic) {
    const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return invalid('malformed Basic credentials');
    let id: string;
    try {
      id = decodeURIComponent(decoded.slice(0, colon));
      secret = decodeURIComponent(decoded.slice(colon + 1));
    } catch {
      return invalid('malformed Basic credentials');
    }
    if (clientId !== undefined && clientId !== id) return invalid('client_id differs from the Basic credentials');
    clientId = id;
    method = 'client_secret_basic';
  }
  if (!clientId) return invalid('client_id is required');
  const registered = deps.store.registeredClient(clientId);
  if (!registered) {
    if (deps.isMetadataDocumentId(clientId) && method === 'none') return { clientId };
    return invalid('unknown client; register again');
  }
  if (registered.authMethod === 'none') {
    if (method !== 'none') return invalid('this client was registered without a secret (token_endpoint_auth_method "none")');
    return { clientId };
  }
  if (secret === undefined || !registered.secretHash || !equalText(sha256(secret), registered.secretHash)) return invalid('wrong or missing client secret');
  return { clientId };
}

function s256(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

export function tokenEndpoints(deps: TokenDeps) {
  const { store, issued, log } = deps;

  const tokenResponse = (access: { token: string; expiresIn: number }, refreshToken: string, tags?: string[]) =>
    oauthJson({ access_token: access.token, token_type: 'Bearer', expires_in: access.expiresIn, refresh_token: refreshToken, ...(tags ? { scope: scopesFor(tags).join(' ') } : {}) });

  async function token(request: Request, urls: PublicUrls): Promise<Response> {
    const read = await readForm(request);
    if ('response' in read) return read.response;
    const form = read.form;
    const client = authenticateClient(request, form, deps);
    if ('response' in client) return client.response;
    const resource = form.get('resource');
    if (resource !== null && !sameResource(resource, urls.resource)) return oauthError('invalid_target', `this server issues tokens only for ${urls.resource}`);
    const grantType = form.get('grant_type');
    if (grantType === 'authorization_code') {
      const code = form.get('code') ?? '';
      const record = issued.code(code);
      if (!record) return oauthError('invalid_grant', 'unknown or expired authorization code');
      if (record.usedBy) {
        // A code used twice was stolen or replayed: what the first use issued is no longer trusted.
        store.deleteGrant(record.usedBy, `authorization code of "${oneLine(record.clientName)}" used twice; what it issued is revoked`);
        issued.revokeGrant(record.usedBy);
        return oauthError('invalid_grant', 'authorization code already used; the tokens it issued are revoked');
      }
      if (record.clientId !== client.clientId) return oauthError('invalid_grant', 'the code was issued to another client');
      if (form.get('redirect_uri') !== record.redirectUri) return oauthError('invalid_grant', 'redirect_uri differs from the authorization request');
      const verifier = form.get('code_verifier') ?? '';
      if (!/^[A-Za-z0-9._~-]{43,128}$/.test(verifier) || !equalText(s256(verifier), record.codeChallenge)) return oauthError('invalid_grant', 'PKCE verification failed (code_verifier does not match)');
      if (resource !== null && !sameResource(resource, record.resource)) return oauthError('invalid_target', 'resource differs from the authorization request');
      const { grant, refreshToken } = store.createGrant({ clientId: record.clientId, clientName: record.clientName, tags: record.tags, resource: record.resource });
      record.usedBy = grant.id;
      log.info(`OAuth: "${oneLine(record.clientName)}" connected (${record.tags ? `tags ${record.tags.join(', ')}` : 'all servers'})`);
      return tokenResponse(issued.newAccessToken(grant.id, grant.resource), refreshToken, grant.tags);
    }
    if (grantType === 'refresh_token') {
      const presented = form.get('refresh_token') ?? '';
      const rotated = store.rotate(presented, client.clientId);
      if (rotated === 'reused') return oauthError('invalid_grant', 'refresh token already used; the approval is revoked, authorize again');
      if (!rotated) return oauthError('invalid_grant', 'unknown, expired or revoked refresh token');
      const scope = form.get('scope')?.trim();
      if (scope) {
        const granted = rotated.grant.tags;
        const wider = scope.split(/\s+/).some((s) => s !== 'offline_access' && granted !== undefined && !scopesFor(granted).includes(s));
        if (wider) return oauthError('invalid_scope', 'a refresh cannot widen the approved scope; authorize again');
      }
      // For this serve's /mcp as reached now: the approval belongs to this config dir, whose port may have changed since.
      return tokenResponse(issued.newAccessToken(rotated.grant.id, urls.resource), rotated.refreshToken, rotated.grant.tags);
    }
    return oauthError('unsupported_grant_type', 'grant_type must be authorization_code or refresh_token');
  }

  /** RFC 7009: always 200 for a well-formed request, whether the token was known or not. */
  async function revoke(request: Request): Promise<Response> {
    const read = await readForm(request);
    if ('response' in read) return read.response;
    const client = authenticateClient(request, read.form, deps);
    if ('response' in client) return client.response;
    const token = read.form.get('token');
    if (!token) return oauthError('invalid_request', 'token is required');
    const access = issued.accessToken(token);
    if (access && access !== 'expired' && store.grant(access.grantId)?.clientId === client.clientId) issued.revokeAccessToken(token);
    const grant = store.grantByRefresh(token);
    if (grant && grant.clientId === client.clientId) {
      store.deleteGrant(grant.id, `"${oneLine(grant.clientName)}" revoked its refresh token`);
      issued.revokeGrant(grant.id);
    }
    return new Response(null, { status: 200, headers: { 'cache-control': 'no-store' } });
  }

  return { token, revoke };
}
