/**
 * /metrics text (server/metrics.ts): valid Prometheus text format 0.0.4 — checked by promtool (Debian's
 * prometheus package) and by parsing it here — label values escaped, histograms cumulative; plus the
 * audit log's secret-key rule and the --audit-max-size parser.
 */
import { describe, expect, test } from 'bun:test';
import { isSecretKey, redactArguments } from '../../src/server/audit.ts';
import { BUCKETS, CANCELLED, escapeLabelValue, Metrics, OK, RPC_ERROR, TOOL_ERROR, type MetricsSource } from '../../src/server/metrics.ts';
import { parseSize } from '../../src/server/size.ts';
import { HAS_PROMTOOL, NO_PROMTOOL, parsePromText, promtoolCheck, sampleValue } from '../helpers/prom-text.ts';

const WEIRD = 'we"ird\\name\nwith newline';

function source(): MetricsSource {
  const lists = (n: number) => ({ tools: Array(n).fill(0), resources: [1], resourceTemplates: [], prompts: [1, 2] });
  return {
    version: '9.9.9',
    startedAt: Date.now(),
    backends: () => [
      { name: 'alpha', state: 'connected', stderr: { total: 7 }, lists: lists(3) },
      { name: WEIRD, state: 'crash-loop', stderr: { total: 0 }, lists: lists(0) },
    ],
    sessions: () => [
      { labels: { transport: 'streamable-http', era: 'legacy', app: 'codex' } },
      { labels: { transport: 'streamable-http', era: 'legacy', app: 'codex' } },
      { labels: { transport: 'sse', era: 'legacy' } },
    ],
  };
}

function filled(): Metrics {
  const m = new Metrics();
  const call = m.method('tools/call');
  call.outcomes[OK]! += 3;
  call.outcomes[TOOL_ERROR]!++;
  call.duration.observe(0.002);
  call.duration.observe(0.5);
  call.overhead.observe(0.0003);
  m.method('made/up').outcomes[RPC_ERROR]!++;
  m.method('another/unknown').outcomes[RPC_ERROR]!++;
  const t = m.tool('alpha', WEIRD);
  t.outcomes[OK]! += 2;
  t.outcomes[CANCELLED]!++;
  t.seconds += 1.25;
  m.backend('alpha', 'tools/call').observe(0.01);
  m.backendState('alpha', 'connected');
  m.backendState('alpha', 'restarting');
  m.backendState('alpha', 'restarting');
  m.backendState('alpha', 'connected');
  m.backendState('alpha', 'restarting');
  m.searchQueries = 4;
  return m;
}

describe('metrics text', () => {
  if (!HAS_PROMTOOL) console.warn(NO_PROMTOOL);
  test.skipIf(!HAS_PROMTOOL)('promtool accepts it (lint included), also when empty', () => {
    for (const m of [filled(), new Metrics()]) {
      const checked = promtoolCheck(m.render(source()))!;
      expect({ status: checked.status, output: checked.output }).toEqual({ status: 0, output: '' });
    }
  });

  test('values, escaping, unknown methods folded into "other", restarts counted once per restart', () => {
    const text = filled().render(source());
    const s = parsePromText(text);
    expect(sampleValue(s, 'onemcp_info', { version: '9.9.9' })).toBe(1);
    expect(sampleValue(s, 'onemcp_requests_total', { method: 'tools/call', outcome: 'ok' })).toBe(3);
    expect(sampleValue(s, 'onemcp_requests_total', { method: 'tools/call', outcome: 'tool-error' })).toBe(1);
    expect(sampleValue(s, 'onemcp_requests_total', { method: 'other', outcome: 'rpc-error' })).toBe(2);
    expect(s.some((x) => x.labels.method === 'made/up')).toBe(false);
    // The weird name survives the round trip exactly: quote, backslash and newline escaped.
    expect(sampleValue(s, 'onemcp_tool_calls_total', { server: 'alpha', tool: WEIRD, outcome: 'ok' })).toBe(2);
    expect(sampleValue(s, 'onemcp_tool_calls_total', { server: 'alpha', tool: WEIRD, outcome: 'cancelled' })).toBe(1);
    expect(sampleValue(s, 'onemcp_tool_call_duration_seconds_total', { server: 'alpha', tool: WEIRD })).toBe(1.25);
    expect(text).toContain(`tool="${'we\\"ird\\\\name\\nwith newline'}"`);
    expect(sampleValue(s, 'onemcp_backend_state', { server: WEIRD, state: 'crash-loop' })).toBe(1);
    expect(sampleValue(s, 'onemcp_backend_state', { server: WEIRD, state: 'connected' })).toBe(0);
    expect(sampleValue(s, 'onemcp_backend_restarts_total', { server: 'alpha' })).toBe(2);
    expect(sampleValue(s, 'onemcp_backend_stderr_lines_total', { server: 'alpha' })).toBe(7);
    expect(sampleValue(s, 'onemcp_catalog_items', { server: 'alpha', kind: 'tools' })).toBe(3);
    expect(sampleValue(s, 'onemcp_catalog_items', { server: 'alpha', kind: 'prompts' })).toBe(2);
    expect(sampleValue(s, 'onemcp_sessions_open', { transport: 'streamable-http', app: 'codex' })).toBe(2);
    expect(sampleValue(s, 'onemcp_sessions_open', { transport: 'sse', app: '' })).toBe(1);
    expect(sampleValue(s, 'onemcp_search_queries_total')).toBe(4);
  });

  test('histogram buckets are cumulative and end in +Inf = count', () => {
    const s = parsePromText(filled().render(source()));
    const buckets = s.filter((x) => x.name === 'onemcp_request_duration_seconds_bucket' && x.labels.method === 'tools/call');
    expect(buckets.length).toBe(BUCKETS.length + 1);
    for (let i = 1; i < buckets.length; i++) expect(buckets[i]!.value).toBeGreaterThanOrEqual(buckets[i - 1]!.value);
    expect(buckets.at(-1)!.labels.le).toBe('+Inf');
    expect(buckets.at(-1)!.value).toBe(2);
    expect(sampleValue(s, 'onemcp_request_duration_seconds_bucket', { method: 'tools/call', le: '0.001' })).toBe(0);
    expect(sampleValue(s, 'onemcp_request_duration_seconds_bucket', { method: 'tools/call', le: '0.0025' })).toBe(1);
    expect(sampleValue(s, 'onemcp_request_duration_seconds_count', { method: 'tools/call' })).toBe(2);
    expect(sampleValue(s, 'onemcp_request_duration_seconds_sum', { method: 'tools/call' })).toBeCloseTo(0.502, 6);
    expect(sampleValue(s, 'onemcp_gateway_overhead_seconds_count', { method: 'tools/call' })).toBe(1);
  });

  test('an empty registry is still valid text', () => {
    const text = new Metrics().render({ version: '1', startedAt: 0, backends: () => [], sessions: () => [] });
    expect(() => parsePromText(text)).not.toThrow();
  });

  test('escapeLabelValue', () => {
    expect(escapeLabelValue('a"b\\c\nd')).toBe('a\\"b\\\\c\\nd');
    expect(escapeLabelValue('plain')).toBe('plain');
  });
});

describe('audit helpers', () => {
  test('keys that name secrets', () => {
    for (const k of ['token', 'api_key', 'apiKey', 'X-Api-Key', 'access_token', 'githubToken', 'password', 'client_secret', 'Authorization', 'sessionId', 'private-key', 'cookie']) expect(isSecretKey(k)).toBe(true);
    for (const k of ['max_tokens', 'author', 'query', 'path', 'design', 'signal', 'keyword', 'sessions']) expect(isSecretKey(k)).toBe(false);
  });

  test('redactArguments masks secret keys at any depth and secrets inside strings', () => {
    const out = redactArguments({ query: 'hello', token: 'abc', nested: [{ api_key: 'k-123' }], headers: { Authorization: 'Bearer xyz.123' }, note: 'use Bearer abc.def-123 here', max_tokens: 100 }) as any;
    expect(out).toEqual({ query: 'hello', token: '***', nested: [{ api_key: '***' }], headers: { Authorization: '***' }, note: 'use Bearer *** here', max_tokens: 100 });
  });

  test('parseSize', () => {
    expect(parseSize('10MiB')).toBe(10 * 1024 * 1024);
    expect(parseSize('500k')).toBe(500 * 1024);
    expect(parseSize('2048')).toBe(2048);
    expect(() => parseSize('ten')).toThrow('--audit-max-size must be a size such as 10MiB, 500k or 1048576 (bytes); got "ten"');
    expect(() => parseSize('0')).toThrow();
  });
});
