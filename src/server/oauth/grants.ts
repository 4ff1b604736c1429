/**
 * serve's view of oauth-clients.json: read when it changes (watched, and its mtime checked on use, as
 * tokens.json), written under its lock. A change made elsewhere — `1mcp auth clients revoke` — tells the
 * listeners, so the sessions of a revoked client close at once.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { emptyClientsFile, grantIdentityHash, OAUTH_CLIENTS_FILE, readClientsFile, sha256, updateClientsFile, type Grant, type OAuthClientsFile, type RegisteredClient } from '../../config/oauth-clients.ts';
import { mtimeCheck } from '../../config/watched-file.ts';
import type { Logger } from '../../log.ts';
import { watchFile } from '../../runtime/watch.ts';

export const REFRESH_TTL_MS = 30 * 86_400_000;
/** How many rotated-away refresh tokens a grant remembers to spot a replay. */
const ROTATED_KEPT = 20;

export function newSecret(prefix: string): string {
  return `${prefix}${randomBytes(32).toString('base64url')}`;
}

export interface GrantStore {
  file(): OAuthClientsFile;
  registeredClient(clientId: string): RegisteredClient | undefined;
  addClient(client: RegisteredClient): void;
  /** A new grant with its first refresh token (returned in clear, stored hashed). */
  createGrant(fields: Pick<Grant, 'clientId' | 'clientName' | 'tags' | 'resource'>): { grant: Grant; refreshToken: string };
  /**
   * Rotate a refresh token: the grant and a new refresh token; 'reused' when the token was already
   * rotated away (the grant is then ended); undefined when unknown or expired.
   */
  rotate(refreshToken: string, clientId: string): { grant: Grant; refreshToken: string } | 'reused' | undefined;
  grantByRefresh(refreshToken: string): Grant | undefined;
  grant(id: string): Grant | undefined;
  deleteGrant(id: string, why: string): void;
  /** Whether a session owner hash still belongs to a live grant. */
  validIdentity(hash: string): boolean;
  onChange(listener: () => void): void;
  close(): void;
}

export function grantStore(configDir: string, backups: string, log: Logger): GrantStore {
  const path = join(configDir, OAUTH_CLIENTS_FILE);
  const changed = mtimeCheck(path);
  let current: OAuthClientsFile = emptyClientsFile();
  const listeners: (() => void)[] = [];
  const notify = () => {
    for (const l of listeners) l();
  };
  const load = () => {
    if (!changed.changed()) return false;
    try {
      current = readClientsFile(path);
    } catch (error) {
      log.error(`${(error as Error).message}; no OAuth client is accepted until it is fixed`);
      current = emptyClientsFile();
    }
    return true;
  };
  load();
  const watcher = watchFile(path, () => {
    if (load()) notify();
  });
  const fresh = () => {
    if (load()) notify();
    return current;
  };
  const edit = <T>(fn: (f: OAuthClientsFile) => T): T => {
    fresh(); // a change made elsewhere first (a revoke) must still close its sessions, not be taken in silently
    const result = updateClientsFile(path, backups, fn);
    changed.changed(); // our own write: already applied below, no need to re-read
    current = readClientsFile(path);
    return result;
  };
  const now = () => new Date().toISOString();

  return {
    file: fresh,
    registeredClient(clientId) {
      const { clients } = fresh();
      return Object.hasOwn(clients, clientId) ? clients[clientId] : undefined;
    },
    addClient(client) {
      edit((f) => {
        f.clients[client.clientId] = client;
      });
    },
    createGrant(fields) {
      const refreshToken = newSecret('1mcp_rt_');
      const grant: Grant = {
        id: randomBytes(12).toString('base64url'),
        ...fields,
        created: now(),
        lastUsed: now(),
        refreshHash: sha256(refreshToken),
        refreshExpires: new Date(Date.now() + REFRESH_TTL_MS).toISOString(),
        rotatedHashes: [],
      };
      edit((f) => {
        f.grants[grant.id] = grant;
      });
      return { grant, refreshToken };
    },
    rotate(refreshToken, clientId) {
      const hash = sha256(refreshToken);
      const outcome = edit((f) => {
        for (const g of Object.values(f.grants)) {
          if (g.clientId !== clientId) continue;
          if (g.rotatedHashes.includes(hash)) {
            delete f.grants[g.id];
            log.warn(`OAuth: a rotated refresh token of "${g.clientName}" was used again; that approval is revoked (the client must ask again)`);
            return 'reused' as const;
          }
          if (g.refreshHash !== hash) continue;
          if (Date.parse(g.refreshExpires) <= Date.now()) return undefined;
          const next = newSecret('1mcp_rt_');
          g.rotatedHashes = [hash, ...g.rotatedHashes].slice(0, ROTATED_KEPT);
          g.refreshHash = sha256(next);
          g.refreshExpires = new Date(Date.now() + REFRESH_TTL_MS).toISOString();
          g.lastUsed = now();
          return { grant: { ...g }, refreshToken: next };
        }
        return undefined;
      });
      if (outcome === 'reused') notify();
      return outcome;
    },
    grantByRefresh(refreshToken) {
      const hash = sha256(refreshToken);
      return Object.values(fresh().grants).find((g) => g.refreshHash === hash);
    },
    grant(id) {
      const { grants } = fresh();
      return Object.hasOwn(grants, id) ? grants[id] : undefined;
    },
    deleteGrant(id, why) {
      const removed = edit((f) => {
        const had = Object.hasOwn(f.grants, id);
        delete f.grants[id];
        return had;
      });
      if (removed) {
        log.info(`OAuth: ${why}`);
        notify();
      }
    },
    validIdentity(hash) {
      return Object.values(current.grants).some((g) => grantIdentityHash(g.id) === hash);
    },
    onChange(listener) {
      listeners.push(listener);
    },
    close() {
      watcher.close();
    },
  };
}
