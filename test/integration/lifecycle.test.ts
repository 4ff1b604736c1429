/**
 * `1mcp start | status | stop | restart` against real processes: serve detached in its own session,
 * logging to <config>/logs/serve.log; stop returns only when serve and its backends are gone.
 * Runs the CLI through cliCommand, so ONE_MCP_CLI=node checks the npm bundle the same way.
 */
import { afterEach, beforeEach, expect, test } from 'bun:test';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startConfigDir } from '../helpers/cli.ts';
import { BUN, fixtureEntry } from '../helpers/fixture.ts';
import { assertAllGone, descendantsOf, isAlive, readLine, spawnTracked, track, waitFor } from '../helpers/processes.ts';

let home: ReturnType<typeof startConfigDir>;
let dir: string;
const cli = (...args: string[]) => home.cli(...args);
const pidFile = () => JSON.parse(readFileSync(join(dir, 'server.pid'), 'utf8')) as { pid: number; url: string };
const logFile = () => join(dir, 'logs', 'serve.log');

beforeEach(() => {
  home = startConfigDir('1mcp-lifecycle-h-', { alpha: fixtureEntry(['--name', 'alpha']) });
  dir = home.dir;
});

afterEach(() => home.cleanup());

/** Session and process group of a pid (Linux /proc). */
function sessionOf(pid: number): { pgrp: number; session: number } {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { pgrp: Number(fields[2]), session: Number(fields[3]) };
}

async function start(...args: string[]): Promise<{ url: string; pid: number }> {
  const result = await cli('start', '--port', '0', ...args);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  const m = /^1mcp serve is running at (http:\/\/127\.0\.0\.1:\d+\/mcp) \(pid (\d+)\); log: (.+)$/m.exec(result.stdout);
  expect(m).not.toBeNull();
  const pid = Number(m![2]);
  track(pid);
  expect(m![3]).toBe(logFile());
  return { url: m![1]!, pid };
}

test('start returns once serve answers, detached in its own session; status, a second start, stop with its backends', async () => {
  const { url, pid } = await start();
  // What start printed is what serve wrote, and it answers right away.
  expect(pidFile()).toMatchObject({ pid, url });
  expect([200, 503]).toContain((await fetch(new URL('/health', url))).status);
  expect((await fetch(new URL('/health/live', url))).status).toBe(200);
  // Its own session and group (setsid): the terminal's SIGHUP and Ctrl-C do not reach it.
  expect(sessionOf(pid)).toEqual({ pgrp: pid, session: pid });
  // The log: owner-only, in an owner-only folder, with serve's banner.
  expect(statSync(logFile()).mode & 0o777).toBe(0o600);
  expect(statSync(join(dir, 'logs')).mode & 0o777).toBe(0o700);
  expect(readFileSync(logFile(), 'utf8')).toContain(`serving ${url}`);

  const again = await cli('start', '--port', '0');
  expect(again.code).toBe(0);
  expect(again.stdout).toBe(`1mcp serve is already running at ${url} (pid ${pid})\n`);
  expect(again.stderr).toContain('Flags not applied');
  expect(pidFile().pid).toBe(pid);

  const status = await waitFor(
    async () => {
      const r = await cli('status');
      return r.code === 0 && r.stdout.includes('1/1 ready') ? r : undefined;
    },
    { timeout: 15_000, what: 'status to show 1/1 ready' },
  );
  expect(status.stdout).toContain(`url      ${url}`);
  expect(status.stdout).toContain(`pid      ${pid}`);
  expect(status.stdout).toMatch(/uptime {3}\d+s/);
  const json = JSON.parse((await cli('status', '--json')).stdout);
  expect(json).toMatchObject({ running: true, url, pid, servers: { total: 1, connected: 1 }, configDir: dir, log: logFile() });

  const backends = descendantsOf(pid);
  expect(backends.length).toBeGreaterThan(0);
  const stopped = await cli('stop');
  expect(stopped).toMatchObject({ code: 0, stdout: `1mcp serve stopped (pid ${pid})\n` });
  // Gone when stop returns: no grace period.
  await assertAllGone([pid, ...backends], 0);
  expect(existsSync(join(dir, 'server.pid'))).toBe(false);

  const after = await cli('status');
  expect(after.code).toBe(3);
  expect(after.stdout).toContain('not running');
  expect(JSON.parse((await cli('status', '--json')).stdout)).toEqual({ running: false, configDir: dir });
  expect(await cli('stop')).toMatchObject({ code: 0, stdout: `1mcp serve was not running (config ${dir})\n` });
}, 60_000);

test('stop also waits for a backend that is still connecting (serve does not list its pid yet)', async () => {
  writeFileSync(join(dir, 'mcp.json'), JSON.stringify({ mcpServers: { stuck: fixtureEntry(['--name', 'stuck', '--hang-initialize']) } }));
  const { pid } = await start();
  const backends = await waitFor(() => (descendantsOf(pid).length > 0 ? descendantsOf(pid) : undefined), { what: 'the backend to be spawned' });
  expect((await cli('stop')).code).toBe(0);
  await assertAllGone([pid, ...backends], 0);
}, 60_000);

test('restart brings serve back with the flags it was started with, or with the ones given', async () => {
  const first = await start('--health-info-level', 'basic');
  const restarted = await cli('restart');
  expect(restarted.code).toBe(0);
  expect(restarted.stderr).toBe(`Stopped pid ${first.pid}.\n`);
  const second = pidFile();
  track(second.pid);
  expect(second.pid).not.toBe(first.pid);
  expect(isAlive(first.pid)).toBe(false);
  expect(restarted.stdout).toContain(`running at ${second.url} (pid ${second.pid})`);
  // Same flags: --port 0 (a new port) and the basic health level (per-server states shown).
  expect(((await (await fetch(new URL('/health', second.url))).json()) as object)).toHaveProperty('serverStates');

  const third = await cli('restart', '--port', '0');
  expect(third.code).toBe(0);
  const now = pidFile();
  track(now.pid);
  expect(now.pid).not.toBe(second.pid);
  expect(((await (await fetch(new URL('/health', now.url))).json()) as object)).not.toHaveProperty('serverStates');
  expect(JSON.parse(readFileSync(join(dir, 'start.json'), 'utf8'))).toMatchObject({ args: ['--port', '0', '--config-dir', dir], pid: now.pid });
  expect((await cli('stop')).code).toBe(0);
}, 60_000);

test('a serve that cannot start: start fails with the end of its log and leaves nothing running', async () => {
  const result = await cli('start', '--port', '0', '--preset', 'nope');
  expect(result.code).toBe(1);
  expect(result.stdout).toBe('');
  expect(result.stderr).toMatch(/^1mcp: serve exited with code \d+ before it answered; last lines of .*serve\.log:\n {2}1mcp: unknown preset "nope"/);
  const launched = JSON.parse(readFileSync(join(dir, 'start.json'), 'utf8')).pid as number;
  expect(isAlive(launched)).toBe(false);
  expect(existsSync(join(dir, 'server.pid'))).toBe(false);
  // Flags of start that serve does not have are refused before anything runs.
  const force = await cli('start', '--force');
  expect(force.code).toBe(2);
  expect(force.stderr).toContain('unknown option --force');
}, 30_000);

test('stop SIGKILLs a serve and a backend that ignore SIGTERM, after --timeout', async () => {
  const stub = spawnTracked(BUN, [join(import.meta.dir, '..', 'fixtures', 'stubborn-serve.ts'), dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [, backendPid] = await readLine(stub.stdout!, /^READY (\d+)$/);
  track(Number(backendPid));
  const result = await cli('stop', '--timeout', '1');
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  expect(result.stdout).toBe(`1mcp serve stopped (pid ${stub.pid}; it did not exit within 1 s of SIGTERM and was killed)\n`);
  await assertAllGone([stub.pid!, Number(backendPid)], 0);
}, 30_000);

test('stop refuses to signal a process that server.pid names but that is not a serve', async () => {
  const other = spawnTracked('sleep', ['30'], { stdio: 'ignore' });
  writeFileSync(join(dir, 'server.pid'), JSON.stringify({ pid: other.pid, url: 'http://127.0.0.1:9/mcp', port: 9, host: '127.0.0.1' }));
  const result = await cli('stop');
  expect(result.code).toBe(1);
  expect(result.stderr).toBe(`1mcp: server.pid names pid ${other.pid}, which runs but does not answer as 1mcp serve at http://127.0.0.1:9/mcp; 1mcp signals only a process it can identify: if it is a hung serve, end it yourself (kill ${other.pid})\n`);
  expect(isAlive(other.pid!)).toBe(true);
  expect((await cli('status')).code).toBe(3);
  other.kill('SIGKILL');
  await waitFor(() => !isAlive(other.pid!));
}, 30_000);
