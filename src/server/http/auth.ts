/**
 * `serve --enable-auth` (docs/security.md): /mcp, /sse, /messages, /api/*, /metrics and the per-server health
 * details need `Authorization: Bearer <token>`; /health (minimal), /health/live, /health/ready and the
 * identity stay open. The token file is watched, so `auth token create|revoke` apply to a running serve
 * at once, and the sessions of a revoked or expired token are closed at once (onInvalidated).
 */
import { expiryOf, findToken, isExpired, readTokensFile, type StoredToken, type TokensFile } from '../../config/tokens.ts';
import { mtimeCheck } from '../../config/watched-file.ts';
import type { Logger } from '../../log.ts';
import { watchFile } from '../../runtime/watch.ts';
import { json } from './responses.ts';
import type { OAuthServer } from '../oauth/server.ts';

const PROTECTED = [/^\/mcp$/, /^\/sse$/, /^\/messages$/, /^\/api\//, /^\/health\/mcp(\/|$)/, /^\/metrics$/];
/** Never need a token (and ignore one): liveness, readiness, discovery. */
const OPEN = [/^\/health\/live$/, /^\/health\/ready$/, /^\/\.well-known\/1mcp\//];

/** setTimeout's ceiling (~24.8 days); a later expiry is re-armed when it fires. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface Authenticator {
  /**
   * A refusal Response, or the request's token: required on protected paths, optional elsewhere
   * (/health shows details only with one).
   */
  check(request: Request, path: string): { response?: Response; token?: StoredToken };
  /** Called with a predicate "is this token hash still valid?" whenever a token is revoked or expires. */
  onInvalidated(listener: (valid: (hash: string) => boolean) => void): void;
  close(): void;
}

/** With `oauth` (serve --enable-auth oauth), our OAuth access tokens are accepted beside the bearer tokens. */
export function tokenAuthenticator(tokensPath: string, log: Logger, oauth?: OAuthServer): Authenticator {
  let file: TokensFile = { version: 1, tokens: {} };
  const tokensFile = mtimeCheck(tokensPath);
  let expiryTimer: ReturnType<typeof setTimeout> | undefined;
  const listeners: ((valid: (hash: string) => boolean) => void)[] = [];
  const warnedMalformed = new Set<string>();

  const validHash = (hash: string) => Object.values(file.tokens).some((t) => t.hash === hash && !isExpired(t)) || !!oauth?.validIdentity(hash);
  const invalidate = () => {
    for (const listener of listeners) listener(validHash);
  };

  /** Fire at the next expiry so a token's sessions end when it does, not at its next request. */
  const armExpiry = () => {
    clearTimeout(expiryTimer);
    const now = Date.now();
    const next = Math.min(...Object.values(file.tokens).map((t) => expiryOf(t) ?? Infinity).filter((at) => at > now));
    if (!Number.isFinite(next)) return;
    expiryTimer = setTimeout(() => {
      invalidate();
      armExpiry();
    }, Math.min(MAX_TIMER_MS, next - now + 50));
    expiryTimer.unref?.();
  };

  /** Re-read tokens.json if it changed; true when it was read. */
  const load = () => {
    if (!tokensFile.changed()) return false;
    try {
      file = readTokensFile(tokensPath);
    } catch (error) {
      log.error(`${(error as Error).message}; no token is accepted until it is fixed`);
      file = { version: 1, tokens: {} };
    }
    for (const t of Object.values(file.tokens)) {
      if (Number.isNaN(expiryOf(t)) && !warnedMalformed.has(t.hash)) {
        warnedMalformed.add(t.hash);
        log.warn(`${tokensPath}: token "${t.name}" has an invalid "expires" value ${JSON.stringify((t as { expires?: unknown }).expires)}; it is refused as expired (revoke it and create a new one)`);
      }
    }
    armExpiry();
    return true;
  };
  load();
  const watcher = watchFile(tokensPath, () => {
    if (load()) invalidate();
  });

  // An OAuth client learns from the challenge where to get a token (RFC 9728); none is an error code when no token was sent (RFC 6750 §3.1).
  oauth?.onChange(invalidate);
  const refuse = (reason: string, request: Request, sent = true) =>
    json({ error: 'unauthorized', message: reason }, 401, {
      'www-authenticate': oauth
        ? oauth.challenge(request, sent ? { code: 'invalid_token', description: reason } : undefined)
        : `Bearer realm="1mcp", error="invalid_token", error_description="${reason.replace(/["\\]/g, "'")}"`,
    });
  return {
    check(request, path) {
      if (OPEN.some((p) => p.test(path))) return {};
      const required = PROTECTED.some((p) => p.test(path));
      const header = request.headers.get('authorization');
      if (header === null && !required) return {};
      const m = /^Bearer\s+(\S+)$/i.exec(header ?? '');
      if (!m) {
        const how = oauth ? 'connect with OAuth (see /.well-known/oauth-protected-resource), or create a token with "1mcp auth token create"' : 'create one with "1mcp auth token create"';
        return { response: refuse(`a bearer token is required; ${how} and send it as "Authorization: Bearer <token>"`, request, header !== null) };
      }
      // The watcher may lag behind a write by a moment: look at the file's mtime too.
      if (load()) invalidate();
      const found = findToken(file, m[1]!);
      if (!found) {
        const ours = oauth?.lookup(m[1]!, request);
        if (ours && 'token' in ours) return { token: ours.token };
        return { response: refuse(ours?.refused ?? 'unknown or revoked token', request) };
      }
      if (found.expired) return { response: refuse(`token "${found.token.name}" expired${found.token.expires ? ` (expires: ${found.token.expires})` : ''}`, request) };
      return { token: found.token };
    },
    onInvalidated(listener) {
      listeners.push(listener);
    },
    close() {
      clearTimeout(expiryTimer);
      watcher.close();
    },
  };
}
