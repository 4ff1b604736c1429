/**
 * oauth-clients.json (0600, in the config dir): what `serve --enable-auth oauth` remembers about the
 * OAuth clients that connect to it (docs/security.md) — registered clients, and grants (a client the user
 * approved, the tags it may see, its current refresh token). Only hashes of secrets are kept.
 * serve watches the file, so `1mcp auth clients revoke` cuts a client off at once.
 */
import { createHash } from 'node:crypto';
import { OneMcpError } from '../errors.ts';
import { parseJsonFile, readTextIfExists } from './json-text.ts';
import { updateFile } from './safe-write.ts';

export const OAUTH_CLIENTS_FILE = 'oauth-clients.json';

/** A client registered through POST /oauth/register (a client ID metadata document is never stored here). */
export interface RegisteredClient {
  clientId: string;
  name?: string;
  uri?: string;
  redirectUris: string[];
  /** "none" for public clients; otherwise the client authenticates with a secret whose hash is kept. */
  authMethod: 'none' | 'client_secret_post' | 'client_secret_basic';
  secretHash?: string;
  created: string;
}

/** One approval: a client, the tags it may see (absent = every server), its refresh token. */
export interface Grant {
  id: string;
  clientId: string;
  clientName: string;
  tags?: string[];
  resource: string;
  created: string;
  lastUsed: string;
  refreshHash: string;
  refreshExpires: string;
  /** Refresh tokens already rotated away: presenting one again means it leaked, and the grant ends. */
  rotatedHashes: string[];
}

export interface OAuthClientsFile {
  version: 1;
  clients: Record<string, RegisteredClient>;
  grants: Record<string, Grant>;
}

export function emptyClientsFile(): OAuthClientsFile {
  return { version: 1, clients: {}, grants: {} };
}

export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export function parseClientsText(text: string | undefined, path: string): OAuthClientsFile {
  if (text === undefined || text.trim() === '') return emptyClientsFile();
  const value = parseJsonFile(text, path) as Partial<OAuthClientsFile> | null;
  if (!value || typeof value !== 'object' || typeof value.clients !== 'object' || typeof value.grants !== 'object' || !value.clients || !value.grants) {
    throw new OneMcpError(`${path}: expected { "clients": { … }, "grants": { … } }; fix or remove the file (every OAuth client then connects anew)`);
  }
  for (const [id, g] of Object.entries(value.grants)) {
    if (typeof g?.clientId !== 'string' || typeof g.refreshHash !== 'string' || !Array.isArray(g.rotatedHashes)) throw new OneMcpError(`${path}: grant "${id}" is malformed; remove it or the file`);
  }
  return { version: 1, clients: value.clients, grants: value.grants };
}

export function readClientsFile(path: string): OAuthClientsFile {
  return parseClientsText(readTextIfExists(path), path);
}

/** Read-modify-write under the file's lock; `edit` may throw to leave the file as it was. */
export function updateClientsFile<T>(path: string, backups: string, edit: (file: OAuthClientsFile) => T): T {
  let result!: T;
  updateFile(path, backups, (text) => {
    const file = parseClientsText(text, path);
    result = edit(file);
    return `${JSON.stringify(file, null, 2)}\n`;
  });
  return result;
}

/** The stable identity of a grant: sessions are bound to it, so a refreshed access token keeps its sessions. */
export function grantIdentityHash(grantId: string): string {
  return sha256(`1mcp-oauth-grant:${grantId}`);
}

/** Grants and registrations that match `who` (a client ID, a client name, or a grant ID). */
export function matchClient(file: OAuthClientsFile, who: string): { clientIds: Set<string> } {
  const clientIds = new Set<string>();
  for (const c of Object.values(file.clients)) if (c.clientId === who || c.name === who) clientIds.add(c.clientId);
  for (const g of Object.values(file.grants)) if (g.clientId === who || g.clientName === who || g.id === who) clientIds.add(g.clientId);
  return { clientIds };
}
