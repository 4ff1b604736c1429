/** Pure pieces of serve's OAuth server (src/server/oauth/): redirect URI rules, resource matching, metadata URLs. */
import { describe, expect, test } from 'bun:test';
import { bearerChallenge, publicUrls, sameResource } from '../../src/server/oauth/metadata.ts';
import { normalizeApprovalCode } from '../../src/server/oauth/pending.ts';
import { cspSourceFor, redirectUriProblem } from '../../src/server/oauth/redirect-uris.ts';
import { approvalProof, checkApprovalProof } from '../../src/server/oauth/approval-proof.ts';

describe('redirect URIs', () => {
  test('https anywhere, http only on loopback, private schemes for native apps', () => {
    for (const ok of ['https://app.example/cb', 'http://127.0.0.1:8080/cb', 'http://localhost/cb', 'http://[::1]:9/cb', 'cursor://anysphere.cursor-retrieval/oauth', 'com.example.app:/cb']) {
      expect(redirectUriProblem(ok)).toBeUndefined();
    }
  });
  test('refused: http elsewhere, fragments, script-like schemes, relative, oversized', () => {
    expect(redirectUriProblem('http://app.example/cb')).toContain('only for loopback');
    expect(redirectUriProblem('https://app.example/cb#x')).toContain('fragment');
    expect(redirectUriProblem('javascript:alert(1)')).toContain('not allowed');
    expect(redirectUriProblem('data:text/html,x')).toContain('not allowed');
    expect(redirectUriProblem('/cb')).toContain('not an absolute URI');
    expect(redirectUriProblem(`https://a.example/${'x'.repeat(2100)}`)).toContain('longer than');
    expect(redirectUriProblem(42)).toContain('non-empty string');
  });
  test('the consent form may redirect only to the client origin (CSP form-action)', () => {
    expect(cspSourceFor('http://127.0.0.1:9/callback')).toBe('http://127.0.0.1:9');
    expect(cspSourceFor('cursor://x/cb')).toBe('cursor:');
  });
});

describe('resource and issuer', () => {
  test('--external-url wins; otherwise the Host the request came to', () => {
    expect(publicUrls(new Request('http://127.0.0.1:3050/x'), 'https://gw.example/base/')).toEqual({ issuer: 'https://gw.example/base', resource: 'https://gw.example/base/mcp' });
    expect(publicUrls(new Request('http://127.0.0.1:3050/x', { headers: { host: 'localhost:3050' } }))).toEqual({ issuer: 'http://localhost:3050', resource: 'http://localhost:3050/mcp' });
  });
  test('loopback names are one machine; another port or path is another resource', () => {
    expect(sameResource('http://localhost:3050/mcp', 'http://127.0.0.1:3050/mcp/')).toBe(true);
    expect(sameResource('http://127.0.0.1:3051/mcp', 'http://127.0.0.1:3050/mcp')).toBe(false);
    expect(sameResource('https://evil.example/mcp', 'http://127.0.0.1:3050/mcp')).toBe(false);
    expect(sameResource('http://127.0.0.1:3050/other', 'http://127.0.0.1:3050/mcp')).toBe(false);
  });
  test('the 401 challenge names the metadata and the scopes; an error only when a token was sent', () => {
    const urls = { issuer: 'http://127.0.0.1:3050', resource: 'http://127.0.0.1:3050/mcp' };
    expect(bearerChallenge(urls, ['b', 'a', 'a'])).toBe('Bearer resource_metadata="http://127.0.0.1:3050/.well-known/oauth-protected-resource/mcp", scope="tag:a tag:b"');
    expect(bearerChallenge(urls, [], { code: 'invalid_token', description: 'say "no"' })).toBe(
      `Bearer resource_metadata="http://127.0.0.1:3050/.well-known/oauth-protected-resource/mcp", error="invalid_token", error_description="say 'no'"`,
    );
  });
});

describe('approval codes', () => {
  test('typed with or without the dash or spaces', () => {
    expect(normalizeApprovalCode('493118')).toBe('493-118');
    expect(normalizeApprovalCode(' 493 118 ')).toBe('493-118');
    expect(normalizeApprovalCode('493-118')).toBe('493-118');
    expect(normalizeApprovalCode('49311')).toBe('49311');
  });
  test('the terminal proof is bound to the key, the code and the tags', () => {
    const key = Buffer.alloc(32, 7);
    const proof = approvalProof(key, '493-118', ['a']);
    expect(checkApprovalProof(key, '493-118', ['a'], proof)).toBe(true);
    expect(checkApprovalProof(key, '493-118', ['a', 'b'], proof)).toBe(false);
    expect(checkApprovalProof(key, '493-119', ['a'], proof)).toBe(false);
    expect(checkApprovalProof(Buffer.alloc(32, 8), '493-118', ['a'], proof)).toBe(false);
    expect(checkApprovalProof(key, '493-118', ['a'], 'nope')).toBe(false);
  });
});
