/**
 * Start a real `1mcp serve` process (source, npm bundle or binary — see cli.ts) on a free port with
 * a given mcp.json, wait until it listens, and stop it again, checking that nothing it started survives.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliCommand, type CliMode } from './cli.ts';
import { assertAllGone, descendantsOf, waitFor } from './processes.ts';

export interface ServeHandle {
  dir: string;
  url: string;
  origin: string;
  port: number;
  child: ChildProcess;
  /** Everything serve printed to stderr so far. */
  stderr(): string;
  writeConfig(config: unknown): void;
  /** Backend processes (and their children) right now. */
  descendants(): number[];
  /** SIGTERM, wait for exit, assert no descendant survived; removes the config dir. */
  stop(signal?: NodeJS.Signals): Promise<{ exitMs: number }>;
}

export async function startServe(config: unknown, options: { args?: string[]; mode?: CliMode; env?: Record<string, string>; dir?: string; presets?: unknown; waitReady?: boolean } = {}): Promise<ServeHandle> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), '1mcp-serve-'));
  mkdirSync(dir, { recursive: true });
  const writeConfig = (c: unknown) => writeFileSync(join(dir, 'mcp.json'), JSON.stringify(c, null, 2));
  writeConfig(config);
  if (options.presets) writeFileSync(join(dir, 'presets.json'), JSON.stringify(options.presets, null, 2));
  const [cmd, ...pre] = cliCommand(options.mode);
  const child = spawn(cmd!, [...pre, 'serve', '--port', '0', '--config-dir', dir, '--config-reload-debounce', '50', ...(options.args ?? [])], {
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const pidFile = join(dir, 'server.pid');
  const info = await waitFor(
    () => {
      if (child.exitCode !== null) throw new Error(`serve exited (${child.exitCode}): ${stderr}`);
      try {
        const p = JSON.parse(readFileSync(pidFile, 'utf8'));
        return p.pid === child.pid ? p : undefined;
      } catch {
        return undefined;
      }
    },
    { timeout: 15_000, what: 'serve to write server.pid' },
  );
  if (options.waitReady !== false) {
    await waitFor(async () => (await fetch(new URL('/health/ready', info.url)).catch(() => undefined))?.status === 200, { timeout: 15_000, what: 'serve backends to be ready' });
  }
  const seen = new Set<number>();
  const track = () => {
    for (const pid of descendantsOf(child.pid!)) seen.add(pid);
  };
  const tracker = setInterval(track, 50);
  return {
    dir,
    url: info.url,
    origin: new URL(info.url).origin,
    port: info.port,
    child,
    stderr: () => stderr,
    writeConfig,
    descendants: () => {
      track();
      return descendantsOf(child.pid!);
    },
    async stop(signal = 'SIGTERM') {
      track();
      clearInterval(tracker);
      const started = Date.now();
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill(signal);
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      }
      const exitMs = Date.now() - started;
      try {
        await assertAllGone([child.pid!, ...seen]);
      } finally {
        if (!options.dir) rmSync(dir, { recursive: true, force: true });
      }
      return { exitMs };
    },
  };
}
