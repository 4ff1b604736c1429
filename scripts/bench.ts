/**
 * npm run bench — performance of the compiled binary next to a direct connection (docs/design.md, issue targets).
 *   bun scripts/bench.ts [--binary dist/1mcp] [--calls 2000] [--soak <seconds>]
 * Starts `serve` with 5 stdio fixture backends of 20 tools each, measures, prints one table.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dir, '..');
const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : fallback;
};
const BINARY = join(root, arg('binary', 'dist/1mcp'));
const CALLS = Number(arg('calls', '2000'));
const SOAK = process.argv.includes('--soak') ? Number(arg('soak', '60')) : 0;
const BUN = join(root, 'node_modules', '.bin', 'bun');
const FIXTURE = join(root, 'test', 'fixtures', 'mcp-server.ts');
// The fixture has 16 tools of its own; 4 generated ones make 20.
const fixtureArgs = (name: string, extraTools = 4) => [FIXTURE, '--name', name, '--tools', String(extraTools)];

if (!existsSync(BINARY)) {
  console.error(`${BINARY} not found: run "npm run build" first`);
  process.exit(1);
}

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const ms = (x: number) => `${x.toFixed(x < 10 ? 2 : 0)} ms`;

async function timeCalls(client: Client, name: string, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await client.callTool({ name, arguments: { a: i, b: 1 } });
    out.push(performance.now() - t);
  }
  return out;
}

async function startServe(dir: string, servers: Record<string, unknown>) {
  writeFileSync(join(dir, 'mcp.json'), JSON.stringify({ mcpServers: servers }));
  const t0 = performance.now();
  const child = spawn(BINARY, ['serve', '--port', '0', '--config-dir', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr!.resume();
  let url = '';
  for (;;) {
    try {
      const pid = JSON.parse(readFileSync(join(dir, 'server.pid'), 'utf8'));
      if (pid.pid === child.pid) {
        url = pid.url;
        break;
      }
    } catch {}
    await Bun.sleep(1);
  }
  const origin = new URL(url).origin;
  for (;;) {
    const r = await fetch(`${origin}/health`).catch(() => undefined);
    if (r?.status === 200 || r?.status === 503) break;
    await Bun.sleep(1);
  }
  const healthMs = performance.now() - t0;
  return { child, url, origin, healthMs, t0 };
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

async function httpClient(url: string) {
  const c = new Client({ name: 'bench', version: '1' });
  await c.connect(new StreamableHTTPClientTransport(new URL(url)));
  return c;
}

/** A bare Streamable HTTP session: initialize, then POST tools/call and read the whole answer. */
async function rawSession(url: string): Promise<(tool: string | 'tools/list') => Promise<void>> {
  const base = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
  const init = await fetch(url, { method: 'POST', headers: base, body: JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bench', version: '1' } } }) });
  const headers = { ...base, 'mcp-session-id': init.headers.get('mcp-session-id')!, 'mcp-protocol-version': '2025-06-18' };
  await init.text();
  await (await fetch(url, { method: 'POST', headers, body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) })).text();
  let id = 1;
  return async (tool) => {
    const message = tool === 'tools/list' ? { method: 'tools/list', params: {} } : { method: 'tools/call', params: { name: tool, arguments: { a: 1, b: 2 } } };
    const r = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ jsonrpc: '2.0', id: id++, ...message }) });
    const text = await r.text();
    if (!text.includes('"result"')) throw new Error(`call failed: ${text.slice(0, 200)}`);
  };
}

const rows: [string, string, string][] = [];
const dir = mkdtempSync(join(tmpdir(), '1mcp-bench-'));
try {
  // Direct: one fixture over stdio.
  const direct = new Client({ name: 'bench', version: '1' });
  await direct.connect(new StdioClientTransport({ command: BUN, args: fixtureArgs('direct') }));
  await timeCalls(direct, 'add', 200);
  const directCalls = await timeCalls(direct, 'add', CALLS);
  const directList: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t = performance.now();
    await direct.listTools();
    directList.push(performance.now() - t);
  }

  // Through serve: 5 backends × 20 tools.
  const servers = Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`b${i}`, { command: BUN, args: fixtureArgs(`b${i}`) }]));
  const serve = await startServe(dir, servers);
  const client = await httpClient(serve.url);
  let listed = 0;
  while (listed < 100) {
    listed = (await client.listTools()).tools.length;
    if (listed < 100) await Bun.sleep(5);
  }
  const allListedMs = performance.now() - serve.t0;
  const listTimes: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t = performance.now();
    await client.listTools();
    listTimes.push(performance.now() - t);
  }
  await timeCalls(client, 'b0_1mcp_add', 200);
  const serveCalls = await timeCalls(client, 'b0_1mcp_add', CALLS);

  // 16 concurrent sessions, driven by a minimal HTTP client so the figure measures serve, not the
  // SDK client sharing the same two cores.
  const sessions = await Promise.all(Array.from({ length: 16 }, () => rawSession(serve.url)));
  const perSession = Math.max(50, Math.floor(CALLS / 4));
  const t0 = performance.now();
  await Promise.all(sessions.map(async (call, i) => {
    for (let k = 0; k < perSession; k++) await call(`b${i % 5}_1mcp_add`);
  }));
  const throughput = (16 * perSession) / ((performance.now() - t0) / 1000);

  // Proxy: spawn → initialize → tools/list, 20 times; then proxied calls.
  const proxyStart: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t = performance.now();
    const c = new Client({ name: 'bench', version: '1' });
    await c.connect(new StdioClientTransport({ command: BINARY, args: ['proxy', '--url', serve.url] }));
    await c.listTools();
    proxyStart.push(performance.now() - t);
    await c.close();
  }
  const proxied = new Client({ name: 'bench', version: '1' });
  await proxied.connect(new StdioClientTransport({ command: BINARY, args: ['proxy', '--url', serve.url] }));
  await timeCalls(proxied, 'b0_1mcp_add', 200);
  const proxiedCalls = await timeCalls(proxied, 'b0_1mcp_add', CALLS);
  await proxied.close();
  await client.close();
  const rss = rssMb(serve.child.pid!);
  serve.child.kill('SIGTERM');
  await new Promise((r) => serve.child.once('exit', r));

  // 500 tools: 5 backends × 100.
  const bigDir = mkdtempSync(join(tmpdir(), '1mcp-bench-big-'));
  const big = await startServe(bigDir, Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`big${i}`, { command: BUN, args: fixtureArgs(`big${i}`, 84) }])));
  const bigClient = await httpClient(big.url);
  while ((await bigClient.listTools()).tools.length < 500) await Bun.sleep(5);
  await bigClient.close();
  // Raw HTTP again: the SDK client's schema validation of 500 definitions is client cost, not serve's.
  const rawList = await rawSession(big.url);
  const bigList: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t = performance.now();
    await rawList('tools/list');
    bigList.push(performance.now() - t);
  }
  big.child.kill('SIGTERM');
  await new Promise((r) => big.child.once('exit', r));
  rmSync(bigDir, { recursive: true, force: true });
  await direct.close();

  rows.push(
    ['serve: /health answers after start', ms(serve.healthMs), '-'],
    ['serve: all 100 tools listed after start', ms(allListedMs), '-'],
    ['tools/list p50 (100 tools / direct 20)', ms(percentile(listTimes, 50)), ms(percentile(directList, 50))],
    ['tools/list p50, 500 tools', ms(percentile(bigList, 50)), '-'],
    ['tools/call p50 (sequential)', ms(percentile(serveCalls, 50)), ms(percentile(directCalls, 50))],
    ['tools/call p99 (sequential)', ms(percentile(serveCalls, 99)), ms(percentile(directCalls, 99))],
    ['tools/call, 16 sessions', `${Math.round(throughput)} calls/s`, '-'],
    ['proxy: spawn → initialize → tools/list p50', ms(percentile(proxyStart, 50)), '-'],
    ['proxy: tools/call p50', ms(percentile(proxiedCalls, 50)), ms(percentile(directCalls, 50))],
    ['serve RSS after the run', `${rss.toFixed(0)} MB`, '-'],
  );
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length), 'through 1mcp'.length);
  console.log(`${'measure'.padEnd(w0)}  ${'through 1mcp'.padEnd(w1)}  direct (1 fixture over stdio)`);
  for (const [a, b, c] of rows) console.log(`${a.padEnd(w0)}  ${b.padEnd(w1)}  ${c}`);

  if (SOAK > 0) await soak(dir, servers, SOAK);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

/** Steady load for `seconds`: RSS and p99 per 10 s window. */
async function soak(dir: string, servers: Record<string, unknown>, seconds: number) {
  const serve = await startServe(dir, servers);
  const clients = await Promise.all(Array.from({ length: 8 }, () => httpClient(serve.url)));
  const rssStart = rssMb(serve.child.pid!);
  let peak = rssStart;
  console.log(`\nsoak ${seconds}s, 8 sessions: RSS at start ${rssStart.toFixed(0)} MB`);
  const end = Date.now() + seconds * 1000;
  while (Date.now() < end) {
    const windowEnd = Math.min(end, Date.now() + 10_000);
    const times: number[] = [];
    await Promise.all(
      clients.map(async (c, i) => {
        while (Date.now() < windowEnd) {
          const t = performance.now();
          await c.callTool({ name: `b${i % 5}_1mcp_add`, arguments: { a: 1, b: 2 } });
          times.push(performance.now() - t);
        }
      }),
    );
    const rss = rssMb(serve.child.pid!);
    peak = Math.max(peak, rss);
    console.log(`  window: ${times.length} calls, p99 ${ms(percentile(times, 99))}, RSS ${rss.toFixed(0)} MB`);
  }
  for (const c of clients) await c.close();
  console.log(`RSS start ${rssStart.toFixed(0)} MB, peak ${peak.toFixed(0)} MB, end ${rssMb(serve.child.pid!).toFixed(0)} MB`);
  serve.child.kill('SIGTERM');
  await new Promise((r) => serve.child.once('exit', r));
}
