/**
 * CPU time of serve per tools/call (Linux /proc), legacy session and modern stateless request.
 * Wall-clock is noisy on a shared machine; serve's own utime+stime over N calls is not.
 *   bun scripts/bench-cpu.ts [--calls 4000] [--binary dist/1mcp] [--prof <dir>] [--only legacy|modern]
 * Without --binary serve runs from source under Bun; --prof passes `--cpu-prof --cpu-prof-dir <dir>` (source mode).
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { benchConfigDir, BUN, cpuUs, ROOT as root, serveCaller } from './bench-cpu-serve.ts';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : fallback;
};
const CALLS = Number(arg('calls', '4000'));
const BINARY = arg('binary', '');
const PROF = arg('prof', '');
const ONLY = arg('only', '');
const dir = benchConfigDir('1mcp-bench-cpu-');
const cmd = BINARY ? join(root, BINARY) : BUN;
const args = [...(BINARY ? [] : [...(PROF ? ['--cpu-prof', '--cpu-prof-dir', PROF] : []), join(root, 'src', 'main.ts')]), 'serve', '--port', '0', '--config-dir', dir];
const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
child.stderr!.resume();
try {
  const call = await serveCaller(dir, child.pid, 'bench');
  // Warm up both paths.
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
