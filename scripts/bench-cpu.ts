/**
 * CPU time of serve per tools/call (Linux /proc), legacy session and modern stateless request.
 * Wall-clock is noisy on a shared machine; serve's own utime+stime over N calls is not.
 *   bun scripts/bench-cpu.ts [--calls 4000] [--binary dist/1mcp] [--prof <dir>] [--only legacy|modern]
 * Without --binary serve runs from source under Bun; --prof passes `--cpu-prof --cpu-prof-dir <dir>` (source mode).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dir, '..');
const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : fallback;
};
const CALLS = Number(arg('calls', '4000'));
const BINARY = arg('binary', '');
const PROF = arg('prof', '');
const ONLY = arg('only', '');
const BUN = join(root, 'node_modules', '.bin', 'bun');
const FIXTURE = join(root, 'test', 'fixtures', 'mcp-server.ts');
const TICK_US = 1e6 / 100; // USER_HZ is 100 on Linux

/** User and system CPU time of a process so far, in µs. */
function cpuUs(pid: number): { user: number; sys: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { user: Number(fields[11]) * TICK_US, sys: Number(fields[12]) * TICK_US }; // utime, stime
}

const dir = mkdtempSync(join(tmpdir(), '1mcp-bench-cpu-'));
writeFileSync(join(dir, 'mcp.json'), JSON.stringify({ mcpServers: { b0: { command: BUN, args: [FIXTURE, '--name', 'b0'] } } }));
const cmd = BINARY ? join(root, BINARY) : BUN;
const args = [...(BINARY ? [] : [...(PROF ? ['--cpu-prof', '--cpu-prof-dir', PROF] : []), join(root, 'src', 'main.ts')]), 'serve', '--port', '0', '--config-dir', dir];
const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
child.stderr!.resume();
try {
  let url = '';
  while (!url) {
    try {
      const pid = JSON.parse(readFileSync(join(dir, 'server.pid'), 'utf8'));
      if (pid.pid === child.pid) url = pid.url;
    } catch {}
    await Bun.sleep(20);
  }
  const base = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
  const init = await fetch(url, { method: 'POST', headers: base, body: JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bench', version: '1' } } }) });
  const legacyHeaders = { ...base, 'mcp-session-id': init.headers.get('mcp-session-id')!, 'mcp-protocol-version': '2025-06-18' };
  await init.text();
  await (await fetch(url, { method: 'POST', headers: legacyHeaders, body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) })).text();
  const modernHeaders = { ...base, 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': 'b0_1mcp_add' };
  const meta = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': {}, 'io.modelcontextprotocol/clientInfo': { name: 'bench', version: '1' } };

  let id = 1;
  const call = async (modern: boolean) => {
    const params = { name: 'b0_1mcp_add', arguments: { a: 1, b: 2 }, ...(modern ? { _meta: meta } : {}) };
    const r = await fetch(url, { method: 'POST', headers: modern ? modernHeaders : legacyHeaders, body: JSON.stringify({ jsonrpc: '2.0', id: id++, method: 'tools/call', params }) });
    const text = await r.text();
    if (!text.includes('"result"') || text.includes('isError":true')) throw new Error(`call failed: ${text.slice(0, 300)}`);
  };
  // Wait until the backend's tools are listed, then warm up both paths.
  for (;;) {
    try {
      await call(false);
      break;
    } catch {
      await Bun.sleep(50);
    }
  }
  for (let i = 0; i < 500; i++) await call(false);
  for (let i = 0; i < 500; i++) await call(true);

  for (const modern of [false, true]) {
    if (ONLY && ONLY !== (modern ? 'modern' : 'legacy')) continue;
    const c0 = cpuUs(child.pid!);
    const t0 = performance.now();
    for (let i = 0; i < CALLS; i++) await call(modern);
    const wall = (performance.now() - t0) / CALLS;
    const c1 = cpuUs(child.pid!);
    const user = (c1.user - c0.user) / CALLS;
    const sys = (c1.sys - c0.sys) / CALLS;
    console.log(`${modern ? 'modern' : 'legacy'}: serve CPU ${(user + sys).toFixed(0)} µs/call (user ${user.toFixed(0)}, sys ${sys.toFixed(0)}), wall ${(wall * 1000).toFixed(0)} µs/call (${CALLS} calls)`);
  }
} finally {
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  rmSync(dir, { recursive: true, force: true });
}
