/**
 * The pieces of an outbound OAuth login on their own, over real loopback sockets and real files:
 * the callback listener (state, iss, errors, timeout) and the token file with the provider serve uses.
 */
import { describe, expect, test } from 'bun:test';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { listenForCallback } from '../../src/backends/auth/callback.ts';
import { AwaitingAuthError, awaitingAuth } from '../../src/backends/auth/errors.ts';
import { StoredOAuthProvider } from '../../src/backends/auth/provider.ts';
import { oauthFile, readOAuthRecord, writeOAuthRecord } from '../../src/config/oauth-store.ts';
import { makeTempDir } from '../helpers/tmp.ts';

const ISSUER = 'https://as.example.com/';

describe('login callback on 127.0.0.1', () => {
  test('an answer with another state is ignored (the login keeps waiting); the right one delivers the code', async () => {
    const callback = await listenForCallback();
    try {
      expect(callback.redirectUrl).toBe(`http://127.0.0.1:${callback.port}/callback`);
      const code = callback.code({ state: 's1', issuer: ISSUER, issRequired: true, timeoutMs: 10_000 });
      const stray = await fetch(`${callback.redirectUrl}?code=evil&state=other&iss=${encodeURIComponent(ISSUER)}`);
      expect(stray.status).toBe(400);
      expect(await stray.text()).toContain('state mismatch');
      const right = await fetch(`${callback.redirectUrl}?code=good&state=s1&iss=${encodeURIComponent(ISSUER)}`);
      expect(right.status).toBe(200);
      expect(await code).toBe('good');
    } finally {
      await callback.close();
    }
  });

  test('iss of another server (mix-up) and a missing iss the server promised are refused', async () => {
    const callback = await listenForCallback();
    try {
      const mixed = callback.code({ state: 's', issuer: ISSUER, issRequired: false, timeoutMs: 10_000 }).catch((e: Error) => e.message);
      await fetch(`${callback.redirectUrl}?code=c&state=s&iss=${encodeURIComponent('https://evil.example.com/')}`);
      expect(await mixed).toContain('names issuer https://evil.example.com/, but the authorization server is https://as.example.com/');
      const missing = callback.code({ state: 's', issuer: ISSUER, issRequired: true, timeoutMs: 10_000 }).catch((e: Error) => e.message);
      await fetch(`${callback.redirectUrl}?code=c&state=s`);
      expect(await missing).toContain('sent none');
      const refused = callback.code({ state: 's', issRequired: false, timeoutMs: 10_000 }).catch((e: Error) => e.message);
      await fetch(`${callback.redirectUrl}?error=access_denied&error_description=no&state=s`);
      expect(await refused).toBe('the authorization server refused the login: access_denied (no)');
      const late = await callback.code({ state: 's', issRequired: false, timeoutMs: 50 }).catch((e: Error) => e.message);
      expect(late).toContain('no login arrived within 0 s');
      // Only /callback, only GET.
      expect((await fetch(`http://127.0.0.1:${callback.port}/other`)).status).toBe(404);
    } finally {
      await callback.close();
    }
  });

  test('a taken port: the preferred port falls back to a free one; an explicit --port is an error', async () => {
    const first = await listenForCallback();
    try {
      const second = await listenForCallback(first.port, true);
      expect(second.port).not.toBe(first.port);
      await second.close();
      await expect(listenForCallback(first.port, false)).rejects.toThrow(`cannot listen on 127.0.0.1:${first.port} for the login callback`);
    } finally {
      await first.close();
    }
  });
});

describe('token file and the provider serve uses', () => {
  const target = (dir: string, url = 'https://mcp.example.com/mcp') => ({ name: 'remote', url, oauthFile: oauthFile(dir, 'remote') });

  test('written 0600; a login is used only for the URL it was made for', async () => {
    const dir = makeTempDir();
    try {
      const file = oauthFile(dir.path, 'remote');
      expect(file).toBe(join(dir.path, 'oauth', 'remote.json'));
      writeOAuthRecord(file, { url: 'https://mcp.example.com/mcp', client: { client_id: 'c' }, tokens: { access_token: 'at', token_type: 'Bearer' } });
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const same = new StoredOAuthProvider(target(dir.path), { kind: 'serve' });
      expect((await same.tokens())?.access_token).toBe('at');
      // The entry now points elsewhere: the old token is not sent there, and serve waits for a login.
      const moved = new StoredOAuthProvider(target(dir.path, 'https://other.example.com/mcp'), { kind: 'serve' });
      expect(await moved.tokens()).toBeUndefined();
      expect(() => moved.clientInformation()).toThrow(AwaitingAuthError);
      expect(readOAuthRecord(file, 'https://other.example.com/mcp')).toBeUndefined();
    } finally {
      dir.cleanup();
    }
  });

  test('serve never starts a login: the advice names the command; a damaged file says what to do', () => {
    const dir = makeTempDir();
    try {
      const provider = new StoredOAuthProvider(target(dir.path), { kind: 'serve' });
      let thrown: unknown;
      try {
        provider.redirectToAuthorization(new URL('https://as.example.com/authorize'));
      } catch (error) {
        thrown = error;
      }
      expect(awaitingAuth(new Error('wrapped', { cause: thrown }))?.message).toBe('server "remote" needs an OAuth login; run: 1mcp mcp auth remote');
      const file = oauthFile(dir.path, 'remote');
      mkdirSync(join(dir.path, 'oauth'));
      writeFileSync(file, '{broken');
      chmodSync(file, 0o600);
      expect(() => new StoredOAuthProvider(target(dir.path), { kind: 'serve' })).toThrow('is not valid JSON');
      expect(readFileSync(file, 'utf8')).toBe('{broken');
    } finally {
      dir.cleanup();
    }
  });
});
