/**
 * `1mcp service install | uninstall | status`: a per-user service that starts serve at login and
 * restarts it when it fails — a systemd user unit (Linux), a launchd agent (macOS), a Scheduled Task
 * (Windows). The definitions are data (src/integrations/service/); this file writes them and asks the
 * OS's manager to load them.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ensureDir, refuseSymlink, writeFileAtomic } from '../config/safe-write.ts';
import { readStartState } from '../config/start-state.ts';
import { OneMcpError, UsageError } from '../errors.ts';
import { launchdPlist } from '../integrations/service/launchd.ts';
import { isServicePlatform, mentionsConfigDir, serviceFilePath, type ServicePlatform } from '../integrations/service/locations.ts';
import { afterRemoveSteps, disableSteps, enableSteps, queryStep, showStep, type Step } from '../integrations/service/managers.ts';
import { scheduledTaskXml } from '../integrations/service/schtasks.ts';
import type { ServiceSpec } from '../integrations/service/spec.ts';
import { systemdUnit } from '../integrations/service/systemd.ts';
import { openLogFile, selfCommand } from '../runtime/detach.ts';
import { home } from '../runtime/home.ts';
import { commandContext } from './context.ts';
import { logPathOf } from './lifecycle.ts';
import { note, print, printJson } from './output.ts';
import { runGroup, type CommandDef, type OptionSpec } from './program.ts';
import { SERVE_OPTIONS } from './serve.ts';
import { runningServe } from './serve-running.ts';

const PLATFORM: OptionSpec = { flags: '--platform <os>', description: 'linux, darwin or win32 (default: this machine); another OS only writes or prints its file', env: false };
const JSON_OPTION: OptionSpec = { flags: '--json', description: 'Machine-readable output', env: false };
const INSTALL_OPTIONS: OptionSpec[] = [
  ...SERVE_OPTIONS.filter((o) => !o.flags.includes('--force')),
  { flags: '--dry-run', description: 'Print the service definition (stdout) and the commands that would run (stderr); change nothing', env: false },
  { flags: '--enable', description: 'Register and start it now (--no-enable: only write the file)', type: 'boolean', default: true, env: false },
  PLATFORM,
];

/** Flags that belong to `service install` itself or name the config dir (which is always passed absolute). */
const OWN_VALUED = new Set(['--platform', '-c', '--config', '-d', '--config-dir']);
const OWN_BARE = new Set(['--dry-run', '--enable', '--no-enable', '--json']);
/** serve flags whose value is a path: made absolute, since the service runs in the home folder. */
const PATH_VALUED = new Set(['-T', '--instructions-template', '--log-file']);

function serveArgsForService(argv: string[], configFlag: string[]): string[] {
  const out: string[] = ['serve'];
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (token === '--') break;
    const [name, inline] = token.includes('=') ? [token.slice(0, token.indexOf('=')), token.slice(token.indexOf('=') + 1)] : [token, undefined];
    if (OWN_BARE.has(token)) continue;
    if (OWN_VALUED.has(name)) {
      if (inline === undefined) i++;
      continue;
    }
    if (PATH_VALUED.has(name)) {
      const value = inline ?? argv[++i];
      if (value !== undefined) out.push(name, resolve(value));
      continue;
    }
    out.push(token);
  }
  return [...out, ...configFlag];
}

function platformOf(options: Record<string, any>): ServicePlatform {
  const value = options.platform ?? process.platform;
  if (!isServicePlatform(value)) {
    throw new UsageError(options.platform ? `--platform must be linux, darwin or win32 (got "${value}")` : `no per-user service for ${value}; supported: linux (systemd), darwin (launchd), win32 (Task Scheduler)`);
  }
  return value;
}

function render(platform: ServicePlatform, spec: ServiceSpec): string {
  if (platform === 'linux') return systemdUnit(spec);
  if (platform === 'darwin') return launchdPlist(spec);
  const user = process.env.USERNAME ? `${process.env.USERDOMAIN ? `${process.env.USERDOMAIN}\\` : ''}${process.env.USERNAME}` : undefined;
  return scheduledTaskXml(spec, user);
}

/** Task Scheduler reads its XML as UTF-16 (the declaration says so); the others are UTF-8 text. */
function encode(platform: ServicePlatform, text: string): Buffer {
  return platform === 'win32' ? Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]) : Buffer.from(text, 'utf8');
}

function decode(platform: ServicePlatform, bytes: Buffer): string {
  return platform === 'win32' && bytes[0] === 0xff && bytes[1] === 0xfe ? bytes.subarray(2).toString('utf16le') : bytes.toString('utf8');
}

const uid = () => (typeof process.getuid === 'function' ? process.getuid() : 0);

/** Run the manager's commands here only when they are for this machine. */
const runsHere = (platform: ServicePlatform) => platform === process.platform;

function runStep(step: Step): { ok: boolean; detail: string } {
  const r = spawnSync(step.argv[0]!, step.argv.slice(1), { encoding: 'utf8', timeout: 30_000, windowsHide: true });
  if (r.error) return { ok: false, detail: (r.error as NodeJS.ErrnoException).code === 'ENOENT' ? `${step.argv[0]} is not installed` : r.error.message };
  const detail = `${r.stderr ?? ''}${r.stdout ?? ''}`.trim().split('\n')[0] ?? '';
  return { ok: r.status === 0, detail: r.status === 0 ? detail : `exit ${r.status}${detail ? `: ${detail}` : ''}` };
}

function runSteps(steps: Step[], onFailure: (step: Step, detail: string) => string): void {
  for (const step of steps) {
    const result = runStep(step);
    if (!result.ok && !step.mayFail) throw new OneMcpError(onFailure(step, result.detail));
  }
}

// ---- install -------------------------------------------------------------------------------------

async function install(argv: string[], options: Record<string, any>): Promise<number> {
  const { paths } = commandContext(options);
  const platform = platformOf(options);
  const self = selfCommand();
  const script = self.args[0] ?? '';
  if (/[\\/]_npx[\\/]/.test(script)) {
    note(`Note: this 1mcp runs from npx's cache (${script}), which npm may clean; for a service, install it for good (npm i -g, or the binary from install.sh) and run "1mcp service install" from there.`);
  }
  const logPath = logPathOf(paths);
  if (options.logFile !== undefined) throw new UsageError(`a service always logs to ${logPath} (rotated at --log-max-size); leave --log-file out`);
  const serveArgs = serveArgsForService(argv, options.config ? ['--config', paths.mcpJson] : ['--config-dir', paths.dir]);
  // systemd and launchd append serve's stdout/stderr to the log; serve also writes it itself, so it rotates it
  // in place while it runs (the Windows task passes --log-file in its own definition).
  const spec: ServiceSpec = {
    command: self.command,
    args: [...self.args, ...serveArgs, ...(platform === 'win32' ? [] : ['--log-file', logPath])],
    configDir: paths.dir,
    logPath,
    home: home(),
    path: platform === 'win32' ? undefined : process.env.PATH,
  };
  const file = serviceFilePath(platform, home(), paths.dir);
  const text = render(platform, spec);
  const steps = enableSteps(platform, file, uid());
  if (options.dryRun) {
    process.stdout.write(text);
    note(`Would write ${file}${options.enable ? ` and run:\n${steps.map((s) => `  ${showStep(s)}`).join('\n')}` : ''}`);
    return 0;
  }
  const enableNow = options.enable && runsHere(platform);
  const previous = existsSync(file) ? readFileSync(file) : undefined;
  // A serve started by hand (or by "1mcp start") holds this config dir: the service's own serve would
  // refuse to start. On a reinstall, a running serve that "1mcp start" did not launch is the service's.
  const running = enableNow ? await runningServe(paths.pidFile) : undefined;
  if (running && (!previous || readStartState(paths.dir)?.pid === running.pid)) {
    throw new OneMcpError(`a serve is already running on ${paths.dir} (pid ${running.pid}, ${running.url}); stop it first ("1mcp stop") so the service's serve can take over, then run "1mcp service install" again`);
  }
  ensureDir(paths.dir);
  // The manager opens the log before serve runs: it must exist, owner-only, in an owner-only folder.
  closeSync(openLogFile(spec.logPath));
  writeServiceFile(platform, file, encode(platform, text));
  if (!enableNow) {
    print(`${previous ? 'Updated' : 'Wrote'} ${file}`);
    const why = options.enable ? `--platform ${platform} is not this machine (${process.platform})` : '--no-enable';
    print(`Not registered (${why}); to register it, run:\n${steps.map((s) => `  ${showStep(s)}`).join('\n')}`);
    return 0;
  }
  try {
    runSteps(steps, (step, detail) => `"${showStep(step)}" failed (${detail})${hint(platform, detail)}`);
  } catch (error) {
    // All or nothing: the file goes back to what it was, or is unregistered and removed.
    if (previous) writeServiceFile(platform, file, previous);
    else {
      runSteps(disableSteps(platform, uid()), () => '');
      rmSync(file, { force: true });
      runSteps(afterRemoveSteps(platform), () => '');
    }
    throw new OneMcpError(`${(error as Error).message}; ${previous ? `${file} was put back as it was` : 'nothing was installed'} (--no-enable only writes the definition, for registering it yourself)`);
  }
  print(`${previous ? 'Updated' : 'Wrote'} ${file}`);
  print(`Registered: serve starts at login and now, and is restarted when it fails. "1mcp status" shows it; logs: ${spec.logPath}`);
  return 0;
}

function writeServiceFile(platform: ServicePlatform, file: string, bytes: Buffer): void {
  ensureDir(dirname(file));
  refuseSymlink(file);
  // Task Scheduler's XML is UTF-16, which the text writer does not produce; it is only handed to schtasks.
  if (platform === 'win32') writeFileSync(file, bytes, { mode: 0o600 });
  else writeFileAtomic(file, bytes.toString('utf8'), 0o644);
}

/** What a person can do about the usual failure. */
function hint(platform: ServicePlatform, detail: string): string {
  if (platform === 'linux' && /bus|XDG_RUNTIME_DIR/i.test(detail)) return ' — no systemd user session here (a container, or an SSH login without "loginctl enable-linger")';
  return '';
}

// ---- uninstall -----------------------------------------------------------------------------------

async function uninstall(_argv: string[], options: Record<string, any>): Promise<number> {
  const { paths } = commandContext(options);
  const platform = platformOf(options);
  const file = serviceFilePath(platform, home(), paths.dir);
  const steps = [...disableSteps(platform, uid()), ...afterRemoveSteps(platform)];
  const present = existsSync(file);
  if (runsHere(platform)) runSteps(disableSteps(platform, uid()), () => '');
  if (present) {
    refuseSymlink(file);
    rmSync(file);
  }
  if (runsHere(platform)) runSteps(afterRemoveSteps(platform), () => '');
  if (!present) print(`No service definition at ${file}; nothing to remove.`);
  else print(`Removed ${file}`);
  if (!runsHere(platform)) print(`Not unregistered (--platform ${platform} is not this machine); there, run:\n${steps.map((s) => `  ${showStep(s)}`).join('\n')}`);
  return 0;
}

// ---- status --------------------------------------------------------------------------------------

async function status(_argv: string[], options: Record<string, any>): Promise<number> {
  const { paths } = commandContext(options);
  const platform = platformOf(options);
  const file = serviceFilePath(platform, home(), paths.dir);
  const installed = existsSync(file);
  const content = installed ? decode(platform, readFileSync(file)) : undefined;
  const forThisConfig = content === undefined ? undefined : mentionsConfigDir(platform, content, paths.dir);
  let active: boolean | undefined;
  let detail: string | undefined;
  if (installed && runsHere(platform)) {
    const r = runStep(queryStep(platform, uid()));
    active = r.ok;
    detail = r.detail;
  }
  if (options.json) {
    printJson({ installed, file, platform, configDir: paths.dir, forThisConfigDir: forThisConfig, active });
  } else if (!installed) {
    print(`No 1mcp service installed (${file}); install one with "1mcp service install"`);
  } else {
    print(`Installed: ${file}`);
    if (forThisConfig === false) print(`  it runs serve for another config dir, not ${paths.dir}`);
    if (active !== undefined) print(`  ${active ? 'active' : `not active (${detail})`}`);
  }
  return installed ? 0 : 3;
}

// ---- group ---------------------------------------------------------------------------------------

type Def = Omit<CommandDef, 'action'> & { action: (raw: string[], options: Record<string, any>) => Promise<number> };

const COMMANDS: Def[] = [
  {
    name: 'install',
    description: 'Install a per-user service that starts serve at login and restarts it when it fails',
    help: `Takes serve's flags. Linux: a systemd user unit; macOS: a launchd agent; Windows: a Scheduled Task.\nIt runs this 1mcp by its absolute path with --config-dir of this config dir; logs go to <config>/logs/serve.log.`,
    options: INSTALL_OPTIONS,
    action: install,
    examples: ['1mcp service install', '1mcp service install --port 3051 --dry-run'],
  },
  { name: 'uninstall', description: 'Stop and remove the per-user service', options: [PLATFORM], action: uninstall },
  { name: 'status', description: 'Whether the service is installed (and, on this machine, active)', help: 'Exit code 0 when installed, 3 when not.', options: [PLATFORM, JSON_OPTION], action: status },
];

export function run(argv: string[]): Promise<number> {
  return runGroup(
    '1mcp service',
    argv,
    COMMANDS.map((def) => ({
      ...def,
      action: (positional: string[], options: Record<string, any>) => {
        if (positional.length > 0) throw new UsageError(`"1mcp service ${def.name}" takes no arguments (got "${positional[0]}")`);
        // The command line as typed, minus the sub-command's name: serve's flags pass through.
        const at = argv.indexOf(def.name);
        return def.action([...argv.slice(0, at), ...argv.slice(at + 1)], options);
      },
    })),
  );
}
