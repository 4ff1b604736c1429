/**
 * POST /oauth/register — dynamic client registration, RFC 7591 (docs/security.md). Anyone who can reach
 * serve may register: a registration grants nothing until the local user approves it on the consent page.
 * Public clients (token_endpoint_auth_method "none") get no secret; others get one, stored hashed.
 */
import { randomBytes } from 'node:crypto';
import { sha256, type RegisteredClient } from '../../config/oauth-clients.ts';
import type { Logger } from '../../log.ts';
import { newSecret, type GrantStore } from './grants.ts';
import { oauthError, oauthJson, readJson } from './http.ts';
import { oneLine } from './authorize.ts';
import { MAX_REDIRECT_URIS, redirectUriProblem } from './redirect-uris.ts';

const MAX_CLIENTS = 500;
const METHODS = new Set(['none', 'client_secret_post', 'client_secret_basic']);

export function registerEndpoint(store: GrantStore, log: Logger) {
  return async (request: Request): Promise<Response> => {
    const read = await readJson(request);
    if ('response' in read) return read.response;
    const meta = read.value as Record<string, unknown> | null;
    if (!meta || typeof meta !== 'object' || Array.isArray(meta)) return oauthError('invalid_client_metadata', 'the body must be a JSON object');
    const uris = meta.redirect_uris;
    if (!Array.isArray(uris) || uris.length === 0) return oauthError('invalid_redirect_uri', 'redirect_uris must be a non-empty array');
    if (uris.length > MAX_REDIRECT_URIS) return oauthError('invalid_redirect_uri', `at most ${MAX_REDIRECT_URIS} redirect_uris`);
    for (const u of uris) {
      const problem = redirectUriProblem(u);
      if (problem) return oauthError('invalid_redirect_uri', problem);
    }
    const method = meta.token_endpoint_auth_method ?? 'none';
    if (typeof method !== 'string' || !METHODS.has(method)) return oauthError('invalid_client_metadata', `token_endpoint_auth_method must be one of ${[...METHODS].join(', ')}`);
    const grantTypes = meta.grant_types ?? ['authorization_code'];
    if (!Array.isArray(grantTypes) || grantTypes.some((g) => g !== 'authorization_code' && g !== 'refresh_token')) {
      return oauthError('invalid_client_metadata', 'grant_types may hold only authorization_code and refresh_token');
    }
    const responseTypes = meta.response_types ?? ['code'];
    if (!Array.isArray(responseTypes) || responseTypes.some((r) => r !== 'code')) return oauthError('invalid_client_metadata', 'response_types may hold only "code"');
    const text = (key: string, max: number) => {
      const v = meta[key];
      if (v === undefined) return undefined;
      if (typeof v !== 'string' || v.length > max) throw new Error(`${key} must be a string of at most ${max} characters`);
      return v;
    };
    let name: string | undefined;
    let uri: string | undefined;
    try {
      name = text('client_name', 200);
      uri = text('client_uri', 500);
    } catch (error) {
      return oauthError('invalid_client_metadata', (error as Error).message);
    }
    if (Object.keys(store.file().clients).length >= MAX_CLIENTS) {
      return oauthError('invalid_client_metadata', `too many registered clients (${MAX_CLIENTS}); remove some with "1mcp auth clients revoke <client>"`);
    }
    const secret = method === 'none' ? undefined : newSecret('1mcp_cs_');
    const client: RegisteredClient = {
      clientId: `1mcp_client_${randomBytes(12).toString('base64url')}`,
      ...(name ? { name } : {}),
      ...(uri ? { uri } : {}),
      redirectUris: uris as string[],
      authMethod: method as RegisteredClient['authMethod'],
      ...(secret ? { secretHash: sha256(secret) } : {}),
      created: new Date().toISOString(),
    };
    store.addClient(client);
    log.info(`OAuth: registered client "${oneLine(name ?? client.clientId)}" (${client.clientId})`);
    return oauthJson(
      {
        client_id: client.clientId,
        client_id_issued_at: Math.floor(Date.now() / 1000),
        ...(secret ? { client_secret: secret, client_secret_expires_at: 0 } : {}),
        ...(name ? { client_name: name } : {}),
        ...(uri ? { client_uri: uri } : {}),
        redirect_uris: client.redirectUris,
        token_endpoint_auth_method: client.authMethod,
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
      },
      201,
    );
  };
}
