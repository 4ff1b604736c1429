/**
 * `serve --enable-auth` (SPEC §8.2): /mcp, /sse, /messages and /api/* need `Authorization: Bearer <token>`;
 * /health* and the identity stay open. The token file is re-read when it changes, so `auth token
 * create|revoke` apply to a running serve at once.
 */
import { statSync } from 'node:fs';
import { findToken, readTokensFile, type StoredToken, type TokensFile } from '../../config/tokens.ts';
import type { Logger } from '../../log.ts';
import { json } from './responses.ts';

const PROTECTED = [/^\/mcp$/, /^\/sse$/, /^\/messages$/, /^\/api\//];

export interface Authenticator {
  /** undefined = allowed (with the token when auth is on); a Response = refused. */
  check(request: Request, path: string): { response?: Response; token?: StoredToken };
}

export function tokenAuthenticator(tokensPath: string, log: Logger): Authenticator {
  let file: TokensFile = { version: 1, tokens: {} };
  let mtime = -1;
  const current = () => {
    let m = 0;
    try {
      m = statSync(tokensPath).mtimeMs;
    } catch {}
    if (m !== mtime) {
      mtime = m;
      try {
        file = readTokensFile(tokensPath);
      } catch (error) {
        log.error(`${(error as Error).message}; no token is accepted until it is fixed`);
        file = { version: 1, tokens: {} };
      }
    }
    return file;
  };
  const refuse = (reason: string) =>
    json({ error: 'unauthorized', message: reason }, 401, { 'www-authenticate': `Bearer realm="1mcp", error="invalid_token", error_description="${reason}"` });
  return {
    check(request, path) {
      if (!PROTECTED.some((p) => p.test(path))) return {};
      const header = request.headers.get('authorization') ?? '';
      const m = /^Bearer\s+(\S+)$/i.exec(header);
      if (!m) return { response: refuse('a bearer token is required; create one with "1mcp auth token create"') };
      const found = findToken(current(), m[1]!);
      if (!found) return { response: refuse('unknown or revoked token') };
      if (found.expired) return { response: refuse(`token "${found.token.name}" expired at ${found.token.expires}`) };
      return { token: found.token };
    },
  };
}
