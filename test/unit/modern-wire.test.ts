/** The 2026-07-28 wire checks (src/server/modern/wire.ts): which requests are modern, and the order of the checks. */
import { describe, expect, test } from 'bun:test';
import { checkParamHeaders, checkRequest, isModern } from '../../src/server/modern/wire.ts';
import { decodeHeaderValue } from '../../src/modern-headers.ts';

const META = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': {} };
const headers = (h: Record<string, string>) => new Headers(h);
const call = (params: Record<string, unknown>) => ({ jsonrpc: '2.0', id: 7, method: 'tools/call', params });
const GOOD = { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': 'echo' };

describe('isModern', () => {
  test('legacy traffic stays legacy: initialize, legacy header, legacy _meta version, batches', () => {
    const init = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'c', version: '1' } } };
    expect(isModern(init, headers({}))).toBe(false);
    expect(isModern({ jsonrpc: '2.0', id: 1, method: 'tools/list' }, headers({ 'mcp-protocol-version': '2025-06-18' }))).toBe(false);
    expect(isModern(call({ name: 'x', _meta: { ...META, 'io.modelcontextprotocol/protocolVersion': '2025-11-25' } }), headers({}))).toBe(false);
    expect(isModern([call({ name: 'x', _meta: META })], headers(GOOD))).toBe(false);
  });
  test('a modern _meta version or a non-legacy header is modern (even an unknown version: it gets -32022)', () => {
    expect(isModern(call({ name: 'x', _meta: META }), headers({}))).toBe(true);
    expect(isModern(call({}), headers({ 'mcp-protocol-version': '2026-07-28' }))).toBe(true);
    expect(isModern(call({ _meta: { ...META, 'io.modelcontextprotocol/protocolVersion': '2099-01-01' } }), headers({}))).toBe(true);
  });
});

describe('checkRequest', () => {
  test('a conforming request passes; a notification is told apart', () => {
    const ok = checkRequest(call({ name: 'echo', _meta: META }), headers(GOOD));
    expect('request' in ok && ok.request.method).toBe('tools/call');
    expect(checkRequest({ jsonrpc: '2.0', method: 'notifications/cancelled', params: {} }, headers({}))).toEqual({ notification: 'notifications/cancelled' });
  });
  test('order: _meta (-32602) before headers (-32020) before version (-32022)', () => {
    const codeOf = (r: ReturnType<typeof checkRequest>) => ('error' in r ? [r.error.status, r.error.code] : undefined);
    expect(codeOf(checkRequest(call({ name: 'echo' }), headers({})))).toEqual([400, -32602]);
    expect(codeOf(checkRequest(call({ name: 'echo', _meta: { 'io.modelcontextprotocol/protocolVersion': '2026-07-28' } }), headers(GOOD)))).toEqual([400, -32602]);
    expect(codeOf(checkRequest(call({ name: 'echo', _meta: META }), headers({ ...GOOD, 'mcp-name': 'other' })))).toEqual([400, -32020]);
    const unknown = { ...META, 'io.modelcontextprotocol/protocolVersion': '2099-01-01' };
    expect(codeOf(checkRequest(call({ name: 'echo', _meta: unknown }), headers(GOOD)))).toEqual([400, -32020]);
    expect(codeOf(checkRequest(call({ name: 'echo', _meta: unknown }), headers({ ...GOOD, 'mcp-protocol-version': '2099-01-01' })))).toEqual([400, -32022]);
  });
  test('errors answer the request id; an unreadable request gets id null', () => {
    const r = checkRequest(call({ name: 'echo' }), headers({}));
    expect('error' in r && r.error.id).toBe(7);
    const bad = checkRequest({ jsonrpc: '2.0', id: 1 }, headers({}));
    expect('error' in bad && [bad.error.id, bad.error.code]).toEqual([null, -32600]);
  });
});

describe('decodeHeaderValue', () => {
  test('plain values pass; =?base64?…?= is decoded; broken base64 is refused', () => {
    expect(decodeHeaderValue('echo')).toBe('echo');
    expect(decodeHeaderValue(`=?base64?${Buffer.from('Hello, 世界').toString('base64')}?=`)).toBe('Hello, 世界');
    expect(decodeHeaderValue('=?base64?not base64!?=')).toBeUndefined();
    expect(decodeHeaderValue('=?base64?SGVsbG8?=')).toBeUndefined(); // padding missing
    expect(decodeHeaderValue('=?base64?SGVsbG8=?=')).toBe('Hello');
  });
});

describe('checkParamHeaders', () => {
  const schema = { type: 'object', properties: { n: { type: 'integer', 'x-mcp-header': 'N' }, on: { type: 'boolean', 'x-mcp-header': 'On' }, deep: { type: 'object', properties: { r: { type: 'string', 'x-mcp-header': 'R' } } } } };
  test('numbers compare as numbers, booleans as true/false, nested paths are read; absent values need no header', () => {
    expect(checkParamHeaders(schema, { n: 42, on: true, deep: { r: 'x' } }, headers({ 'mcp-param-n': '42.0', 'mcp-param-on': 'true', 'mcp-param-r': 'x' }))).toBeUndefined();
    expect(checkParamHeaders(schema, {}, headers({}))).toBeUndefined();
    expect(checkParamHeaders(schema, { n: null }, headers({}))).toBeUndefined();
  });
  test('a value without its header, or a different one, is a mismatch', () => {
    expect(checkParamHeaders(schema, { n: 1 }, headers({}))).toContain('Mcp-Param-N header is required');
    expect(checkParamHeaders(schema, { on: false }, headers({ 'mcp-param-on': 'true' }))).toContain("does not match body value 'false'");
    expect(checkParamHeaders(schema, { deep: { r: 'a' } }, headers({ 'mcp-param-r': 'b' }))).toContain("'b' does not match body value 'a'");
  });
});
