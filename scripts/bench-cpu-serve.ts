/**
 * What the CPU benchmarks share (bench-cpu.ts, bench-cpu-ab.ts): serve's CPU time from /proc, a config dir with
 * one fixture backend, and a caller that opens a legacy session and calls its tool in either era.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ROOT = join(import.meta.dir, '..');
export const BUN = join(ROOT, 'node_modules', '.bin', 'bun');
const FIXTURE = join(ROOT, 'test', 'fixtures', 'mcp-server.ts');
const TICK_US = 1e6 / 100; // USER_HZ is 100 on Linux

/** User and system CPU time of a process so far, in µs. */
export function cpuUs(pid: number): { user: number; sys: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { user: Number(fields[11]) * TICK_US, sys: Number(fields[12]) * TICK_US }; // utime, stime
}

/** A temporary config dir whose mcp.json has one fixture backend, b0. */
export function benchConfigDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  writeFileSync(join(dir, 'mcp.json'), JSON.stringify({ mcpServers: { b0: { command: BUN, args: [FIXTURE, '--name', 'b0'] } } }));
  return dir;
}

/**
 * Wait for the serve started as `pid` on `dir`, open a legacy session, wait until b0's tools are listed, and
 * return `call(modern)`: one tools/call of b0's add tool, in a legacy session or as a stateless 2026-07-28 request.
 */
export async function serveCaller(dir: string, pid: number | undefined, clientName: string): Promise<(modern: boolean) => Promise<void>> {
  let url = '';
  while (!url) {
    try {
      const file = JSON.parse(readFileSync(join(dir, 'server.pid'), 'utf8'));
      if (file.pid === pid) url = file.url;
    } catch {}
    await Bun.sleep(20);
  }
  const base = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
  const init = await fetch(url, { method: 'POST', headers: base, body: JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: clientName, version: '1' } } }) });
  const legacyHeaders = { ...base, 'mcp-session-id': init.headers.get('mcp-session-id')!, 'mcp-protocol-version': '2025-06-18' };
  await init.text();
  await (await fetch(url, { method: 'POST', headers: legacyHeaders, body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) })).text();
  const modernHeaders = { ...base, 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': 'b0_1mcp_add' };
  const meta = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': {}, 'io.modelcontextprotocol/clientInfo': { name: clientName, version: '1' } };
  let id = 1;
  const call = async (modern: boolean) => {
    const params = { name: 'b0_1mcp_add', arguments: { a: 1, b: 2 }, ...(modern ? { _meta: meta } : {}) };
    const r = await fetch(url, { method: 'POST', headers: modern ? modernHeaders : legacyHeaders, body: JSON.stringify({ jsonrpc: '2.0', id: id++, method: 'tools/call', params }) });
    const text = await r.text();
    if (!text.includes('"result"') || text.includes('isError":true')) throw new Error(`call failed: ${text.slice(0, 300)}`);
  };
  // Until the backend's tools are listed.
  for (;;) {
    try {
      await call(false);
      return call;
    } catch {
      await Bun.sleep(50);
    }
  }
}
