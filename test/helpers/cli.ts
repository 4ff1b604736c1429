/**
 * Run the 1mcp CLI as a real process. ONE_MCP_CLI selects what runs it:
 *   unset / "source"  → bun src/main.ts
 *   "node"            → node dist/npm/1mcp.js (the npm bundle; build first)
 *   "binary"          → dist/1mcp (the compiled executable; build first)
 */
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { assertNoSurvivors } from './processes.ts';
import { makeTempDir } from './tmp.ts';

export const ROOT = join(import.meta.dir, '..', '..');
export const BUN_BIN = join(ROOT, 'node_modules', '.bin', 'bun');

export type CliMode = 'source' | 'node' | 'binary';

export function cliCommand(mode: CliMode = (process.env.ONE_MCP_CLI as CliMode) || 'source'): string[] {
  if (mode === 'node') return ['node', join(ROOT, 'dist', 'npm', '1mcp.js')];
  if (mode === 'binary') return [join(ROOT, 'dist', '1mcp')];
  return [BUN_BIN, join(ROOT, 'src', 'main.ts')];
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], options: { env?: Record<string, string | undefined>; cwd?: string; input?: string; mode?: CliMode } = {}): Promise<CliResult> {
  const [cmd, ...pre] = cliCommand(options.mode);
  return new Promise((resolve, reject) => {
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries({ ...process.env, NO_COLOR: '1', ...options.env })) if (v !== undefined) env[k] = v;
    const child = spawn(cmd!, [...pre, ...args], { cwd: options.cwd ?? ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

/**
 * A temp config dir whose mcp.json holds `mcpServers`, for tests of `1mcp start | stop`: `cli` runs the CLI
 * on it. `cleanup` (for afterEach) stops a serve that a failed test left running, then asserts that nothing
 * the test started survives, and removes the dir.
 */
export function startConfigDir(prefix: string, mcpServers: Record<string, unknown>) {
  const tmp = makeTempDir(prefix);
  const dir = tmp.path;
  writeFileSync(join(dir, 'mcp.json'), JSON.stringify({ mcpServers }));
  const cli = (...args: string[]) => runCli([...args, '--config-dir', dir]);
  return {
    dir,
    cli,
    async cleanup(): Promise<void> {
      if (existsSync(join(dir, 'server.pid'))) await cli('stop', '--timeout', '2');
      try {
        await assertNoSurvivors();
      } finally {
        tmp.cleanup();
      }
    },
  };
}
