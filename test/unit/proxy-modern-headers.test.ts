/** The routing headers `1mcp proxy` writes for a 2026-07-28 stdio client's request (src/modern-headers.ts). */
import { expect, test } from 'bun:test';
import { decodeHeaderValue, encodeHeaderValue as headerValue, paramHeadersOf, routingHeaders } from '../../src/modern-headers.ts';

test('plain ASCII stays as is; non-ASCII, control characters, surrounding spaces and the sentinel form are base64', () => {
  expect(headerValue('us-west1')).toBe('us-west1');
  expect(headerValue('Hello, 世界')).toBe('=?base64?SGVsbG8sIOS4lueVjA==?=');
  expect(headerValue(' padded ')).toBe('=?base64?IHBhZGRlZCA=?=');
  expect(headerValue('line1\nline2')).toBe('=?base64?bGluZTEKbGluZTI=?=');
  expect(headerValue('=?base64?literal?=')).toBe('=?base64?PT9iYXNlNjQ/bGl0ZXJhbD89?=');
  // What serve decodes is what the client sent.
  for (const v of ['Zürich ', 'a\tb', '=?base64?x?=']) expect(decodeHeaderValue(headerValue(v))).toBe(v);
});

test('Mcp-Name from params.name or params.uri; Mcp-Param-* from the x-mcp-header paths, omitted when absent or null', () => {
  const schema = { type: 'object', properties: { region: { type: 'string', 'x-mcp-header': 'Region' }, opts: { type: 'object', properties: { n: { type: 'integer', 'x-mcp-header': 'N' }, on: { type: 'boolean', 'x-mcp-header': 'On' } } } } };
  const params = paramHeadersOf(schema);
  expect(params).toEqual([
    { path: ['region'], header: 'Region' },
    { path: ['opts', 'n'], header: 'N' },
    { path: ['opts', 'on'], header: 'On' },
  ]);
  expect(routingHeaders('tools/call', { name: 'x', arguments: { region: 'eu', opts: { n: 42, on: false } } }, '2026-07-28', params)).toEqual({
    'mcp-protocol-version': '2026-07-28',
    'mcp-method': 'tools/call',
    'mcp-name': 'x',
    'mcp-param-region': 'eu',
    'mcp-param-n': '42',
    'mcp-param-on': 'false',
  });
  expect(routingHeaders('tools/call', { name: 'x', arguments: { region: null } }, '2026-07-28', params)).toEqual({ 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': 'x' });
  expect(routingHeaders('resources/read', { uri: 'file:///ü' }, '2026-07-28')['mcp-name']).toBe(headerValue('file:///ü'));
  expect(routingHeaders('tools/list', {}, '2026-07-28')).toEqual({ 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/list' });
});
