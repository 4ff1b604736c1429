/**
 * `serve --enable-auth oauth`: serve as an OAuth 2.1 protected resource with its own authorization server
 * (docs/security.md). This file wires the endpoints and answers the one question the rest of serve asks:
 * "which identity does this access token stand for?" — a StoredToken-like identity whose tags scope the
 * client exactly as a tag-limited bearer token would.
 */
import type { StoredToken } from '../../config/tokens.ts';
import { grantIdentityHash } from '../../config/oauth-clients.ts';
import type { Logger } from '../../log.ts';
import { approveRoute } from './approve-route.ts';
import { authorizeEndpoint } from './authorize.ts';
import { isMetadataDocumentId, metadataDocuments, MetadataDocumentError, type ClientInfo } from './cimd.ts';
import { grantStore } from './grants.ts';
import { oauthJson } from './http.ts';
import { issuedTokens } from './issued.ts';
import { authorizationServerMetadata, bearerChallenge, protectedResourceMetadata, publicUrls, sameResource } from './metadata.ts';
import { pendingRequests } from './pending.ts';
import { registerEndpoint } from './register.ts';
import { tokenEndpoints } from './token-endpoint.ts';

export interface OAuthServerOptions {
  configDir: string;
  backups: string;
  externalUrl?: string;
  /** serve is bound to loopback with no --external-url: client ID documents may then be served over http on loopback. */
  localOnly: boolean;
  /** Tags of the configured servers: the scopes on offer. */
  knownTags(): string[];
  /** Lifetime of the access tokens issued (serve --oauth-token-ttl); 1 hour when unset. */
  accessTtlMs?: number;
  log: Logger;
}

export type TokenLookup = { token: StoredToken } | { refused: string } | undefined;

export interface OAuthServer {
  /** The answer for an OAuth route, or undefined when `path` is not one. */
  route(request: Request, path: string): Promise<Response | undefined>;
  /** An access token of ours → its identity; a refusal when ours but expired or revoked; undefined when not ours. */
  lookup(token: string, request: Request): TokenLookup;
  /** Whether a session owner hash still belongs to a live grant. */
  validIdentity(hash: string): boolean;
  /** The WWW-Authenticate value for a 401 on a protected path. */
  challenge(request: Request, error?: { code: string; description: string }): string;
  onChange(listener: () => void): void;
  close(): void;
}

export function oauthServer(options: OAuthServerOptions): OAuthServer {
  const { log, knownTags } = options;
  const store = grantStore(options.configDir, options.backups, log);
  const issued = issuedTokens(options.accessTtlMs);
  const pending = pendingRequests();
  const documents = metadataDocuments(options.localOnly);
  const urlsOf = (request: Request) => publicUrls(request, options.externalUrl);

  const resolveClient = async (clientId: string): Promise<ClientInfo | string> => {
    const registered = store.registeredClient(clientId);
    if (registered) return { ...registered, kind: 'registered' };
    if (!isMetadataDocumentId(clientId)) return `unknown client_id "${clientId}": register the client first (POST /oauth/register), or use a client ID metadata document URL`;
    try {
      return await documents.get(clientId);
    } catch (error) {
      if (error instanceof MetadataDocumentError) return `the client ${clientId} cannot be used: ${error.message}`;
      throw error;
    }
  };
  const authorize = authorizeEndpoint({ resolveClient, pending, issued, knownTags, log });
  const register = registerEndpoint(store, log);
  const tokens = tokenEndpoints({ store, issued, log, isMetadataDocumentId });
  const approve = approveRoute(options.configDir, pending, knownTags, log);
  // A grant removed (revoked elsewhere) takes its in-memory access tokens with it.
  store.onChange(() => {
    const live = new Set(Object.keys(store.file().grants));
    issued.forgetGrantsExcept(live);
  });

  const methodNotAllowed = (allow: string) => new Response(`Method not allowed; use ${allow}`, { status: 405, headers: { allow } });

  return {
    async route(request, path) {
      const method = request.method;
      if (path === '/.well-known/oauth-protected-resource' || path.startsWith('/.well-known/oauth-protected-resource/')) {
        if (method !== 'GET') return methodNotAllowed('GET');
        return oauthJson(protectedResourceMetadata(urlsOf(request), knownTags()), 200, { 'cache-control': 'max-age=60' });
      }
      if (path === '/.well-known/oauth-authorization-server' || path.startsWith('/.well-known/oauth-authorization-server/')) {
        if (method !== 'GET') return methodNotAllowed('GET');
        return oauthJson(authorizationServerMetadata(urlsOf(request), knownTags()), 200, { 'cache-control': 'max-age=60' });
      }
      switch (path) {
        case '/oauth/authorize':
          if (method === 'GET') return authorize.show(request, urlsOf(request));
          if (method === 'POST') return authorize.answer(request);
          return methodNotAllowed('GET, POST');
        case '/oauth/token':
          return method === 'POST' ? tokens.token(request, urlsOf(request)) : methodNotAllowed('POST');
        case '/oauth/revoke':
          return method === 'POST' ? tokens.revoke(request) : methodNotAllowed('POST');
        case '/oauth/register':
          return method === 'POST' ? register(request) : methodNotAllowed('POST');
        case '/oauth/approve':
          return method === 'POST' ? approve(request) : methodNotAllowed('POST');
      }
      return undefined;
    },
    lookup(token, request) {
      const record = issued.accessToken(token);
      if (record === undefined) return undefined;
      if (record === 'expired') return { refused: 'the access token expired; refresh it' };
      const grant = store.grant(record.grantId);
      if (!grant) return { refused: 'the access token was revoked' };
      if (!sameResource(record.resource, urlsOf(request).resource)) return { refused: 'the access token was issued for another resource' };
      // `expires` is this access token's: a stream it opens ends then (http/stream-deadline.ts).
      const expires = new Date(record.expires).toISOString();
      return { token: { name: `oauth:${grant.clientName}`, hash: grantIdentityHash(grant.id), ...(grant.tags ? { tags: grant.tags } : {}), created: grant.created, expires, oauthClient: true } };
    },
    validIdentity: (hash) => store.validIdentity(hash),
    challenge: (request, error) => bearerChallenge(urlsOf(request), knownTags(), error),
    onChange: (listener) => store.onChange(listener),
    close() {
      store.close();
      issued.close();
    },
  };
}
