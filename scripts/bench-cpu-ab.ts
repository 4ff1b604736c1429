/**
 * A/B of serve's CPU per tools/call: two serve commands side by side, legacy and modern calls alternated
 * in batches of 200 so both see the same background load (on a shared machine, two runs one after the
 * other differ by ±30 %). A command is a binary, or a script that execs one (e.g. `bun <tree>/src/main.ts`).
 *   bun scripts/bench-cpu-ab.ts <command A> <command B> [rounds=20]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
const [binA, binB] = [process.argv[2], process.argv[3]];
if (!binA || !binB) {
  console.error('usage: bun scripts/bench-cpu-ab.ts <serve command A> <serve command B> [rounds]');
  process.exit(2);
}
const ROUNDS = Number(process.argv[4] ?? 20);
const BATCH = 200;
const root = join(import.meta.dir, '..');
const BUN = join(root, 'node_modules', '.bin', 'bun');
const FIXTURE = join(root, 'test', 'fixtures', 'mcp-server.ts');

/** utime + stime of a process so far, in µs (USER_HZ 100). */
function cpu(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 1e4;
}

/** Start serve with one fixture backend, open a legacy session, warm up both eras. */
async function start(bin: string) {
  const dir = mkdtempSync(join(tmpdir(), '1mcp-ab-'));
  writeFileSync(join(dir, 'mcp.json'), JSON.stringify({ mcpServers: { b0: { command: BUN, args: [FIXTURE, '--name', 'b0'] } } }));
  const child = spawn(bin, ['serve', '--port', '0', '--config-dir', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr!.resume();
  let url = '';
  while (!url) {
    try {
      const pid = JSON.parse(readFileSync(join(dir, 'server.pid'), 'utf8'));
      if (pid.pid === child.pid) url = pid.url;
    } catch {}
    await Bun.sleep(20);
  }
  const base = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
  const init = await fetch(url, { method: 'POST', headers: base, body: JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'ab', version: '1' } } }) });
  const lh = { ...base, 'mcp-session-id': init.headers.get('mcp-session-id')!, 'mcp-protocol-version': '2025-06-18' };
  await init.text();
  await (await fetch(url, { method: 'POST', headers: lh, body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) })).text();
  const mh = { ...base, 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': 'b0_1mcp_add' };
  const meta = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': {}, 'io.modelcontextprotocol/clientInfo': { name: 'ab', version: '1' } };
  let id = 1;
  const call = async (modern: boolean) => {
    const params = { name: 'b0_1mcp_add', arguments: { a: 1, b: 2 }, ...(modern ? { _meta: meta } : {}) };
    const r = await fetch(url, { method: 'POST', headers: modern ? mh : lh, body: JSON.stringify({ jsonrpc: '2.0', id: id++, method: 'tools/call', params }) });
    const text = await r.text();
    if (!text.includes('"result"')) throw new Error(`call failed: ${text.slice(0, 200)}`);
  };
  // Until the backend's tools are listed; then warm up both paths.
  for (;;) {
    try {
      await call(false);
      break;
    } catch {
      await Bun.sleep(50);
    }
  }
  for (let i = 0; i < 300; i++) {
    await call(false);
    await call(true);
  }
  return { child, dir, call, cpu: { legacy: 0, modern: 0 } };
}
const a = await start(binA), b = await start(binB);
try {
  for (let r = 0; r < ROUNDS; r++) {
    for (const modern of [false, true]) {
      // Who goes first alternates too.
      for (const s of r % 2 ? [a, b] : [b, a]) {
        const c0 = cpu(s.child.pid!);
        for (let i = 0; i < BATCH; i++) await s.call(modern);
        s.cpu[modern ? 'modern' : 'legacy'] += cpu(s.child.pid!) - c0;
      }
    }
  }
  const n = ROUNDS * BATCH;
  for (const [name, s] of [['A', a], ['B', b]] as const) console.log(`${name}: legacy ${(s.cpu.legacy / n).toFixed(0)} µs/call, modern ${(s.cpu.modern / n).toFixed(0)} µs/call (${n} calls each)`);
} finally {
  for (const s of [a, b]) {
    s.child.kill('SIGTERM');
    await new Promise((r) => s.child.once('exit', r));
    rmSync(s.dir, { recursive: true, force: true });
  }
}
