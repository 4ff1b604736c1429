/**
 * Bearer tokens for `serve --enable-auth` (docs/security.md): stored as SHA-256 hashes in tokens.json (0600),
 * never in clear. Tokens are 256-bit random, so a fast hash is enough (no password stretching needed).
 */
import { createHash, randomBytes } from 'node:crypto';
import { OneMcpError, UsageError } from '../errors.ts';
import { parseJsonFile, readTextIfExists } from './json-text.ts';

export interface StoredToken {
  name: string;
  hash: string;
  tags?: string[];
  created: string;
  expires?: string;
  /** Set (in memory only) on the identity of an OAuth client of serve: it uses servers, it does not administer serve. */
  oauthClient?: true;
}

export interface TokensFile {
  version: 1;
  tokens: Record<string, StoredToken>;
}

export const TOKEN_PREFIX = '1mcp_';

export function newToken(): string {
  return `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function parseTokensText(text: string | undefined, path: string): TokensFile {
  if (text === undefined || text.trim() === '') return { version: 1, tokens: {} };
  const value = parseJsonFile(text, path);
  const tokens = (value as { tokens?: unknown })?.tokens;
  if (!tokens || typeof tokens !== 'object') throw new OneMcpError(`${path}: expected { "tokens": { … } }`);
  for (const [name, t] of Object.entries(tokens as Record<string, StoredToken>)) {
    if (typeof t?.hash !== 'string' || !/^[0-9a-f]{64}$/.test(t.hash)) throw new OneMcpError(`${path}: token "${name}" has no valid hash`);
  }
  return { version: 1, tokens: tokens as Record<string, StoredToken> };
}

export function readTokensFile(path: string): TokensFile {
  return parseTokensText(readTextIfExists(path), path);
}

/** "30d", "12h", "45m", "90s" → milliseconds. */
export function parseDuration(text: string): number {
  const m = /^(\d+)\s*(s|m|h|d|w)$/i.exec(text.trim());
  if (!m) throw new UsageError(`--expires must look like 30d, 12h, 45m or 90s (got "${text}")`);
  const unit = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[m[2]!.toLowerCase() as 's']!;
  return Number(m[1]) * unit;
}

/**
 * When the token stops working, in ms since the epoch: undefined = never; NaN = its `expires` is not a
 * date, which counts as already expired (a typo must never mean "valid forever").
 */
export function expiryOf(token: StoredToken): number | undefined {
  const value = (token as { expires?: unknown }).expires;
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? Date.parse(value) : NaN;
}

export function isExpired(token: StoredToken, now = Date.now()): boolean {
  const at = expiryOf(token);
  return at !== undefined && !(at > now);
}

/** The token that matches, if any, and whether it has expired. */
export function findToken(file: TokensFile, token: string, now = Date.now()): { token: StoredToken; expired: boolean } | undefined {
  const hash = hashToken(token);
  for (const t of Object.values(file.tokens)) {
    if (t.hash === hash) return { token: t, expired: isExpired(t, now) };
  }
  return undefined;
}
