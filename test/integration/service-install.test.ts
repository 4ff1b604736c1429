/**
 * `1mcp service install | uninstall | status` with a fake home: the systemd user unit checked by
 * `systemd-analyze verify` (Debian package `systemd`), the launchd plist read by Python's plistlib and the
 * Task Scheduler XML by Python's ElementTree, field by field. The managers are not called (--no-enable,
 * or --platform another OS), except where this machine has no systemd user session to change.
 */
import { afterEach, beforeEach, expect, test } from 'bun:test';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliCommand, ROOT, runCli } from '../helpers/cli.ts';
import { assertNoSurvivors, track } from '../helpers/processes.ts';
import { makeTempDir, type TempDir } from '../helpers/tmp.ts';

let tmp: TempDir;
let home: string;
let dir: string;
// Characters each format must escape: a space, XML's & and <, systemd's % and $.
const ODD = 'my cfg & <1mcp> 100% $HOME';

beforeEach(() => {
  tmp = makeTempDir('1mcp-service-');
  home = join(tmp.path, 'home');
  dir = join(tmp.path, ODD);
  mkdirSync(home);
  mkdirSync(dir);
  writeFileSync(join(dir, 'mcp.json'), '{"mcpServers":{}}');
});
afterEach(() => tmp.cleanup());

const service = (...args: string[]) => runCli(['service', ...args, '--config-dir', dir], { env: { HOME: home, XDG_CONFIG_HOME: undefined, USERPROFILE: undefined } });
/** What the service must run: this CLI (runtime + script, or the binary) with serve's flags. */
const expectedCommand = (...serveArgs: string[]) => {
  const [command, ...pre] = cliCommand();
  return { command: realCommand(command!), args: [...pre, 'serve', ...serveArgs] };
};
/** The bun in node_modules/.bin is a link; the running process knows its real path. */
function realCommand(command: string): string {
  const r = spawnSync(command, ['-e', 'process.stdout.write(process.execPath)'], { encoding: 'utf8' });
  return r.status === 0 && r.stdout ? r.stdout : command;
}

function python(code: string, input: string | Buffer): string {
  const r = spawnSync('python3', ['-c', code], { input });
  if (r.status !== 0) throw new Error(`python3 failed: ${r.stderr}`);
  return r.stdout.toString();
}
const hasPython = spawnSync('python3', ['--version']).status === 0;
const hasSystemdAnalyze = spawnSync('systemd-analyze', ['--version']).status === 0;
if (!hasSystemdAnalyze) console.warn('SKIP systemd-analyze checks: install the Debian package "systemd" (apt-get install -y systemd)');
if (!hasPython) console.warn('SKIP plist/XML parser checks: python3 is not installed');

test('Linux: the systemd user unit is written where systemd looks, passes systemd-analyze verify, and dry-run prints the same text', async () => {
  const dry = await service('install', '--platform', 'linux', '--dry-run', '--port', '3051');
  expect(dry.code).toBe(0);
  expect(dry.stderr).toContain(`Would write ${join(home, '.config', 'systemd', 'user', '1mcp.service')} and run:\n  systemctl --user daemon-reload\n  systemctl --user enable 1mcp.service\n  systemctl --user restart 1mcp.service`);
  expect(existsSync(join(home, '.config'))).toBe(false);

  const result = await service('install', '--platform', 'linux', '--no-enable', '--port', '3051');
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  const file = join(home, '.config', 'systemd', 'user', '1mcp.service');
  expect(result.stdout).toStartWith(`Wrote ${file}\nNot registered (--no-enable); to register it, run:\n`);
  const unit = readFileSync(file, 'utf8');
  expect(unit).toBe(dry.stdout);
  const { command, args } = expectedCommand('--port', '3051', '--config-dir', dir, '--log-file', join(dir, 'logs', 'serve.log'));
  const quote = (w: string) => `"${w.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/%/g, '%%').replace(/\$/g, '$$$$')}"`;
  const lines = unit.split('\n');
  expect(lines).toContain(`ExecStart=${[command, ...args].map(quote).join(' ')}`);
  expect(lines).toContain(`StandardOutput=append:${join(dir, 'logs', 'serve.log').replace(/%/g, '%%')}`);
  expect(lines).toContain(`WorkingDirectory=${home}`);
  expect(lines).toContain('Restart=on-failure');
  expect(lines).toContain('KillMode=mixed');
  expect(lines).toContain('WantedBy=default.target');
  // The log exists before the manager opens it: owner-only.
  expect(statSync(join(dir, 'logs', 'serve.log')).mode & 0o777).toBe(0o600);

  if (hasSystemdAnalyze) {
    const runtime = join(tmp.path, 'runtime');
    mkdirSync(runtime, { mode: 0o700 });
    const verify = spawnSync('systemd-analyze', ['verify', '--user', file], { encoding: 'utf8', env: { ...process.env, HOME: home, XDG_RUNTIME_DIR: runtime } });
    expect(`${verify.stdout}${verify.stderr}`).toBe('');
    expect(verify.status).toBe(0);
  }

  expect((await service('status', '--platform', 'linux')).code).toBe(0);
  const removed = await service('uninstall', '--platform', 'linux');
  expect(removed.code).toBe(0);
  expect(removed.stdout).toContain(`Removed ${file}`);
  expect(existsSync(file)).toBe(false);
  const status = await service('status', '--platform', 'linux');
  expect(status.code).toBe(3);
  expect(status.stdout).toContain('No 1mcp service installed');
}, 30_000);

test('a service always logs to <config>/logs/serve.log, rotated by serve itself: --log-file is refused, nothing is written', async () => {
  const r = await service('install', '--platform', 'linux', '--no-enable', '--log-file', join(tmp.path, 'elsewhere.log'));
  expect(r.code).toBe(2);
  expect(r.stderr).toContain(`a service always logs to ${join(dir, 'logs', 'serve.log')} (rotated at --log-max-size); leave --log-file out`);
  expect(existsSync(join(home, '.config', 'systemd', 'user', '1mcp.service'))).toBe(false);
});

test('Linux: XDG_CONFIG_HOME decides where the unit goes', async () => {
  const xdg = join(tmp.path, 'xdg');
  const r = await runCli(['service', 'install', '--platform', 'linux', '--no-enable', '--config-dir', dir], { env: { HOME: home, XDG_CONFIG_HOME: xdg } });
  expect(r.code).toBe(0);
  expect(existsSync(join(xdg, 'systemd', 'user', '1mcp.service'))).toBe(true);
});

test.skipIf(!hasPython)('macOS: the launchd agent plist, parsed by plistlib, field by field', async () => {
  const result = await service('install', '--platform', 'darwin', '--enable-auth');
  expect(result.code).toBe(0);
  const file = join(home, 'Library', 'LaunchAgents', 'dev.1mcp.serve.plist');
  expect(result.stdout).toContain(`Not registered (--platform darwin is not this machine (${process.platform})); to register it, run:\n  launchctl bootout gui/`);
  const plist = JSON.parse(python('import plistlib, json, sys; print(json.dumps(plistlib.loads(sys.stdin.buffer.read())))', readFileSync(file)));
  const { command, args } = expectedCommand('--enable-auth', '--config-dir', dir, '--log-file', join(dir, 'logs', 'serve.log'));
  expect(plist).toEqual({
    Label: 'dev.1mcp.serve',
    ProgramArguments: [command, ...args],
    WorkingDirectory: home,
    RunAtLoad: true,
    KeepAlive: { SuccessfulExit: false },
    ThrottleInterval: 5,
    ProcessType: 'Background',
    Umask: 0o077,
    EnvironmentVariables: { NO_COLOR: '1', PATH: process.env.PATH },
    StandardOutPath: join(dir, 'logs', 'serve.log'),
    StandardErrorPath: join(dir, 'logs', 'serve.log'),
  });
  expect((await service('uninstall', '--platform', 'darwin')).code).toBe(0);
  expect(existsSync(file)).toBe(false);
}, 30_000);

test.skipIf(!hasPython)('Windows: the Scheduled Task XML (UTF-16), parsed by ElementTree, field by field; its command line splits back into the arguments', async () => {
  const result = await service('install', '--platform', 'win32', '-T', 'template.md');
  expect(result.code).toBe(0);
  const file = join(dir, 'service', '1mcp-task.xml');
  expect(result.stdout).toContain(`  schtasks /Create /TN 1mcp /XML '${file}' /F\n`);
  const bytes = readFileSync(file);
  expect([...bytes.subarray(0, 2)]).toEqual([0xff, 0xfe]);
  const fields = JSON.parse(
    python(
      `import json, sys, subprocess, xml.etree.ElementTree as ET
ns = {'t': 'http://schemas.microsoft.com/windows/2004/02/mit/task'}
root = ET.fromstring(sys.stdin.buffer.read())
text = lambda path: root.find(path, ns).text
print(json.dumps({
  'version': root.get('version'),
  'uri': text('t:RegistrationInfo/t:URI'),
  'logon': text('t:Triggers/t:LogonTrigger/t:Enabled'),
  'logonType': text('t:Principals/t:Principal/t:LogonType'),
  'runLevel': text('t:Principals/t:Principal/t:RunLevel'),
  'timeLimit': text('t:Settings/t:ExecutionTimeLimit'),
  'instances': text('t:Settings/t:MultipleInstancesPolicy'),
  'restartCount': text('t:Settings/t:RestartOnFailure/t:Count'),
  'restartInterval': text('t:Settings/t:RestartOnFailure/t:Interval'),
  'command': text('t:Actions/t:Exec/t:Command'),
  'arguments': text('t:Actions/t:Exec/t:Arguments'),
  'workingDirectory': text('t:Actions/t:Exec/t:WorkingDirectory'),
}))`,
      bytes,
    ),
  );
  const { command, args } = expectedCommand('-T', join(ROOT, 'template.md'), '--config-dir', dir, '--log-file', join(dir, 'logs', 'serve.log'));
  // Python's list2cmdline joins by the Microsoft C runtime's rules: what Windows splits back into argv.
  const expectedLine = python('import json, sys, subprocess; print(subprocess.list2cmdline(json.load(sys.stdin)), end="")', JSON.stringify(args));
  expect(fields).toEqual({
    version: '1.2',
    uri: '\\1mcp',
    logon: 'true',
    logonType: 'InteractiveToken',
    runLevel: 'LeastPrivilege',
    timeLimit: 'PT0S',
    instances: 'IgnoreNew',
    restartCount: '999',
    restartInterval: 'PT1M',
    command,
    arguments: expectedLine,
    workingDirectory: home,
  });
  const status = JSON.parse((await service('status', '--platform', 'win32', '--json')).stdout);
  expect(status).toMatchObject({ installed: true, file, platform: 'win32', forThisConfigDir: true });
  expect((await service('uninstall', '--platform', 'win32')).code).toBe(0);
  expect(existsSync(file)).toBe(false);
}, 30_000);

test('bad input: an unknown platform, stray arguments, --force', async () => {
  const platform = await service('install', '--platform', 'bsd');
  expect(platform).toMatchObject({ code: 2, stderr: '1mcp: --platform must be linux, darwin or win32 (got "bsd")\n' });
  const force = await service('install', '--force', '--dry-run');
  expect(force.code).toBe(2);
  expect(force.stderr).toContain('unknown option --force');
});

// Registering for real needs a systemd user session; where there is none (containers), install must
// fail clearly and leave nothing behind. Where there is one, this test does not touch it.
const probe = process.platform === 'linux' ? spawnSync('systemctl', ['--user', 'show-environment'], { encoding: 'utf8' }) : undefined;
const noUserSession = !!probe && probe.error === undefined && probe.status !== 0 && /bus|XDG_RUNTIME_DIR/i.test(probe.stderr ?? '');
test.skipIf(!noUserSession)('Linux without a systemd user session: install fails with the reason and installs nothing', async () => {
  const result = await service('install');
  expect(result.code).toBe(1);
  expect(result.stderr).toMatch(/^1mcp: "systemctl --user daemon-reload" failed \(exit 1: .+\) — no systemd user session here .*; nothing was installed \(--no-enable only writes the definition, for registering it yourself\)\n$/);
  expect(existsSync(join(home, '.config', 'systemd', 'user', '1mcp.service'))).toBe(false);
});

test.skipIf(process.platform !== 'linux')('install refuses while a serve started by "1mcp start" holds the config dir, and writes nothing', async () => {
  const started = await runCli(['start', '--port', '0', '--config-dir', dir]);
  expect(started.code).toBe(0);
  const pid = Number(/\(pid (\d+)\)/.exec(started.stdout)![1]);
  track(pid);
  try {
    const result = await service('install');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`^1mcp: a serve is already running on .* \\(pid ${pid}, http://127\\.0\\.0\\.1:\\d+/mcp\\); stop it first \\("1mcp stop"\\) so the service's serve can take over, then run "1mcp service install" again\n$`));
    expect(existsSync(join(home, '.config', 'systemd', 'user', '1mcp.service'))).toBe(false);
  } finally {
    expect((await runCli(['stop', '--config-dir', dir])).code).toBe(0);
    await assertNoSurvivors();
  }
}, 30_000);
