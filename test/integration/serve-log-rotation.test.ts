/**
 * `1mcp start` keeps <config>/logs/serve.log within --log-max-size while serve runs: serve's logger
 * writes it through the rotating writer and, because serve's own stderr is that same file, rotates it
 * in place (copy to .1, truncate), so stderr keeps landing in the live serve.log. Real processes: the
 * CLI, a detached serve, a fixture backend that floods its stderr (logged at --log-level debug).
 */
import { afterEach, beforeEach, expect, test } from 'bun:test';
import { existsSync, readFileSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startConfigDir } from '../helpers/cli.ts';
import { fixtureEntry } from '../helpers/fixture.ts';
import { track, waitFor } from '../helpers/processes.ts';
import { startServe } from '../helpers/serve.ts';

const LIMIT = 64 * 1024;
/** Lines serve writes straight to stderr (its banner) are counted at the logger's next write, so a rotated file may pass the limit by that much. */
const DIRECT_SLACK = 1024;

let home: ReturnType<typeof startConfigDir>;
let dir: string;
const cli = (...args: string[]) => home.cli(...args);
const logFile = () => join(dir, 'logs', 'serve.log');

beforeEach(() => {
  // 1 MiB of 1 KiB lines on the backend's stderr, each one a debug line in serve's log.
  home = startConfigDir('1mcp-serve-log-rot-', { flood: fixtureEntry(['--name', 'flood', '--stderr-flood', '1']) });
  dir = home.dir;
});

afterEach(() => home.cleanup());

test('start with --log-max-size: a flooding backend leaves serve.log and 3 rotated files within the limit, 0600, stderr still in the live file', async () => {
  const started = await cli('start', '--port', '0', '--log-level', 'debug', '--log-max-size', '64KiB');
  expect(started.stderr).toBe('');
  expect(started.code).toBe(0);
  const pid = Number(/\(pid (\d+)\)/.exec(started.stdout)![1]);
  track(pid);

  // The whole flood went through: more than 4 files' worth, so the oldest were dropped.
  await waitFor(() => existsSync(`${logFile()}.3`), { what: 'serve.log.3', timeout: 20_000 });
  // The flood comes before the backend answers initialize: once it is connected, the flood is logged.
  await waitFor(async () => JSON.parse((await cli('status', '--json')).stdout).servers?.connected === 1 || undefined, { what: 'the backend connected', timeout: 20_000 });
  expect(JSON.parse((await cli('status', '--json')).stdout)).toMatchObject({ running: true, log: logFile() });

  // serve's stderr (fd 2) still is the live serve.log, not a renamed or deleted file.
  expect(readlinkSync(`/proc/${pid}/fd/2`)).toBe(logFile());

  const stopped = await cli('stop');
  expect(stopped.code).toBe(0);

  expect(statSync(logFile()).size).toBeLessThanOrEqual(LIMIT);
  for (const n of [1, 2, 3]) {
    const rotated = `${logFile()}.${n}`;
    expect(statSync(rotated).size).toBeGreaterThan(LIMIT / 2);
    expect(statSync(rotated).size).toBeLessThanOrEqual(LIMIT + DIRECT_SLACK);
    expect(statSync(rotated).mode & 0o777).toBe(0o600);
    expect(readFileSync(rotated, 'utf8')).toContain('[flood] eeee');
  }
  expect(existsSync(`${logFile()}.4`)).toBe(false);
  expect(statSync(logFile()).mode & 0o777).toBe(0o600);
  // The latest lines are in serve.log, each once (the logger does not also echo them to stderr, which is this file).
  const live = readFileSync(logFile(), 'utf8');
  expect(live.match(/SIGTERM: shutting down/g)?.length).toBe(1);
});

test('start refuses --log-file (its log is serve.log), restart refuses a saved one before stopping serve; a bad --log-max-size is reported from serve\'s log', async () => {
  const refused = await cli('start', '--port', '0', '--log-file', join(dir, 'other.log'));
  expect(refused.code).toBe(2);
  expect(refused.stderr).toContain(`"1mcp start" always logs to ${logFile()}`);
  expect(existsSync(join(dir, 'server.pid'))).toBe(false);

  const bad = await cli('start', '--port', '0', '--log-max-size', 'lots');
  expect(bad.code).not.toBe(0);
  expect(bad.stderr).toMatch(/last lines of .*serve\.log:\n {2}1mcp: --log-max-size must be a size such as 10MiB/);

  // start.json of an older 1mcp may hold --log-file: restart refuses before it stops the running serve.
  const started = await cli('start', '--port', '0');
  expect(started.code).toBe(0);
  const pid = Number(/\(pid (\d+)\)/.exec(started.stdout)![1]);
  track(pid);
  const state = JSON.parse(readFileSync(join(dir, 'start.json'), 'utf8'));
  writeFileSync(join(dir, 'start.json'), JSON.stringify({ ...state, args: [...state.args, '--log-file', join(dir, 'other.log')] }));
  const restart = await cli('restart');
  expect(restart.code).toBe(2);
  expect(restart.stderr).toContain('start.json holds it from an older 1mcp');
  expect(JSON.parse((await cli('status', '--json')).stdout)).toMatchObject({ running: true, pid });
});

test('serve --log-file with --log-max-size (stderr elsewhere): the file is rotated by renaming, and stderr still gets the lines', async () => {
  const file = join(dir, 'own', 'serve.log');
  const serve = await startServe(JSON.parse(readFileSync(join(dir, 'mcp.json'), 'utf8')), {
    dir,
    args: ['--log-file', file, '--log-max-size', '64k', '--log-level', 'debug'],
  });
  try {
    await waitFor(() => existsSync(`${file}.3`), { what: `${file}.3`, timeout: 20_000 });
  } finally {
    await serve.stop();
  }
  for (const path of [file, `${file}.1`, `${file}.2`, `${file}.3`]) {
    expect(statSync(path).size).toBeLessThanOrEqual(LIMIT);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  }
  expect(existsSync(`${file}.4`)).toBe(false);
  expect(serve.stderr()).toContain('[flood] eeee');
});
