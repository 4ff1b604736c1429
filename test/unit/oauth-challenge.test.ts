/** The scope arithmetic of step-up logins (src/backends/auth/challenge.ts). */
import { expect, test } from 'bun:test';
import { coversScope, scopeUnion, watchChallenges, type Challenge } from '../../src/backends/auth/challenge.ts';

test('scopeUnion keeps each scope once, in order, and is undefined for nothing', () => {
  expect(scopeUnion('mcp:basic', 'mcp:write mcp:basic')).toBe('mcp:basic mcp:write');
  expect(scopeUnion(undefined, ' a  b ')).toBe('a b');
  expect(scopeUnion(undefined, '')).toBeUndefined();
});

test('coversScope: every wanted scope must be granted', () => {
  expect(coversScope('mcp:basic mcp:write', 'mcp:write')).toBe(true);
  expect(coversScope('mcp:basic', 'mcp:basic mcp:write')).toBe(false);
  expect(coversScope(undefined, 'mcp:admin')).toBe(false);
  expect(coversScope(undefined, undefined)).toBe(true);
});

test('watchChallenges reports the Bearer challenge of the MCP endpoint only, and clears it on a plain answer', async () => {
  const seen: (Challenge | undefined)[] = [];
  const answers: Record<string, Response> = {
    'http://s/mcp': new Response('{}', { status: 403, headers: { 'www-authenticate': 'Bearer error="insufficient_scope", scope="mcp:write", resource_metadata="http://s/.well-known/oauth-protected-resource/mcp"' } }),
    'http://s/token': new Response('{}', { status: 401, headers: { 'www-authenticate': 'Bearer scope="other"' } }),
  };
  const fetch = watchChallenges('http://s/mcp', async (url) => answers[String(url).split('?')[0]!] ?? new Response('ok'), (c) => seen.push(c));
  await fetch('http://s/mcp?x=1', {});
  await fetch('http://s/token', {});
  answers['http://s/mcp'] = new Response('ok');
  await fetch('http://s/mcp', {});
  expect(seen).toEqual([{ status: 403, scope: 'mcp:write', resourceMetadataUrl: 'http://s/.well-known/oauth-protected-resource/mcp', error: 'insufficient_scope' }, undefined]);
});
