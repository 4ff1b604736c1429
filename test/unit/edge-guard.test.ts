/** Host/Origin guard of serve's HTTP edge: exact origins, --allow-origin, DNS-rebinding Host check. */
import { describe, expect, test } from 'bun:test';
import { makeHostGuard, normalizeOrigin } from '../../src/server/http/guard.ts';

const request = (headers: Record<string, string>) => new Request('http://127.0.0.1/mcp', { headers });

describe('makeHostGuard on a loopback bind', () => {
  const guard = makeHostGuard('127.0.0.1', () => 3050, 'https://mcp.example.com', ['http://localhost:5173']);
  const allowed = (origin: string) => guard(request({ host: '127.0.0.1:3050', origin })) === undefined;

  test('our own origins and the allowed ones pass, exactly', () => {
    for (const o of ['http://localhost:3050', 'http://127.0.0.1:3050', 'http://[::1]:3050', 'https://mcp.example.com', 'http://localhost:5173']) expect({ o, ok: allowed(o) }).toEqual({ o, ok: true });
  });

  test('null, port-less, other ports, other schemes, look-alikes and garbage are refused', () => {
    for (const o of ['null', 'http://localhost', 'http://127.0.0.1', 'http://localhost:3051', 'https://localhost:3050', 'http://localhost:5174', 'http://mcp.example.com', 'https://mcp.example.com:8443', 'http://localhost.evil.com:3050', 'file://', 'not an origin', '']) {
      expect({ o, ok: allowed(o) }).toEqual({ o, ok: false });
    }
  });

  test('no Origin header (non-browser clients) passes; a foreign Host does not', () => {
    expect(guard(request({ host: '127.0.0.1:3050' }))).toBeUndefined();
    expect(guard(request({ host: 'evil.example.com:3050' }))).toContain('DNS-rebinding');
    expect(guard(request({ host: 'mcp.example.com' }))).toBeUndefined();
  });

  test('port 80 is the default port of http:// origins', () => {
    const on80 = makeHostGuard('127.0.0.1', () => 80);
    expect(on80(request({ host: 'localhost', origin: 'http://localhost' }))).toBeUndefined();
    expect(on80(request({ host: 'localhost', origin: 'http://localhost:8080' }))).toContain('not allowed');
  });
});

describe('makeHostGuard beyond loopback', () => {
  const guard = makeHostGuard('0.0.0.0', () => 3050);
  test('a page from the very address requested is same-origin; others are refused', () => {
    expect(guard(request({ host: '192.168.1.5:3050', origin: 'http://192.168.1.5:3050' }))).toBeUndefined();
    expect(guard(request({ host: '192.168.1.5:3050', origin: 'http://192.168.1.6:3050' }))).toContain('not allowed');
    expect(guard(request({ host: '192.168.1.5:3050', origin: 'null' }))).toContain('not allowed');
  });
});

describe('normalizeOrigin (--allow-origin)', () => {
  test('accepts scheme://host[:port], normalised', () => {
    expect(normalizeOrigin('http://LocalHost:5173')).toBe('http://localhost:5173');
    expect(normalizeOrigin('https://app.example.com/')).toBe('https://app.example.com');
  });
  test('refuses anything else with a message saying what to write', () => {
    expect(() => normalizeOrigin('null')).toThrow(/is not an origin; write it like http:\/\/localhost:5173/);
    expect(() => normalizeOrigin('localhost:5173')).toThrow(/must start with http:\/\/ or https:\/\//);
    expect(() => normalizeOrigin('http://localhost:5173/app')).toThrow(/only scheme, host and port/);
    expect(() => normalizeOrigin('ftp://x.example')).toThrow(/http:\/\/ or https:\/\//);
  });
});
