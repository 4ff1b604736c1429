/**
 * Listing and revoking the OAuth clients in oauth-clients.json (docs/security.md "OAuth for clients"), shared by
 * `1mcp auth clients list|revoke` and the dashboard's /api/oauth/clients, so both show the same rows and a
 * revoke is one writer. serve watches the file: a revoked client's tokens are refused and its sessions close.
 */
import { matchClient, updateClientsFile, type OAuthClientsFile } from '../../config/oauth-clients.ts';
import { OneMcpError } from '../../errors.ts';
import { isMetadataDocumentId } from './cimd.ts';

/** One approval of a client, or a client that registered and was never approved. No hash ever leaves here. */
export interface OAuthClientRow {
  name: string;
  clientId: string;
  /** How the client names itself: registered through POST /oauth/register, or a client ID metadata document URL. */
  kind: 'registered' | 'metadata-document';
  approved: boolean;
  /** The tags it may see; null = every server (only meaningful when approved). */
  tags: string[] | null;
  created: string;
  lastUsed?: string;
}

export function oauthClientRows(file: OAuthClientsFile): OAuthClientRow[] {
  const kindOf = (clientId: string) => (Object.hasOwn(file.clients, clientId) || !isMetadataDocumentId(clientId) ? 'registered' : 'metadata-document');
  const approved: OAuthClientRow[] = Object.values(file.grants).map((g) => ({
    name: g.clientName,
    clientId: g.clientId,
    kind: kindOf(g.clientId),
    approved: true,
    tags: g.tags ?? null,
    created: g.created,
    lastUsed: g.lastUsed,
  }));
  const waiting: OAuthClientRow[] = Object.values(file.clients)
    .filter((c) => !approved.some((r) => r.clientId === c.clientId))
    .map((c) => ({ name: c.name ?? c.clientId, clientId: c.clientId, kind: 'registered', approved: false, tags: null, created: c.created }));
  return [...approved, ...waiting];
}

/**
 * Remove every approval and the registration of the clients `who` names (a client ID, a client name or a
 * grant ID; `exactId` = a client ID only). Throws a 404 OneMcpError, leaving the file as it was, when none matches.
 */
export function revokeOAuthClient(path: string, backups: string, who: string, { exactId = false } = {}): { clients: number; grants: number } {
  return updateClientsFile(path, backups, (file) => {
    const clientIds = exactId ? new Set([...Object.keys(file.clients), ...Object.values(file.grants).map((g) => g.clientId)].filter((id) => id === who)) : matchClient(file, who).clientIds;
    if (clientIds.size === 0) throw new OneMcpError(`no OAuth client ${exactId ? 'with ID' : 'named'} "${who}"; see "1mcp auth clients list"`, { httpStatus: 404 });
    let grants = 0;
    for (const g of Object.values(file.grants)) {
      if (clientIds.has(g.clientId)) {
        delete file.grants[g.id];
        grants++;
      }
    }
    for (const id of clientIds) delete file.clients[id];
    return { clients: clientIds.size, grants };
  });
}
