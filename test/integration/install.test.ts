/**
 * install.sh, offline: the "release" is a temp folder, or that folder served over HTTPS on localhost with a
 * throw-away self-signed certificate that only the script's downloader is told to trust (CURL_CA_BUNDLE,
 * WGETRC). The script has no switch that allows plain http, so these tests run exactly the code users run.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'bun:test';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../helpers/cli.ts';

const SCRIPT = join(ROOT, 'install.sh');
// /bin/sh as users run it, then dash (strict POSIX) and bash by name when installed.
const SHELLS = ['/bin/sh', ...['dash', 'bash'].flatMap((name) => Bun.which(name) ?? [])];
const os = process.platform === 'darwin' ? 'darwin' : 'linux';
const arch = process.arch === 'arm64' ? 'arm64' : 'x64';
const ASSET = `1mcp-${os}-${arch}`;
const SYSTEM_PATH = '/usr/bin:/bin';

let dir: string;
let release: string;
let prefix: string;
let scratch: string; // TMPDIR for the script, to see that its downloads are removed
let lastPid = 0; // the shell running install.sh, i.e. the script's $$

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Writes a fake binary for this host plus SHA256SUMS (correct unless `sums` is given). */
function makeRelease(version: string, sums?: string, body = `#!/bin/sh\necho ${version}\n`) {
  writeFileSync(join(release, ASSET), body);
  writeFileSync(join(release, 'SHA256SUMS'), sums ?? `${sha256(body)}  ${ASSET}\n${'0'.repeat(64)}  1mcp-windows-x64.exe\n`);
}

/** Runs install.sh; async so a Bun.serve in this process can answer its downloads. */
async function install(env: Record<string, string> = {}, args: string[] = ['--prefix', prefix], shell = '/bin/sh') {
  const proc = Bun.spawn([shell, SCRIPT, ...args], {
    env: { PATH: SYSTEM_PATH, HOME: dir, TMPDIR: scratch, ONE_MCP_INSTALL_BASE: release, ...env },
    stdout: 'pipe',
    stderr: 'pipe',
  });
  lastPid = proc.pid;
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, out: out + err };
}

/** A PATH folder with only the tools install.sh needs, optionally leaving some out (e.g. curl). */
function toolbox(without: string[]): string {
  const tools = ['uname', 'mktemp', 'rm', 'cp', 'awk', 'cut', 'sha256sum', 'shasum', 'mkdir', 'chmod', 'mv', 'cat', 'curl', 'wget'];
  const box = join(dir, 'toolbox');
  mkdirSync(box);
  for (const tool of tools.filter((t) => !without.includes(t))) {
    const found = Bun.which(tool, { PATH: SYSTEM_PATH });
    if (found) symlinkSync(found, join(box, tool));
  }
  return box;
}

function installed(): Buffer {
  return readFileSync(join(prefix, '1mcp'));
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), '1mcp-install-'));
  release = join(dir, 'release');
  prefix = join(dir, 'bin');
  scratch = join(dir, 'tmp');
  mkdirSync(release);
  mkdirSync(scratch);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe.each(SHELLS)('under %s', (shell) => {
  test('the script parses (sh -n)', () => {
    const r = spawnSync(shell, ['-n', SCRIPT], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  test('installs, verifies, says the folder is not on PATH; a second run replaces it with the same file', async () => {
    makeRelease('0.1.0');
    const first = await install({}, ['--prefix', prefix], shell);
    expect(first.out).toContain(`1mcp 0.1.0 installed to ${prefix}/1mcp`);
    expect(first.code).toBe(0);
    expect(first.out).toContain(`${prefix} is not on your PATH`);
    expect(first.out).toContain(`export PATH="${prefix}:$PATH"`);
    expect(statSync(join(prefix, '1mcp')).mode & 0o777).toBe(0o755);
    const before = installed();

    const second = await install({ PATH: `${prefix}:${SYSTEM_PATH}` }, ['--prefix', prefix], shell);
    expect(second.code).toBe(0);
    expect(second.out).toContain('the same file was already there; replaced it');
    expect(second.out).not.toContain('not on your PATH');
    expect(installed().equals(before)).toBe(true);
    // No staging file or temp download left behind.
    expect(readdirSync(prefix)).toEqual(['1mcp']);
    expect(readdirSync(scratch)).toEqual([]);
  });
});

test('a newer release replaces the older binary and says so', async () => {
  makeRelease('0.1.0');
  expect((await install()).code).toBe(0);
  makeRelease('0.2.0');
  const r = await install();
  expect(r.code).toBe(0);
  expect(r.out).toContain(`1mcp 0.2.0 installed to ${prefix}/1mcp (replaced the previous one)`);
  expect(installed().toString()).toContain('echo 0.2.0');
});

test('ONE_MCP_INSTALL_PREFIX and a file:// base work; the default prefix is ~/.local/bin', async () => {
  makeRelease('0.2.0');
  const viaEnv = await install({ ONE_MCP_INSTALL_PREFIX: prefix, ONE_MCP_INSTALL_BASE: `file://${release}` }, []);
  expect(viaEnv.code).toBe(0);
  expect(viaEnv.out).toContain(`1mcp 0.2.0 installed to ${prefix}/1mcp`);

  const byDefault = await install({}, []);
  expect(byDefault.code).toBe(0);
  expect(byDefault.out).toContain(`installed to ${join(dir, '.local', 'bin', '1mcp')}`);
});

test('a checksum mismatch installs nothing and leaves an earlier install untouched', async () => {
  makeRelease('0.1.0');
  expect((await install()).code).toBe(0);
  const before = installed();
  makeRelease('0.3.0', `${'f'.repeat(64)}  ${ASSET}\n`);
  const r = await install();
  expect(r.code).not.toBe(0);
  expect(r.out).toContain(`checksum mismatch for ${ASSET}`);
  expect(r.out).toContain('nothing installed');
  expect(installed().equals(before)).toBe(true);
  expect(readdirSync(prefix)).toEqual(['1mcp']);
  expect(readdirSync(scratch)).toEqual([]);
});

test('a missing entry in SHA256SUMS is an error; nothing installed', async () => {
  makeRelease('0.1.0', `${'a'.repeat(64)}  something-else\n`);
  const r = await install();
  expect(r.code).not.toBe(0);
  expect(r.out).toContain(`SHA256SUMS at ${release} has no entry for ${ASSET}`);
  expect(existsSync(prefix)).toBe(false);
});

test('a missing asset in the release folder is an error; nothing installed', async () => {
  makeRelease('0.1.0');
  rmSync(join(release, ASSET));
  const r = await install();
  expect(r.code).not.toBe(0);
  expect(r.out).toContain(`cannot read ${release}/${ASSET}`);
  expect(existsSync(prefix)).toBe(false);
});

test('an unsupported OS or architecture names what it found and what is supported; nothing installed', async () => {
  makeRelease('0.1.0');
  const badOs = await install({ ONE_MCP_INSTALL_OS: 'plan9' });
  expect(badOs.code).not.toBe(0);
  expect(badOs.out).toContain(`no 1mcp binary for plan9/${arch}`);
  expect(badOs.out).toContain('supported: linux-x64, linux-arm64, darwin-x64, darwin-arm64, windows-x64');

  const badArch = await install({ ONE_MCP_INSTALL_ARCH: 'riscv64' });
  expect(badArch.code).not.toBe(0);
  expect(badArch.out).toContain(`no 1mcp binary for ${os}/riscv64`);
  expect(existsSync(prefix)).toBe(false);
});

test('windows gets the .exe asset and installs 1mcp.exe', async () => {
  const body = '#!/bin/sh\necho 0.4.0\n';
  writeFileSync(join(release, '1mcp-windows-x64.exe'), body);
  writeFileSync(join(release, 'SHA256SUMS'), `${sha256(body)} *1mcp-windows-x64.exe\n`);
  const r = await install({ ONE_MCP_INSTALL_OS: 'windows', ONE_MCP_INSTALL_ARCH: 'x64' });
  expect(r.code).toBe(0);
  expect(r.out).toContain(`1mcp 0.4.0 installed to ${prefix}/1mcp.exe`);
});

test('a binary that cannot report its version fails the install loudly and never replaces the working one', async () => {
  makeRelease('0.1.0');
  expect((await install()).code).toBe(0);
  const before = installed();
  makeRelease('0.2.0', undefined, '#!/bin/sh\necho boom >&2\nexit 3\n');
  const r = await install();
  expect(r.code).not.toBe(0);
  expect(r.out).toContain("the downloaded 1mcp does not run here ('1mcp --version' failed: boom); nothing installed");
  expect(installed().equals(before)).toBe(true);
  expect(readdirSync(prefix)).toEqual(['1mcp']); // the staged copy is gone too
});

test('a copy into the install folder that fails half-way leaves nothing there but the earlier install', async () => {
  makeRelease('0.1.0');
  expect((await install()).code).toBe(0);
  const before = installed();
  makeRelease('0.2.0');
  // A cp that writes half a file and fails when copying into the staging folder (a full disk, say).
  const box = toolbox(['cp']);
  const realCp = Bun.which('cp', { PATH: SYSTEM_PATH })!;
  writeFileSync(join(box, 'cp'), `#!/bin/sh\ncase "$2" in */.1mcp.*) printf half > "$2"; exit 1 ;; esac\nexec ${realCp} "$@"\n`);
  chmodSync(join(box, 'cp'), 0o755);
  const r = await install({ PATH: box });
  expect(r.code).not.toBe(0);
  expect(r.out).toContain(`cannot write to ${prefix}; pick another folder with --prefix`);
  expect(installed().equals(before)).toBe(true);
  expect(readdirSync(prefix)).toEqual(['1mcp']);
  expect(readdirSync(scratch)).toEqual([]);
});

test('--version V with ONE_MCP_INSTALL_BASE holding another version installs nothing and says so', async () => {
  makeRelease('0.1.0');
  expect((await install()).code).toBe(0);
  const before = installed();
  makeRelease('0.2.0');
  const r = await install({}, ['--prefix', prefix, '--version', '9.9.9']);
  expect(r.code).not.toBe(0);
  expect(r.out).toContain(`asked for version 9.9.9, but the release at ${release} is 0.2.0; nothing installed`);
  expect(r.out).toContain('point ONE_MCP_INSTALL_BASE at the folder of release 9.9.9, or leave out --version');
  expect(installed().equals(before)).toBe(true);
  expect(readdirSync(prefix)).toEqual(['1mcp']);
  expect(readdirSync(scratch)).toEqual([]);
});

test('--version V with ONE_MCP_INSTALL_BASE holding V installs it (with or without the leading v)', async () => {
  makeRelease('0.2.0');
  for (const wanted of ['0.2.0', 'v0.2.0']) {
    const r = await install({}, ['--prefix', prefix, '--version', wanted]);
    expect(r.out).toContain(`1mcp 0.2.0 installed to ${prefix}/1mcp`);
    expect(r.code).toBe(0);
  }
});

test('plain http:// (any case) and other schemes are refused before anything is downloaded', async () => {
  makeRelease('0.1.0');
  for (const base of ['http://127.0.0.1:9/release', 'HTTP://example.com/release', 'ftp://example.com/release']) {
    const r = await install({ ONE_MCP_INSTALL_BASE: base });
    expect(r.code).not.toBe(0);
    expect(r.out).toContain(`refusing ONE_MCP_INSTALL_BASE=${base}: only https:// URLs, file:// URLs and local folders are allowed`);
    expect(r.out).not.toContain('Downloading');
  }
  expect(existsSync(prefix)).toBe(false);
  expect(readdirSync(scratch)).toEqual([]);
});

test('--help describes the options and the environment variables', async () => {
  const r = await install({}, ['--help']);
  expect(r.code).toBe(0);
  for (const word of ['--prefix', '--version', 'ONE_MCP_INSTALL_BASE', 'ONE_MCP_INSTALL_PREFIX', 'ONE_MCP_INSTALL_OS', 'ONE_MCP_INSTALL_ARCH']) {
    expect(r.out).toContain(word);
  }
  const bad = await install({}, ['--frobnicate']);
  expect(bad.code).not.toBe(0);
  expect(bad.out).toContain('unknown option --frobnicate');
});

test('--version picks a versioned release URL (seen offline: no downloader on PATH)', async () => {
  const box = toolbox(['curl', 'wget']);
  const r = await install({ PATH: box, ONE_MCP_INSTALL_BASE: '' }, ['--prefix', prefix, '--version', 'v0.5.0']);
  expect(r.code).not.toBe(0);
  expect(r.out).toContain('need curl or wget to download https://github.com/1mcp-dev/1mcp/releases/download/v0.5.0/SHA256SUMS');
  expect(existsSync(prefix)).toBe(false);
});

describe.skipIf(!Bun.which('openssl'))('over HTTPS (localhost, self-signed certificate)', () => {
  let tls: string; // folder with the certificate, its key and a wgetrc naming the certificate
  let trust: Record<string, string>; // env that makes curl and wget (and nothing else) trust it
  let server: ReturnType<typeof Bun.serve>;
  let plain: ReturnType<typeof Bun.serve>; // a plain-http twin of the release folder
  let plainRequests: string[];
  let beforeAsset: (() => void) | undefined; // runs when the binary is requested, before it is sent

  beforeAll(() => {
    tls = mkdtempSync(join(tmpdir(), '1mcp-install-tls-'));
    const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', join(tls, 'key.pem'), '-out', join(tls, 'cert.pem'), '-days', '2', '-subj', '/CN=127.0.0.1',
      '-addext', 'subjectAltName=IP:127.0.0.1'], { encoding: 'utf8' });
    if (made.status !== 0) throw new Error(`openssl failed: ${made.stderr}`);
    writeFileSync(join(tls, 'wgetrc'), `ca_certificate = ${join(tls, 'cert.pem')}\n`);
    trust = { CURL_CA_BUNDLE: join(tls, 'cert.pem'), WGETRC: join(tls, 'wgetrc') };
  });
  afterAll(() => rmSync(tls, { recursive: true, force: true }));

  const fileResponse = (name: string) => {
    const file = join(release, name);
    return existsSync(file) ? new Response(Bun.file(file)) : new Response('not found', { status: 404 });
  };

  beforeEach(() => {
    plainRequests = [];
    beforeAsset = undefined;
    plain = Bun.serve({
      port: 0,
      hostname: '127.0.0.1',
      fetch(req) {
        const name = new URL(req.url).pathname.split('/').pop() ?? '';
        plainRequests.push(name);
        return fileResponse(name);
      },
    });
    server = Bun.serve({
      port: 0,
      hostname: '127.0.0.1',
      tls: { cert: readFileSync(join(tls, 'cert.pem'), 'utf8'), key: readFileSync(join(tls, 'key.pem'), 'utf8') },
      fetch(req) {
        const [, folder, name = ''] = new URL(req.url).pathname.split('/');
        // /hop/… redirects within https, as GitHub's release URLs do; /to-http/… downgrades to plain http.
        if (folder === 'hop') return Response.redirect(`https://127.0.0.1:${server.port}/release/${name}`, 302);
        if (folder === 'relative') return new Response(null, { status: 302, headers: { Location: `/release/${name}` } });
        if (folder === 'to-http') return Response.redirect(`http://127.0.0.1:${plain.port}/release/${name}`, 302);
        if (name === ASSET) beforeAsset?.();
        return fileResponse(name);
      },
    });
  });
  afterEach(() => {
    server.stop(true);
    plain.stop(true);
  });
  const base = (folder = 'release') => `https://127.0.0.1:${server.port}/${folder}`;

  for (const downloader of ['curl', 'wget']) {
    const other = downloader === 'curl' ? 'wget' : 'curl';
    describe.skipIf(!Bun.which(downloader, { PATH: SYSTEM_PATH }))(`with ${downloader}`, () => {
      test('downloads and installs; follows https redirects (absolute and relative)', async () => {
        makeRelease('0.6.0');
        const box = toolbox([other]);
        for (const folder of ['release', 'hop', 'relative']) {
          const r = await install({ ...trust, PATH: box, ONE_MCP_INSTALL_BASE: base(folder) });
          expect(r.out).toContain(`1mcp 0.6.0 installed to ${prefix}/1mcp`);
          expect(r.code).toBe(0);
        }
        expect(readdirSync(scratch)).toEqual([]);
      });

      test('a redirect from https to http is refused before anything is fetched over http; nothing installed', async () => {
        makeRelease('0.6.0');
        const r = await install({ ...trust, PATH: toolbox([other]), ONE_MCP_INSTALL_BASE: base('to-http') });
        expect(r.code).not.toBe(0);
        expect(r.out).toMatch(/refused to (download|follow a redirect from) https:\/\/127\.0\.0\.1:\d+\/to-http\/SHA256SUMS/);
        expect(r.out).toContain('nothing installed');
        expect(plainRequests).toEqual([]);
        expect(existsSync(prefix)).toBe(false);
        expect(readdirSync(scratch)).toEqual([]);
      });

      test('an http:// base is refused; the http server is never asked', async () => {
        makeRelease('0.6.0');
        const r = await install({ PATH: toolbox([other]), ONE_MCP_INSTALL_BASE: `http://127.0.0.1:${plain.port}/release` });
        expect(r.code).not.toBe(0);
        expect(r.out).toContain(`refusing ONE_MCP_INSTALL_BASE=http://127.0.0.1:${plain.port}/release`);
        expect(plainRequests).toEqual([]);
        expect(existsSync(prefix)).toBe(false);
      });

      test('a certificate the downloader does not trust fails; nothing installed', async () => {
        makeRelease('0.6.0');
        const r = await install({ PATH: toolbox([other]), ONE_MCP_INSTALL_BASE: base() });
        expect(r.code).not.toBe(0);
        expect(r.out).toContain(`could not download ${base()}/SHA256SUMS (nothing installed)`);
        expect(existsSync(prefix)).toBe(false);
      });

      test('a 404 is a clear error; nothing installed', async () => {
        makeRelease('0.6.0');
        rmSync(join(release, ASSET));
        const r = await install({ ...trust, PATH: toolbox([other]), ONE_MCP_INSTALL_BASE: base() });
        expect(r.code).not.toBe(0);
        expect(r.out).toContain(`could not download ${base()}/${ASSET}`);
        expect(existsSync(prefix)).toBe(false);
      });
    });
  }

  test.skipIf(!Bun.which('wget', { PATH: SYSTEM_PATH }))('the wget redirect loop runs under every shell', async () => {
    makeRelease('0.6.0');
    const box = toolbox(['curl']);
    for (const shell of SHELLS) {
      const ok = await install({ ...trust, PATH: box, ONE_MCP_INSTALL_BASE: base('hop') }, ['--prefix', prefix], shell);
      expect(ok.out).toContain('1mcp 0.6.0 installed');
      const refused = await install({ ...trust, PATH: box, ONE_MCP_INSTALL_BASE: base('to-http') }, ['--prefix', prefix], shell);
      expect(refused.out).toContain('refused to follow a redirect');
      expect(refused.code).not.toBe(0);
    }
    expect(plainRequests).toEqual([]);
  });

  test('staging uses a fresh name: a symlink planted at the old predictable name is not written through', async () => {
    makeRelease('0.6.0');
    mkdirSync(prefix);
    const victim = join(dir, 'victim');
    writeFileSync(victim, 'precious\n');
    const planted = () => join(prefix, `.1mcp.tmp.${lastPid}`);
    // The script is past mktemp of its download folder when it asks for the binary: plant the link then.
    beforeAsset = () => symlinkSync(victim, planted());
    const r = await install({ ...trust, ONE_MCP_INSTALL_BASE: base() });
    expect(r.out).toContain(`1mcp 0.6.0 installed to ${prefix}/1mcp`);
    expect(r.code).toBe(0);
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
    expect(installed().toString()).toContain('echo 0.6.0');
    expect(readdirSync(prefix).sort()).toEqual([`.1mcp.tmp.${lastPid}`, '1mcp']); // only the planted link beside it
  });
});
