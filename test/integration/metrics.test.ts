/**
 * GET /metrics against a real serve with real backends and SDK clients: each outcome of a tool call
 * is counted once (ok, tool-error, rpc-error, timeout, cancelled), requests by method, latency
 * histograms (backend time and gateway overhead apart), sessions by transport and ?app=, backend
 * state, restarts and catalog sizes, search-mode queries; the text passes `promtool check metrics`
 * (Debian's prometheus package; skipped with a message where it is not installed). Access: the same
 * Host/Origin guard as /api, a token with --enable-auth, and a tag-limited token is refused.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { runCli } from '../helpers/cli.ts';
import { fixtureEntry } from '../helpers/fixture.ts';
import { connectHttp, connectSse } from '../helpers/mcp-client.ts';
import { waitFor } from '../helpers/processes.ts';
import { HAS_PROMTOOL, NO_PROMTOOL, parsePromText, promtoolCheck, sampleValue, type Sample } from '../helpers/prom-text.ts';
import { startServe, type ServeHandle } from '../helpers/serve.ts';

async function scrape(serve: ServeHandle, headers: Record<string, string> = {}): Promise<{ text: string; samples: Sample[] }> {
  const r = await fetch(`${serve.origin}/metrics`, { headers });
  expect(r.status).toBe(200);
  expect(r.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
  const text = await r.text();
  return { text, samples: parsePromText(text) };
}

describe('GET /metrics', () => {
  let serve: ServeHandle;
  const clients: Client[] = [];
  /** The scrape taken after every kind of call, for promtool. */
  let scraped = '';

  beforeAll(async () => {
    serve = await startServe({
      mcpServers: {
        a: fixtureEntry(['--name', 'a', '--conformance', '--fidelity']),
        slowpoke: fixtureEntry(['--name', 'slowpoke'], { requestTimeout: 300 }),
        crashy: fixtureEntry(['--name', 'crashy'], { restartDelay: 50 }),
      },
    });
  });
  afterAll(async () => {
    for (const c of clients) await c.close().catch(() => {});
    await serve.stop();
  });

  test('each outcome counted once, by server and tool; requests, histograms, sessions, catalog', async () => {
    const client = await connectHttp(`${serve.url}?app=metrics-test`);
    clients.push(client);
    const sse = await connectSse(`${serve.origin}/sse?app=old-client`);
    clients.push(sse);

    expect((await client.callTool({ name: 'a_1mcp_echo', arguments: { text: 'one' } })).isError).toBeFalsy();
    await client.callTool({ name: 'a_1mcp_echo', arguments: { text: 'two' } });
    await sse.callTool({ name: 'a_1mcp_echo', arguments: { text: 'three' } });
    expect((await client.callTool({ name: 'a_1mcp_test_error_handling', arguments: {} })).isError).toBe(true);
    await expect(client.callTool({ name: 'a_1mcp_fail', arguments: { code: -32050, message: 'nope' } })).rejects.toThrow('nope');
    await expect(client.callTool({ name: 'slowpoke_1mcp_hang', arguments: {} })).rejects.toThrow(/no answer within 300 ms/);
    const abort = new AbortController();
    const cancelled = client.callTool({ name: 'a_1mcp_slow', arguments: { ms: 5000 } }, undefined, { signal: abort.signal });
    setTimeout(() => abort.abort('enough'), 200);
    await expect(cancelled).rejects.toThrow();
    await expect(client.callTool({ name: 'nobody_1mcp_nothing', arguments: {} })).rejects.toThrow(/unknown tool/);
    const tools = (await client.listTools()).tools.filter((t) => t.name.startsWith('a_1mcp_'));

    // The cancelled call's end reaches serve a moment after the client gave up.
    let samples: Sample[] = [];
    let text = '';
    await waitFor(
      async () => {
        ({ text, samples } = await scrape(serve));
        return sampleValue(samples, 'onemcp_tool_calls_total', { server: 'a', tool: 'slow', outcome: 'cancelled' }) === 1;
      },
      { timeout: 5000, what: 'the cancelled call in /metrics' },
    );
    const v = (name: string, labels: Record<string, string> = {}) => sampleValue(samples, name, labels);
    expect(v('onemcp_tool_calls_total', { server: 'a', tool: 'echo', outcome: 'ok' })).toBe(3);
    expect(v('onemcp_tool_calls_total', { server: 'a', tool: 'test_error_handling', outcome: 'tool-error' })).toBe(1);
    expect(v('onemcp_tool_calls_total', { server: 'a', tool: 'fail', outcome: 'rpc-error' })).toBe(1);
    expect(v('onemcp_tool_calls_total', { server: 'slowpoke', tool: 'hang', outcome: 'timeout' })).toBe(1);
    expect(v('onemcp_tool_calls_total', { server: 'a', tool: 'slow', outcome: 'cancelled' })).toBe(1);
    // An unknown tool never reaches a backend: no tool series for it, but the request is counted.
    expect(samples.some((s) => s.labels.tool === 'nothing')).toBe(false);
    expect(v('onemcp_requests_total', { method: 'tools/call', outcome: 'ok' })).toBe(3);
    expect(v('onemcp_requests_total', { method: 'tools/call', outcome: 'tool-error' })).toBe(1);
    expect(v('onemcp_requests_total', { method: 'tools/call', outcome: 'rpc-error' })).toBe(2); // fail + unknown tool
    expect(v('onemcp_requests_total', { method: 'tools/call', outcome: 'timeout' })).toBe(1);
    expect(v('onemcp_requests_total', { method: 'tools/call', outcome: 'cancelled' })).toBe(1);
    expect(v('onemcp_requests_total', { method: 'initialize', outcome: 'ok' })).toBe(2);
    expect(v('onemcp_requests_total', { method: 'tools/list', outcome: 'ok' })).toBeGreaterThanOrEqual(1);
    // Histograms: every forwarded tools/call has backend time, and the overhead is counted apart from it.
    expect(v('onemcp_backend_request_duration_seconds_count', { server: 'a', method: 'tools/call' })).toBe(6);
    // The cancelled call's request ends at the client's notice, before its backend time is known: no overhead for it.
    expect(v('onemcp_gateway_overhead_seconds_count', { method: 'tools/call' })).toBe(6);
    expect(v('onemcp_request_duration_seconds_count', { method: 'tools/call' })).toBe(8);
    expect(v('onemcp_request_duration_seconds_bucket', { method: 'tools/call', le: '+Inf' })).toBe(8);
    const overhead = v('onemcp_gateway_overhead_seconds_sum', { method: 'tools/call' })!;
    const total = v('onemcp_request_duration_seconds_sum', { method: 'tools/call' })!;
    expect(overhead).toBeGreaterThan(0);
    expect(overhead).toBeLessThan(total);
    expect(v('onemcp_tool_call_duration_seconds_total', { server: 'slowpoke', tool: 'hang' })).toBeGreaterThanOrEqual(0.25);
    // Sessions by transport and app; backends; catalog sizes as the servers report them.
    expect(v('onemcp_sessions_open', { transport: 'streamable-http', era: 'legacy', app: 'metrics-test' })).toBe(1);
    expect(v('onemcp_sessions_open', { transport: 'sse', era: 'legacy', app: 'old-client' })).toBe(1);
    expect(v('onemcp_backend_state', { server: 'a', state: 'connected' })).toBe(1);
    expect(v('onemcp_backend_state', { server: 'a', state: 'error' })).toBe(0);
    expect(v('onemcp_catalog_items', { server: 'a', kind: 'tools' })).toBe(tools.length);
    expect(v('onemcp_catalog_items', { server: 'a', kind: 'prompts' })).toBeGreaterThanOrEqual(1);
    expect(v('onemcp_backend_stderr_lines_total', { server: 'a' })).toBeGreaterThanOrEqual(0);

    scraped = text;
  });

  if (!HAS_PROMTOOL) console.warn(NO_PROMTOOL);
  test.skipIf(!HAS_PROMTOOL)('promtool check metrics accepts that scrape (lint included)', () => {
    expect(scraped).toContain('onemcp_tool_calls_total');
    const checked = promtoolCheck(scraped)!;
    expect({ status: checked.status, output: checked.output }).toEqual({ status: 0, output: '' });
  });

  test('a backend that crashes is restarted once and counted once; search-mode queries are counted', async () => {
    const client = await connectHttp(serve.url);
    clients.push(client);
    await client.callTool({ name: 'crashy_1mcp_crash', arguments: {} }).catch(() => {});
    await waitFor(
      async () => {
        const { samples } = await scrape(serve);
        return sampleValue(samples, 'onemcp_backend_restarts_total', { server: 'crashy' }) === 1 && sampleValue(samples, 'onemcp_backend_state', { server: 'crashy', state: 'connected' }) === 1;
      },
      { timeout: 10_000, what: 'crashy restarted and connected again' },
    );
    const { samples } = await scrape(serve);
    expect(sampleValue(samples, 'onemcp_backend_restarts_total', { server: 'a' })).toBe(0);
    expect(sampleValue(samples, 'onemcp_tool_calls_total', { server: 'crashy', tool: 'crash', outcome: 'rpc-error' })).toBe(1);

    const searching = await connectHttp(`${serve.url}?discovery=search`);
    clients.push(searching);
    const before = sampleValue((await scrape(serve)).samples, 'onemcp_search_queries_total')!;
    await searching.callTool({ name: '1mcp_search_tools', arguments: { query: 'echo text back' } });
    expect(sampleValue((await scrape(serve)).samples, 'onemcp_search_queries_total')).toBe(before + 1);
  });

  test('same guard as /api: a foreign Host or Origin gets 403; POST is refused', async () => {
    const port = serve.port;
    const raw = await import('node:http');
    const status = (headers: Record<string, string>, method = 'GET') =>
      new Promise<number>((resolve, reject) => {
        const req = raw.request({ host: '127.0.0.1', port, path: '/metrics', method, headers }, (res) => {
          res.resume();
          resolve(res.statusCode!);
        });
        req.on('error', reject);
        req.end();
      });
    expect(await status({ host: `evil.example.com:${port}` })).toBe(403);
    expect(await status({ host: `127.0.0.1:${port}`, origin: 'http://evil.example.com' })).toBe(403);
    expect(await status({ host: `127.0.0.1:${port}` })).toBe(200);
    expect(await status({ host: `127.0.0.1:${port}` }, 'POST')).toBe(405);
  });
});

describe('GET /metrics with --enable-auth', () => {
  let serve: ServeHandle;
  beforeAll(async () => {
    serve = await startServe({ mcpServers: { files: fixtureEntry(['--name', 'files'], { tags: ['files'] }) } }, { args: ['--enable-auth'] });
  });
  afterAll(async () => {
    await serve.stop();
  });

  test('no token 401, an unrestricted token 200, a tag-limited token 403 with the reason', async () => {
    const create = async (...args: string[]) => {
      const r = await runCli(['auth', 'token', 'create', ...args, '--config-dir', serve.dir]);
      expect(r.code).toBe(0);
      return r.stdout.trim();
    };
    const full = await create('--name', 'prometheus');
    const limited = await create('--name', 'files-only', '--tags', 'files');
    expect((await fetch(`${serve.origin}/metrics`)).status).toBe(401);
    expect((await fetch(`${serve.origin}/metrics`, { headers: { authorization: 'Bearer 1mcp_wrong_token_value' } })).status).toBe(401);
    const { samples } = await scrape(serve, { authorization: `Bearer ${full}` });
    expect(sampleValue(samples, 'onemcp_backend_state', { server: 'files', state: 'connected' })).toBe(1);
    const refused = await fetch(`${serve.origin}/metrics`, { headers: { authorization: `Bearer ${limited}` } });
    expect(refused.status).toBe(403);
    expect((await refused.json()).error).toContain('token "files-only" is limited to tags (files) and /metrics covers every server');
  });
});
