/** install.sh (SPEC §9), offline against a local release folder, run by dash (POSIX sh). */
import { afterEach, beforeEach, expect, test } from 'bun:test';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../helpers/cli.ts';

const SCRIPT = join(ROOT, 'install.sh');
const SHELL = existsSync('/usr/bin/dash') ? '/usr/bin/dash' : '/bin/sh';
const os = process.platform === 'darwin' ? 'darwin' : 'linux';
const arch = process.arch === 'arm64' ? 'arm64' : 'x64';
const ASSET = `1mcp-${os}-${arch}`;

let dir: string;
let release: string;
let prefix: string;

function makeRelease(version: string, sums?: string) {
  const binary = `#!/bin/sh\necho ${version}\n`;
  writeFileSync(join(release, ASSET), binary);
  chmodSync(join(release, ASSET), 0o755);
  const sha = createHash('sha256').update(binary).digest('hex');
  writeFileSync(join(release, 'SHA256SUMS'), sums ?? `${sha}  ${ASSET}\n${'0'.repeat(64)}  1mcp-windows-x64.exe\n`);
}

function install(env: Record<string, string> = {}, args: string[] = ['--prefix', prefix]) {
  const r = spawnSync(SHELL, [SCRIPT, ...args], { env: { PATH: '/usr/bin:/bin', HOME: dir, ONE_MCP_INSTALL_BASE: release, ...env }, encoding: 'utf8' });
  return { code: r.status, out: r.stdout + r.stderr };
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), '1mcp-install-'));
  release = join(dir, 'release');
  prefix = join(dir, 'bin');
  mkdirSync(release);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test('the script is valid POSIX sh', () => {
  expect(spawnSync(SHELL, ['-n', SCRIPT]).status).toBe(0);
});

test('installs, verifies, says the folder is not on PATH; a second run is safe', () => {
  makeRelease('0.1.0');
  const first = install();
  expect(first.code).toBe(0);
  expect(first.out).toContain(`1mcp 0.1.0 installed to ${prefix}/1mcp`);
  expect(first.out).toContain('is not on your PATH');
  expect(statSync(join(prefix, '1mcp')).mode & 0o111).not.toBe(0);
  const before = readFileSync(join(prefix, '1mcp'));
  const second = install({ PATH: `${prefix}:/usr/bin:/bin` });
  expect(second.code).toBe(0);
  expect(second.out).toContain('already this version');
  expect(second.out).not.toContain('not on your PATH');
  expect(readFileSync(join(prefix, '1mcp')).equals(before)).toBe(true);
});

test('ONE_MCP_INSTALL_PREFIX and a file:// base work too', () => {
  makeRelease('0.2.0');
  const r = install({ ONE_MCP_INSTALL_PREFIX: prefix, ONE_MCP_INSTALL_BASE: `file://${release}` }, []);
  expect(r.code).toBe(0);
  expect(r.out).toContain('1mcp 0.2.0 installed');
});

test('a checksum mismatch installs nothing and leaves an earlier install untouched', () => {
  makeRelease('0.1.0');
  expect(install().code).toBe(0);
  const before = readFileSync(join(prefix, '1mcp'));
  makeRelease('0.3.0', `${'f'.repeat(64)}  ${ASSET}\n`);
  const r = install();
  expect(r.code).not.toBe(0);
  expect(r.out).toContain('checksum mismatch');
  expect(r.out).toContain('nothing installed');
  expect(readFileSync(join(prefix, '1mcp')).equals(before)).toBe(true);
});

test('a missing entry in SHA256SUMS is an error', () => {
  makeRelease('0.1.0', `${'a'.repeat(64)}  something-else\n`);
  const r = install();
  expect(r.code).not.toBe(0);
  expect(r.out).toContain(`SHA256SUMS has no entry for ${ASSET}`);
  expect(existsSync(join(prefix, '1mcp'))).toBe(false);
});

test('an unsupported platform names what it found and what is supported; nothing installed', () => {
  makeRelease('0.1.0');
  const r = install({ ONE_MCP_INSTALL_OS: 'plan9' });
  expect(r.code).not.toBe(0);
  expect(r.out).toContain(`no 1mcp binary for plan9/${arch}`);
  expect(r.out).toContain('linux-x64, linux-arm64, darwin-x64, darwin-arm64, windows-x64');
  expect(existsSync(prefix)).toBe(false);
});
