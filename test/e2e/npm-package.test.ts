/** The npm package (README.md): `npm pack` makes a package that installs and runs under Node. */
import { expect, test } from 'bun:test';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../helpers/cli.ts';

test('npm pack → npm install → 1mcp runs under Node', () => {
  const dir = mkdtempSync(join(tmpdir(), '1mcp-pack-'));
  try {
    const env = { ...process.env, npm_config_loglevel: 'error' };
    // `npm test` on a fresh clone has not built yet: the package needs the Node bundle.
    if (!existsSync(join(ROOT, 'dist', 'npm', '1mcp.js'))) execFileSync(join(ROOT, 'node_modules', '.bin', 'bun'), ['scripts/build.ts'], { cwd: ROOT });
    const out = execFileSync('npm', ['pack', '--pack-destination', dir, '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8', env });
    const tarball = join(dir, out.trim().split('\n').at(-1)!);
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefix', join(dir, 'app'), tarball], { encoding: 'utf8', env, timeout: 120_000 });
    const bin = join(dir, 'app', 'node_modules', '.bin', '1mcp');
    const version = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version;
    expect(execFileSync(bin, ['--version'], { encoding: 'utf8' })).toBe(`${version}\n`);
    const add = spawnSync(bin, ['mcp', 'add', 'x', '--config-dir', join(dir, 'cfg'), '--', 'echo'], { encoding: 'utf8' });
    expect(add.status).toBe(0);
    const list = spawnSync(bin, ['mcp', 'list', '--json', '--config-dir', join(dir, 'cfg')], { encoding: 'utf8' });
    expect(JSON.parse(list.stdout)[0].name).toBe('x');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 180_000);
