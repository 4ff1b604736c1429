/**
 * `1mcp start | status | stop | restart`: serve in the background, detached, logging to
 * `<config>/logs/serve.log` (kept within --log-max-size by serve itself while it runs). Each command is its own top-level group (see main.ts).
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readPidFile, type PidFile } from '../config/pidfile.ts';
import type { ConfigPaths } from '../config/paths.ts';
import { ensureDir } from '../config/safe-write.ts';
import { readStartState, writeStartState } from '../config/start-state.ts';
import { OneMcpError, UsageError } from '../errors.ts';
import { descendantsOf } from '../runtime/descendants.ts';
import { isRunning, rotateLog, selfCommand, spawnDetached, tailOfFile } from '../runtime/detach.ts';
import { signalGroup } from '../runtime/process.ts';
import { commandContext } from './context.ts';
import { note, print, printJson } from './output.ts';
import { runGroup, type CommandDef, type OptionSpec } from './program.ts';
import { SERVE_OPTIONS } from './serve.ts';
import { runningServe } from './serve-running.ts';
import { TOKEN_OPTION } from './serve-client.ts';

/** `status` exits with this when serve is not running (as `systemctl status` does). */
export const NOT_RUNNING_EXIT = 3;

const JSON_OPTION: OptionSpec = { flags: '--json', description: 'Machine-readable output', env: false };
const START_TIMEOUT: OptionSpec = { flags: '--timeout <s>', description: 'Seconds to wait for serve to answer /health before giving up', default: 30, type: 'number', min: 1, env: false };
const STOP_TIMEOUT: OptionSpec = { flags: '--timeout <s>', description: 'Seconds to wait for serve and its backends to exit before SIGKILL', default: 10, type: 'number', min: 1, env: false };
// A second serve on the same config dir is what `start` exists to avoid.
const START_OPTIONS: OptionSpec[] = [...SERVE_OPTIONS.filter((o) => !o.flags.includes('--force')), START_TIMEOUT, JSON_OPTION];

export const logPathOf = (paths: ConfigPaths) => join(paths.logs, 'serve.log');

/** serve's flags out of the command line of start/restart: everything but the flags that belong to those. */
function serveArgs(argv: string[]): string[] {
  const valued = new Set(['--timeout', '--token']);
  const bare = new Set(['--json']);
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (token === '--') {
      out.push(...argv.slice(i));
      break;
    }
    const name = token.split('=')[0]!;
    if (bare.has(token)) continue;
    if (valued.has(name)) {
      if (!token.includes('=')) i++;
      continue;
    }
    out.push(token);
  }
  return out;
}

/** Whether a command line names anything besides the config dir (restart then takes serve's flags anew). */
function hasServeFlags(args: string[]): boolean {
  const configFlags = new Set(['-c', '--config', '-d', '--config-dir']);
  for (let i = 0; i < args.length; i++) {
    const name = args[i]!.split('=')[0]!;
    if (!configFlags.has(name)) return true;
    if (!args[i]!.includes('=')) i++;
  }
  return false;
}

/** Where serve answers on this machine: the address it is bound to (its URL may be a reverse proxy's), then its URL. */
function localBases(info: PidFile): string[] {
  const out: string[] = [];
  if (typeof info.port === 'number' && typeof info.host === 'string') {
    const host = info.host === '0.0.0.0' || info.host === '' ? '127.0.0.1' : info.host === '::' ? '[::1]' : info.host.includes(':') ? `[${info.host}]` : info.host;
    out.push(`http://${host}:${info.port}`);
  }
  try {
    out.push(new URL(info.url).origin);
  } catch {}
  return out;
}

async function getJson(info: PidFile, path: string, headers: Record<string, string> = {}, timeoutMs = 2000): Promise<{ status: number; body: any } | undefined> {
  for (const base of localBases(info)) {
    try {
      const res = await fetch(`${base}${path}`, { headers, signal: AbortSignal.timeout(timeoutMs) });
      return { status: res.status, body: await res.json().catch(() => undefined) };
    } catch {}
  }
  return undefined;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---- start ---------------------------------------------------------------------------------------

export interface StartResult {
  url: string;
  pid: number;
  log: string;
  alreadyRunning: boolean;
}

/** Launch serve detached with `args` in `cwd`; resolves once /health answers. */
export async function startDetached(paths: ConfigPaths, args: string[], cwd: string, timeoutS: number): Promise<StartResult> {
  const log = logPathOf(paths);
  const running = await runningServe(paths.pidFile);
  if (running) return { url: running.url, pid: running.pid, log, alreadyRunning: true };
  refuseLogFile(args, log, 'leave it out');
  if (!existsSync(cwd)) throw new OneMcpError(`the folder serve was started from (${cwd}) is gone; start it anew from here: 1mcp start [serve's flags]`);
  ensureDir(paths.dir);
  rotateLog(log);
  const from = sizeOf(log);
  const self = selfCommand();
  // stdout/stderr and serve's logger share serve.log: output before the logger exists (or a crash)
  // lands there too, and the logger keeps the file within --log-max-size while serve runs.
  const serveArgv = [...self.args, 'serve', ...args, '--log-file', log];
  const { pid, child } = await spawnDetached({ command: self.command, args: serveArgv, cwd, env: process.env, logPath: log });
  writeStartState(paths.dir, { args, cwd, pid, startedAt: new Date().toISOString() });
  let exit: string | undefined;
  child.once('exit', (code, signal) => (exit = signal ? `was killed by ${signal}` : `exited with code ${code}`));
  const deadline = Date.now() + timeoutS * 1000;
  for (;;) {
    if (exit !== undefined) {
      // Someone else's start may have won the race for this config dir: then that one is the answer.
      const other = await runningServe(paths.pidFile);
      if (other) return { url: other.url, pid: other.pid, log, alreadyRunning: true };
      throw new OneMcpError(`serve ${exit} before it answered${logTail(log, from)}`);
    }
    const info = readPidFile(paths.pidFile);
    if (info?.pid === pid && (await getJson(info, '/health', {}, 1000))) {
      child.unref();
      return { url: info.url, pid, log, alreadyRunning: false };
    }
    if (Date.now() > deadline) break;
    await sleep(100);
  }
  // Nothing half-started stays behind: a serve that did not answer in time is stopped, backends too.
  await terminate(pid, true, [], 3);
  child.unref();
  throw new OneMcpError(`serve did not answer on /health within ${timeoutS} s and was stopped; raise --timeout if its backends are slow to start${logTail(log, from)}`);
}

/** start sets serve's --log-file itself (serve.log, rotated in place): another one would leave serve.log unbounded. */
function refuseLogFile(args: string[], log: string, what: string): void {
  if (args.some((a) => a === '--log-file' || a.startsWith('--log-file='))) {
    throw new UsageError(`"1mcp start" always logs to ${log} (rotated at --log-max-size); --log-file is for "1mcp serve": ${what}`);
  }
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** The end of what serve logged since `from`, indented under the error. */
function logTail(log: string, from: number): string {
  // serve may have rotated the file since (it then starts over from empty).
  const lines = tailOfFile(log, 15, sizeOf(log) < from ? 0 : from);
  if (lines.length === 0) return `; it logged nothing (${log})`;
  return `; last lines of ${log}:\n${lines.map((l) => `  ${l}`).join('\n')}`;
}

function printStarted(result: StartResult, json: boolean): void {
  if (json) return printJson(result);
  if (result.alreadyRunning) print(`1mcp serve is already running at ${result.url} (pid ${result.pid})`);
  else print(`1mcp serve is running at ${result.url} (pid ${result.pid}); log: ${result.log}`);
}

async function start(argv: string[], options: Record<string, any>): Promise<number> {
  const { paths } = commandContext(options);
  const result = await startDetached(paths, serveArgs(argv), process.cwd(), options.timeout);
  if (result.alreadyRunning && hasServeFlags(serveArgs(argv))) note(`Flags not applied: serve was already running; use "1mcp restart …" to run it with new flags.`);
  printStarted(result, !!options.json);
  return 0;
}

// ---- status --------------------------------------------------------------------------------------

async function status(_args: string[], options: Record<string, any>): Promise<number> {
  const { paths } = commandContext(options);
  const info = await runningServe(paths.pidFile);
  if (!info) {
    if (options.json) printJson({ running: false, configDir: paths.dir });
    else print(`1mcp serve is not running (config ${paths.dir}); start it with "1mcp start"`);
    return NOT_RUNNING_EXIT;
  }
  const health = (await getJson(info, '/health'))?.body as { status?: string; uptimeSeconds?: number; servers?: { total: number; connected: number; failed: number; starting: number } } | undefined;
  const uptime = health?.uptimeSeconds ?? (info.startedAt ? Math.round((Date.now() - Date.parse(info.startedAt)) / 1000) : undefined);
  if (options.json) {
    printJson({ running: true, url: info.url, pid: info.pid, uptimeSeconds: uptime, status: health?.status, servers: health?.servers, configDir: paths.dir, log: logPathOf(paths) });
    return 0;
  }
  const s = health?.servers;
  const servers = s ? `${s.connected}/${s.total} ready${s.starting ? `, ${s.starting} starting` : ''}${s.failed ? `, ${s.failed} failed` : ''}` : 'unknown (/health did not answer)';
  print(`1mcp serve is running${health?.status ? ` (${health.status})` : ''}`);
  print(`  url      ${info.url}`);
  print(`  pid      ${info.pid}`);
  print(`  uptime   ${uptime === undefined ? 'unknown' : duration(uptime)}`);
  print(`  servers  ${servers}`);
  print(`  config   ${paths.dir}`);
  print(`  log      ${logPathOf(paths)}`);
  return 0;
}

function duration(seconds: number): string {
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return d ? `${d}d ${h}h ${m}m` : h ? `${h}h ${m}m` : m ? `${m}m ${s}s` : `${s}s`;
}

// ---- stop ----------------------------------------------------------------------------------------

export interface StopResult {
  /** The pid stopped, or undefined when nothing was running. */
  pid?: number;
  /** SIGKILL was needed. */
  killed: boolean;
}

/** SIGTERM serve (it closes its backends), wait for it and its backends, SIGKILL after `timeoutS`. */
export async function stopServe(paths: ConfigPaths, timeoutS: number, token?: string): Promise<StopResult> {
  const info = readPidFile(paths.pidFile);
  if (!info || !isRunning(info.pid)) return { killed: false };
  if (!(await runningServe(paths.pidFile))) {
    throw new OneMcpError(
      `server.pid names pid ${info.pid}, which runs but does not answer as 1mcp serve at ${info.url}; 1mcp signals only a process it can identify: if it is a hung serve, end it yourself (kill ${info.pid})`,
    );
  }
  // Its backends, so that "stopped" also means they are gone: the pids serve reports (needs a token
  // with --enable-auth) and, where the OS tells, its descendants (a backend still connecting has none yet).
  const api = await getJson(info, '/api/status', token ? { authorization: `Bearer ${token}` } : {});
  const reported = ((api?.status === 200 && api.body?.servers) || []).map((s: { pid?: unknown }) => s.pid).filter((p: unknown): p is number => Number.isInteger(p) && (p as number) > 0);
  // A serve that `start` launched leads its own process group.
  const launched = readStartState(paths.dir)?.pid === info.pid;
  const killed = await terminate(info.pid, launched, reported, timeoutS);
  return { pid: info.pid, killed };
}

/**
 * SIGTERM `pid` (serve closes its backends itself) and wait until it and its backends are gone; after
 * `timeoutS`, SIGKILL what is left (backends lead their own process groups). Resolves with whether
 * SIGKILL was needed.
 */
async function terminate(pid: number, leadsGroup: boolean, knownBackends: number[], timeoutS: number): Promise<boolean> {
  const backends = new Set<number>(knownBackends);
  const sample = () => {
    if (isRunning(pid)) for (const child of descendantsOf(pid)) backends.add(child);
  };
  sample();
  try {
    process.kill(pid, 'SIGTERM');
  } catch {}
  const allGone = () => !isRunning(pid) && [...backends].every((p) => !isRunning(p));
  const deadline = Date.now() + timeoutS * 1000;
  while (!allGone() && Date.now() < deadline) {
    sample();
    await sleep(50);
  }
  if (allGone()) return false;
  if (isRunning(pid)) {
    if (leadsGroup) signalGroup(pid, 'SIGKILL');
    else
      try {
        process.kill(pid, 'SIGKILL');
      } catch {}
  }
  for (const p of backends) if (isRunning(p)) signalGroup(p, 'SIGKILL');
  const killDeadline = Date.now() + 3000;
  while (!allGone() && Date.now() < killDeadline) await sleep(50);
  if (!allGone()) throw new OneMcpError(`serve (pid ${pid}) or one of its backends (${[...backends].join(', ') || 'none known'}) is still running after SIGKILL`);
  return true;
}

async function stop(_args: string[], options: Record<string, any>): Promise<number> {
  const { paths } = commandContext(options);
  const result = await stopServe(paths, options.timeout, options.token ?? process.env.ONE_MCP_TOKEN);
  if (options.json) printJson({ stopped: result.pid !== undefined, ...result });
  else if (result.pid === undefined) print(`1mcp serve was not running (config ${paths.dir})`);
  else print(`1mcp serve stopped (pid ${result.pid}${result.killed ? `; it did not exit within ${options.timeout} s of SIGTERM and was killed` : ''})`);
  return 0;
}

// ---- restart -------------------------------------------------------------------------------------

async function restart(argv: string[], options: Record<string, any>): Promise<number> {
  const { paths } = commandContext(options);
  const given = serveArgs(argv);
  const saved = readStartState(paths.dir);
  // Flags given now replace the remembered ones; otherwise serve comes back as it was started.
  const [args, cwd] = hasServeFlags(given) || !saved ? [given, process.cwd()] : [saved.args, saved.cwd];
  // Checked before stopping: a restart that cannot start must leave the running serve alone.
  refuseLogFile(args, logPathOf(paths), args === given ? 'leave it out' : `start.json holds it from an older 1mcp; run "1mcp restart" with serve's flags, without --log-file`);
  const stopped = await stopServe(paths, 10, options.token ?? process.env.ONE_MCP_TOKEN);
  if (stopped.pid !== undefined && !options.json) note(`Stopped pid ${stopped.pid}.`);
  printStarted(await startDetached(paths, args, cwd, options.timeout), !!options.json);
  return 0;
}

// ---- groups --------------------------------------------------------------------------------------

type Action = (raw: string[], options: Record<string, any>) => Promise<number>;
type Def = Omit<CommandDef, 'action'> & { action: Action };

const COMMANDS: Record<'start' | 'status' | 'stop' | 'restart', Def> = {
  start: {
    name: 'start',
    description: 'Run serve in the background (detached, logging to <config>/logs/serve.log); returns when it answers',
    help: `Takes serve's flags. Prints the URL. If serve is already running on this config dir, says so and exits 0.\nThe flags are remembered in <config>/start.json for "1mcp restart".\nserve keeps serve.log within --log-max-size (default 5MiB) while it runs; 3 older files are kept (serve.log.1 …).`,
    options: START_OPTIONS,
    action: start,
    examples: ['1mcp start', '1mcp start --port 3051 --enable-auth'],
  },
  status: {
    name: 'status',
    description: 'Is serve running? Its URL, pid, uptime and how many servers are ready',
    help: 'Exit code 0 when serve is running, 3 when it is not.',
    options: [JSON_OPTION],
    action: status,
  },
  stop: {
    name: 'stop',
    description: 'Stop the serve of this config dir and wait until it and its backends are gone',
    help: 'Sends SIGTERM and waits; SIGKILL after --timeout seconds. Exit code 0 also when serve was not running.',
    options: [STOP_TIMEOUT, TOKEN_OPTION, JSON_OPTION],
    action: stop,
  },
  restart: {
    name: 'restart',
    description: 'Stop serve and start it again, with the flags it was started with (or the ones given now)',
    options: [...START_OPTIONS, TOKEN_OPTION],
    action: restart,
  },
};

/** The group for one of start/status/stop/restart; actions get the command line as typed (serve's flags pass through). */
export function command(name: keyof typeof COMMANDS): { run(argv: string[]): Promise<number> } {
  const def = COMMANDS[name];
  return {
    run: (argv) =>
      runGroup('1mcp', [name, ...argv], [
        {
          ...def,
          action: (positional, options) => {
            if (positional.length > 0) throw new UsageError(`"1mcp ${name}" takes no arguments (got "${positional[0]}"); see "1mcp ${name} --help"`);
            return def.action(argv, options);
          },
        },
      ]),
  };
}
