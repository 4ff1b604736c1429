/**
 * The official MCP conformance suite (server scenarios) against `serve` fronting a fixture backend
 * that implements the suite's fixed names, exposed bare (prefix "").
 */
import { expect, test } from 'bun:test';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { BUN_BIN, ROOT } from '../helpers/cli.ts';
import { fixtureEntry } from '../helpers/fixture.ts';
import { e2eMode } from '../helpers/mode.ts';
import { startServe } from '../helpers/serve.ts';

const SUITE = join(ROOT, 'node_modules', '@modelcontextprotocol', 'conformance', 'dist', 'index.js');

test('every active server scenario passes (or is listed in conformance.yaml with a reason)', async () => {
  const serve = await startServe({ mcpServers: { conformance: fixtureEntry(['--name', 'conformance', '--conformance'], { prefix: '' }) } }, { mode: e2eMode() });
  try {
    // The suite imports fs.globSync (Node 22+); bun runs it on a Node 20 machine. The legacy era's scenarios
    // (2025-11-25, sessions); the 2026-07-28 requirements run in conformance-modern.test.ts.
    const child = spawn(BUN_BIN, [SUITE, 'server', '--url', serve.url, '--spec-version', '2025-11-25', '--expected-failures', join(import.meta.dir, 'conformance.yaml')], { cwd: ROOT });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const code = await new Promise<number>((r) => child.on('exit', (c) => r(c ?? 1)));
    const total = /Total: (\d+) passed, (\d+) failed/.exec(out);
    if (total) console.log(`conformance --spec-version 2025-11-25: ${total[1]} passed, ${total[2]} failed`);
    if (!total || code !== 0) console.log(out.split('=== SUMMARY ===').at(-1));
    expect(total).not.toBeNull();
    expect(Number(total![1])).toBeGreaterThanOrEqual(30);
    expect(Number(total![2])).toBe(0);
    expect(code).toBe(0);
  } finally {
    await serve.stop();
  }
}, 120_000);
