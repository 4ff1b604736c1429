/**
 * What lives only in serve's memory (docs/security.md): authorization codes (single use, 10 minutes) and
 * access tokens (1 hour, or serve --oauth-token-ttl). Both are kept as hashes. A serve restart forgets them:
 * clients then use their refresh token, which is in oauth-clients.json.
 */
import { sha256 } from '../../config/oauth-clients.ts';
import { newSecret } from './grants.ts';

export const CODE_TTL_MS = 10 * 60_000;
export const ACCESS_TTL_MS = 60 * 60_000;
const MAX_CODES = 1000;

export interface CodeRecord {
  clientId: string;
  clientName: string;
  redirectUri: string;
  codeChallenge: string;
  resource: string;
  /** Granted tags; undefined = every server. */
  tags?: string[];
  expires: number;
  /** Set once exchanged: a second exchange revokes what the first one issued. */
  usedBy?: string;
}

export interface AccessRecord {
  grantId: string;
  resource: string;
  expires: number;
}

export function issuedTokens(accessTtlMs = ACCESS_TTL_MS) {
  const codes = new Map<string, CodeRecord>();
  const access = new Map<string, AccessRecord>();
  const sweep = () => {
    const now = Date.now();
    for (const [k, v] of codes) if (v.expires <= now) codes.delete(k);
    for (const [k, v] of access) if (v.expires <= now) access.delete(k);
  };
  const timer = setInterval(sweep, 60_000);
  timer.unref?.();

  return {
    newCode(record: Omit<CodeRecord, 'expires' | 'usedBy'>): string {
      if (codes.size >= MAX_CODES) sweep();
      const code = newSecret('1mcp_ac_');
      codes.set(sha256(code), { ...record, expires: Date.now() + CODE_TTL_MS });
      return code;
    },
    /** The code's record (also when already used, so the caller can revoke); undefined when unknown or expired. */
    code(code: string): CodeRecord | undefined {
      const r = codes.get(sha256(code));
      return r && r.expires > Date.now() ? r : undefined;
    },
    newAccessToken(grantId: string, resource: string): { token: string; expiresIn: number } {
      const token = newSecret('1mcp_at_');
      access.set(sha256(token), { grantId, resource, expires: Date.now() + accessTtlMs });
      return { token, expiresIn: Math.round(accessTtlMs / 1000) };
    },
    /** The live record of an access token, or why not: unknown or expired. */
    accessToken(token: string): AccessRecord | 'expired' | undefined {
      const r = access.get(sha256(token));
      if (!r) return undefined;
      return r.expires > Date.now() ? r : 'expired';
    },
    revokeAccessToken(token: string): void {
      access.delete(sha256(token));
    },
    revokeGrant(grantId: string): void {
      for (const [k, v] of access) if (v.grantId === grantId) access.delete(k);
    },
    forgetGrantsExcept(live: Set<string>): void {
      for (const [k, v] of access) if (!live.has(v.grantId)) access.delete(k);
    },
    close() {
      clearInterval(timer);
    },
  };
}

export type IssuedTokens = ReturnType<typeof issuedTokens>;
