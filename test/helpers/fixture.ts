/** Where the fixture MCP server lives and how to run it (stdio entry, or an HTTP/SSE process). */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { BUN_BIN, ROOT } from './cli.ts';

export const FIXTURE = join(ROOT, 'test', 'fixtures', 'mcp-server.ts');

/** An mcp.json stdio entry running the fixture with these flags. */
export function fixtureEntry(flags: string[] = [], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { command: BUN_BIN, args: [FIXTURE, ...flags], ...extra };
}

export interface HttpFixture {
  url: string;
  port: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Start the fixture as a Streamable HTTP (`http`) or legacy SSE (`sse`) server on a free port. */
export function startHttpFixture(kind: 'http' | 'sse', flags: string[] = [], port = 0): Promise<HttpFixture> {
  return new Promise((resolve, reject) => {
    const child = spawn(BUN_BIN, [FIXTURE, `--${kind}`, String(port), ...flags], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const timer = setTimeout(() => reject(new Error(`fixture did not start: ${out}`)), 10_000);
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /LISTENING (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        const p = Number(m[1]);
        resolve({
          port: p,
          url: kind === 'http' ? `http://127.0.0.1:${p}/mcp` : `http://127.0.0.1:${p}/sse`,
          child,
          stop: () =>
            new Promise<void>((r) => {
              if (child.exitCode !== null || child.signalCode !== null) return r();
              child.once('exit', () => r());
              child.kill('SIGKILL');
            }),
        });
      }
    });
    child.stderr!.resume();
    child.once('exit', (code) => reject(new Error(`fixture exited (${code}): ${out}`)));
  });
}
