/**
 * Where a `.1mcprc` is looked for, what it may name, which URLs count as loopback / safe for a token,
 * and the identity key discovery relies on (real files in a temp dir).
 */
import { afterAll, describe, expect, test } from 'bun:test';
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseProjectRc, rcSearchDirs } from '../../src/config/rc.ts';
import { canonicalServeUrl, isLoopbackUrl, tokenTransportProblem } from '../../src/config/trust.ts';
import { checkIdentityProof, ensureIdentitySecret, identityProof, readIdentitySecret } from '../../src/config/identity-secret.ts';

const root = mkdtempSync(join(tmpdir(), '1mcp-rc-lookup-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

test('inside the home: from the working directory up to the home, never above', () => {
  const home = join(root, 'home');
  const deep = join(home, 'a', 'b');
  mkdirSync(deep, { recursive: true });
  expect(rcSearchDirs(deep, home)).toEqual([deep, join(home, 'a'), home]);
  expect(rcSearchDirs(home, home)).toEqual([home]);
});

test('outside the home: up to the repository root; without a repository only the working directory', () => {
  const home = join(root, 'home2');
  const loose = join(root, 'tmp', 'proj', 'sub');
  mkdirSync(loose, { recursive: true });
  expect(rcSearchDirs(loose, home)).toEqual([loose]);
  const repo = join(root, 'tmp2', 'repo');
  mkdirSync(join(repo, '.git'), { recursive: true });
  mkdirSync(join(repo, 'x', 'y'), { recursive: true });
  expect(rcSearchDirs(join(repo, 'x', 'y'), home)).toEqual([join(repo, 'x', 'y'), join(repo, 'x'), repo]);
});

test('a home of "/" bounds nothing: the repository rule applies', () => {
  const loose = join(root, 'tmp3', 'p');
  mkdirSync(loose, { recursive: true });
  expect(rcSearchDirs(loose, '/')).toEqual([loose]);
});

test('token_env may only name ONE_MCP_* variables; the error names the file', () => {
  expect(parseProjectRc('{"token_env":"ONE_MCP_TOKEN_WORK"}', '/p/.1mcprc').token_env).toBe('ONE_MCP_TOKEN_WORK');
  for (const bad of ['AWS_SECRET_ACCESS_KEY', 'ONE_MCP_', 'one_mcp_token', 'GITHUB_TOKEN']) {
    expect(() => parseProjectRc(JSON.stringify({ token_env: bad }), '/p/.1mcprc')).toThrow(/^\/p\/\.1mcprc: "token_env" may only name a variable starting with ONE_MCP_/);
  }
});

test('loopback: 127.0.0.0/8, localhost, [::1]; not 0.0.0.0, not a look-alike name', () => {
  for (const u of ['http://127.0.0.1:3050/mcp', 'http://127.1.2.3/mcp', 'http://localhost:1/mcp', 'http://[::1]:3050/mcp']) expect(isLoopbackUrl(u)).toBe(true);
  for (const u of ['http://0.0.0.0:3050/mcp', 'http://127.0.0.1.evil.example/mcp', 'http://10.0.0.1/mcp', 'http://localhost.evil.example/mcp']) expect(isLoopbackUrl(u)).toBe(false);
});

test('a token travels only to loopback or https', () => {
  expect(tokenTransportProblem('http://127.0.0.1:3050/mcp')).toBeUndefined();
  expect(tokenTransportProblem('https://mcp.example.com/mcp')).toBeUndefined();
  expect(tokenTransportProblem('http://mcp.example.com/mcp')).toContain('plain http');
});

test('approved URLs are compared in one canonical form; junk is refused with a clear message', () => {
  expect(canonicalServeUrl('https://Mcp.Example.com')).toBe('https://mcp.example.com/mcp');
  expect(canonicalServeUrl('https://mcp.example.com/mcp/?x=1#f')).toBe('https://mcp.example.com/mcp');
  expect(() => canonicalServeUrl('not a url')).toThrow('is not a URL');
  expect(() => canonicalServeUrl('https://u:p@h/mcp')).toThrow('credentials');
});

test('an identity proof is bound to its nonce and URL', () => {
  const key = Buffer.alloc(32, 7);
  const proof = identityProof(key, 'aa'.repeat(16), 'http://127.0.0.1:3050/mcp');
  expect(checkIdentityProof(key, 'aa'.repeat(16), 'http://127.0.0.1:3050/mcp', proof)).toBe(true);
  expect(checkIdentityProof(key, 'aa'.repeat(16), 'http://127.0.0.1:3051/mcp', proof)).toBe(false);
  expect(checkIdentityProof(key, 'bb'.repeat(16), 'http://127.0.0.1:3050/mcp', proof)).toBe(false);
  expect(checkIdentityProof(Buffer.alloc(32, 8), 'aa'.repeat(16), 'http://127.0.0.1:3050/mcp', proof)).toBe(false);
  expect(checkIdentityProof(key, 'aa'.repeat(16), 'http://127.0.0.1:3050/mcp', undefined)).toBe(false);
});

describe('identity.secret on disk', () => {
  const dirFor = (name: string) => {
    const dir = join(root, name);
    mkdirSync(dir, { recursive: true });
    return dir;
  };

  test('serve creates it 0600 once and keeps it; the proxy reads the same key', () => {
    const dir = dirFor('secret-new');
    const key = ensureIdentitySecret(dir);
    expect(statSync(join(dir, 'identity.secret')).mode & 0o777).toBe(0o600);
    expect(readIdentitySecret(dir)?.equals(key)).toBe(true);
  });

  test('a key others can read proves nothing: the proxy ignores it, serve replaces it', () => {
    const dir = dirFor('secret-open');
    writeFileSync(join(dir, 'identity.secret'), `${'ab'.repeat(32)}\n`, { mode: 0o644 });
    chmodSync(join(dir, 'identity.secret'), 0o644);
    expect(readIdentitySecret(dir)).toBeUndefined();
    const key = ensureIdentitySecret(dir);
    expect(key.toString('hex')).not.toBe('ab'.repeat(32));
    expect(statSync(join(dir, 'identity.secret')).mode & 0o777).toBe(0o600);
  });

  test('a planted symlink is not followed: its target stays untouched', () => {
    const dir = dirFor('secret-link');
    const outside = join(root, 'outside-target.txt');
    writeFileSync(outside, 'do not touch\n');
    symlinkSync(outside, join(dir, 'identity.secret'));
    expect(readIdentitySecret(dir)).toBeUndefined();
    ensureIdentitySecret(dir);
    expect(readFileSync(outside, 'utf8')).toBe('do not touch\n');
    expect(lstatSync(join(dir, 'identity.secret')).isSymbolicLink()).toBe(false);
  });
});
