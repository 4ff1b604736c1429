/** The pure parts of speaking to 2026-07-28 backends (src/backends/modern/): envelope, headers, probe verdicts. */
import { describe, expect, test } from 'bun:test';
import * as envelope from '../../src/backends/modern/envelope.ts';
import { legacyShape, routingHeaders, withEnvelope } from '../../src/backends/modern/envelope.ts';
import * as wire from '../../src/server/modern/wire.ts';
import { encodeHeaderValue, paramHeadersOf } from '../../src/modern-headers.ts';
import { classify } from '../../src/backends/modern/probe.ts';
import { validateMcpConfig } from '../../src/config/mcp-config.ts';

describe('modern backend wire', () => {
  test('the backend side spells the same _meta keys and version as the HTTP edge', () => {
    expect(envelope.MODERN_VERSION).toBe(wire.MODERN_VERSIONS[0]!);
    for (const key of ['META_PROTOCOL_VERSION', 'META_CLIENT_CAPABILITIES', 'META_CLIENT_INFO', 'META_SERVER_INFO', 'META_SUBSCRIPTION_ID'] as const) expect(envelope[key]).toBe(wire[key]);
  });

  test('the envelope is added to every request, the caller\'s _meta kept', () => {
    const params = withEnvelope({ name: 'x', _meta: { progressToken: 't1' } }, 'debug');
    const meta = params._meta as Record<string, unknown>;
    expect(params.name).toBe('x');
    expect(meta.progressToken).toBe('t1');
    expect(meta['io.modelcontextprotocol/protocolVersion']).toBe('2026-07-28');
    expect(meta['io.modelcontextprotocol/clientCapabilities']).toHaveProperty('sampling');
    expect((meta['io.modelcontextprotocol/clientInfo'] as { name: string }).name).toBe('1mcp');
    expect(meta['io.modelcontextprotocol/logLevel']).toBe('debug');
    expect(withEnvelope({})._meta).not.toHaveProperty('io.modelcontextprotocol/logLevel');
  });

  test('routing headers mirror the body; names that are not plain ASCII are base64 encoded', () => {
    expect(routingHeaders('tools/call', { name: 'echo' })).toEqual({ 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': 'echo' });
    expect(routingHeaders('resources/read', { uri: 'modern://note' })['mcp-name']).toBe('modern://note');
    expect(routingHeaders('tools/list', {})).toEqual({ 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/list' });
    expect(routingHeaders('tools/call', { name: 'héllo' })['mcp-name']).toBe(encodeHeaderValue('héllo'));
    // The tasks extension's methods name their task, as serve's edge demands of its own clients.
    expect(routingHeaders('tasks/get', { taskId: 't-1' })['mcp-name']).toBe('t-1');
  });

  test('Mcp-Param headers for x-mcp-header parameters that have a value', () => {
    const schema = { type: 'object', properties: { region: { type: 'string', 'x-mcp-header': 'Region' }, deep: { type: 'object', properties: { n: { type: 'number', 'x-mcp-header': 'N' } } }, plain: { type: 'string' } } };
    const params = paramHeadersOf(schema);
    expect(params).toEqual([
      { path: ['region'], header: 'Region' },
      { path: ['deep', 'n'], header: 'N' },
    ]);
    const base = { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': 't' };
    expect(routingHeaders('tools/call', { name: 't', arguments: { region: 'eu', deep: { n: 3 }, plain: 'x' } }, params)).toEqual({ ...base, 'mcp-param-region': 'eu', 'mcp-param-n': '3' });
    expect(routingHeaders('tools/call', { name: 't', arguments: { plain: 'x' } }, params)).toEqual(base);
  });

  test('results lose the modern-only fields before they reach the catalog or a legacy client', () => {
    const shaped = legacyShape({ content: [], resultType: 'complete', ttlMs: 5, cacheScope: 'public', _meta: { 'io.modelcontextprotocol/serverInfo': { name: 's' }, keep: 1 } });
    expect(shaped).toEqual({ content: [], _meta: { keep: 1 } });
    expect(legacyShape({ tools: [], _meta: { 'io.modelcontextprotocol/serverInfo': { name: 's' } } })).toEqual({ tools: [] });
  });

  test('probe verdicts: modern only when 2026-07-28 is offered', () => {
    const modern = classify({ jsonrpc: '2.0', id: 'x', result: { supportedVersions: ['2026-07-28'], capabilities: { tools: { listChanged: true } }, instructions: 'hi', _meta: { 'io.modelcontextprotocol/serverInfo': { name: 'm', version: '2' } } } });
    expect(modern).toEqual({ era: 'modern', discovered: { version: '2026-07-28', capabilities: { tools: { listChanged: true } }, instructions: 'hi', serverInfo: { name: 'm', version: '2' } } });
    expect(classify({ jsonrpc: '2.0', id: 'x', error: { code: -32601, message: 'Method not found' } }).era).toBe('legacy');
    expect(classify({ jsonrpc: '2.0', id: 'x', result: { supportedVersions: ['2027-01-01'] } }).era).toBe('legacy');
    expect(classify({ jsonrpc: '2.0', id: 'x', result: {} }).era).toBe('legacy');
    expect(classify(undefined).era).toBe('legacy');
  });

  test('mcp.json "protocol": auto by default, legacy or modern when set, anything else refused with the choices', () => {
    const [auto, legacy] = validateMcpConfig({ mcpServers: { a: { command: 'x' }, b: { command: 'x', protocol: 'legacy' } } }, '/tmp/mcp.json', { substitute: false });
    expect(auto!.protocol).toBe('auto');
    expect(legacy!.protocol).toBe('legacy');
    expect(() => validateMcpConfig({ mcpServers: { a: { command: 'x', protocol: 'moden' } } }, '/tmp/mcp.json', { substitute: false })).toThrow('field "protocol": Invalid option: expected one of "auto"|"modern"|"legacy"');
  });
});
