/**
 * A/B of serve's CPU per tools/call: two serve commands side by side, legacy and modern calls alternated
 * in batches of 200 so both see the same background load (on a shared machine, two runs one after the
 * other differ by ±30 %). A command is a binary, or a script that execs one (e.g. `bun <tree>/src/main.ts`).
 *   bun scripts/bench-cpu-ab.ts <command A> <command B> [rounds=20]
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { benchConfigDir, cpuUs, serveCaller } from './bench-cpu-serve.ts';
const [binA, binB] = [process.argv[2], process.argv[3]];
if (!binA || !binB) {
  console.error('usage: bun scripts/bench-cpu-ab.ts <serve command A> <serve command B> [rounds]');
  process.exit(2);
}
const ROUNDS = Number(process.argv[4] ?? 20);
const BATCH = 200;
const cpu = (pid: number) => {
  const { user, sys } = cpuUs(pid);
  return user + sys;
};

/** Start serve with one fixture backend, open a legacy session, warm up both eras. */
async function start(bin: string) {
  const dir = benchConfigDir('1mcp-ab-');
  const child = spawn(bin, ['serve', '--port', '0', '--config-dir', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr!.resume();
  const call = await serveCaller(dir, child.pid, 'ab');
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
