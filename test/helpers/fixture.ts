/**
 * Where the fixture MCP server (test/fixtures/mcp-server.ts) lives and how to run it:
 *   fixtureCommand(flags)            { command, args } for a stdio client or an mcp.json entry
 *   fixtureEntry(flags, extra)       the same as an mcp.json server entry, plus extra keys (tags, …)
 *   startHttpFixture('http', flags)  a running Streamable HTTP fixture (url ends in /mcp)
 *   startHttpFixture('sse', flags)   a running legacy SSE fixture (url ends in /sse)
 *   startHttpFixture(['--sse', '0', …]) the same, transport and port taken from the flags
 * HTTP fixtures are spawned with spawnTracked, so assertNoSurvivors() covers them.
 */
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { BUN_BIN, ROOT } from './cli.ts';
import { killTree, readLine, spawnTracked, waitForExit } from './processes.ts';

export const FIXTURE = join(ROOT, 'test', 'fixtures', 'mcp-server.ts');
/** The bun that runs the fixture (the repo's dev dependency, not whatever is on PATH). */
export const BUN = BUN_BIN;

export function fixtureCommand(flags: string[] = []): { command: string; args: string[] } {
  return { command: BUN, args: [FIXTURE, ...flags] };
}

/** An mcp.json stdio entry running the fixture with these flags. */
export function fixtureEntry(flags: string[] = [], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...fixtureCommand(flags), ...extra };
}

export interface HttpFixture {
  url: string;
  port: number;
  child: ChildProcess;
  /** Everything the fixture wrote to stderr so far (last 64 KiB). */
  stderr(): string;
  /** SIGKILL the fixture and wait for it to exit. */
  stop(): Promise<void>;
}

/** Start the fixture as a Streamable HTTP or legacy SSE server; port 0 (the default) picks a free one. */
export function startHttpFixture(kind: 'http' | 'sse', flags?: string[], port?: number): Promise<HttpFixture>;
export function startHttpFixture(flags: string[]): Promise<HttpFixture>;
export async function startHttpFixture(kindOrFlags: 'http' | 'sse' | string[], flags: string[] = [], port = 0): Promise<HttpFixture> {
  const kind = Array.isArray(kindOrFlags) ? (kindOrFlags.includes('--sse') ? 'sse' : 'http') : kindOrFlags;
  const args = Array.isArray(kindOrFlags) ? [...kindOrFlags] : [`--${kind}`, String(port), ...flags];
  if (!args.includes(`--${kind}`)) args.unshift(`--${kind}`, '0');

  const command = fixtureCommand(args);
  const child = spawnTracked(command.command, command.args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr = (stderr + d).slice(-65536))); // always drained: --stderr-flood must not block
  try {
    const [, listening] = await readLine(child.stdout!, /^LISTENING (\d+)$/);
    const p = Number(listening);
    child.stdout!.resume();
    return {
      port: p,
      url: `http://127.0.0.1:${p}/${kind === 'http' ? 'mcp' : 'sse'}`,
      child,
      stderr: () => stderr,
      async stop() {
        killTree(child.pid!);
        await waitForExit(child);
      },
    };
  } catch (error) {
    killTree(child.pid!);
    throw new Error(`fixture ${args.join(' ')} did not start: ${(error as Error).message}\n${stderr}`);
  }
}
