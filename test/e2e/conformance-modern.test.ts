/**
 * The official MCP conformance suite's 2026-07-28 requirement set (server scenarios) against `serve` fronting
 * the fixture backend in legacy form (prefix ""), so what the gateway does for modern clients is what is
 * tested. Remaining failures are listed, each with its reason, in conformance-modern.yaml. With `--tasks` the
 * fixture runs the tasks-* scenarios' tools as 2025-11-25 tasks, so the tasks extension is served by translation.
 */
import { expect, test } from 'bun:test';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { BUN_BIN, ROOT } from '../helpers/cli.ts';
import { fixtureEntry } from '../helpers/fixture.ts';
import { e2eMode } from '../helpers/mode.ts';
import { startServe } from '../helpers/serve.ts';

const SUITE = join(ROOT, 'node_modules', '@modelcontextprotocol', 'conformance', 'dist', 'index.js');

test('the 2026-07-28 requirements pass, except those listed in conformance-modern.yaml with a reason', async () => {
  const serve = await startServe({ mcpServers: { conformance: fixtureEntry(['--name', 'conformance', '--conformance', '--tasks'], { prefix: '' }) } }, { mode: e2eMode() });
  try {
    // The suite imports fs.globSync (Node 22+); bun runs it on a Node 20 machine.
    const child = spawn(BUN_BIN, [SUITE, 'server', '--url', serve.url, '--requirements', '2026-07-28', '--expected-failures', join(import.meta.dir, 'conformance-modern.yaml')], { cwd: ROOT });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const code = await new Promise<number>((r) => child.on('exit', (c) => r(c ?? 1)));
    const summary = out.split('Total:').at(-1) ?? out;
    // The figures go to the log (CI's too), the whole summary only when something failed.
    console.log(`conformance --requirements 2026-07-28: ${summary.trim().split('\n')[0]}`);
    if (code !== 0) console.log(summary);
    const passed = /^\s*(\d+) passed/.exec(summary);
    expect(passed).not.toBeNull();
    expect(Number(passed![1])).toBeGreaterThanOrEqual(100);
    expect(summary).not.toContain('Unexpected failures');
    expect(summary).not.toContain('Stale');
    expect(code).toBe(0);
  } finally {
    await serve.stop();
  }
}, 300_000);
