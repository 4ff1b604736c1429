/**
 * What the npm package declares matches what the code uses: strict installers (pnpm, Yarn PnP) only give a
 * package its declared dependencies, so an import that works "because the SDK pulls it in" breaks there.
 */
import { expect, test } from 'bun:test';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers/cli.ts';

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

/** Package names imported by src/ (static and dynamic imports; type-only imports are erased). */
function importedPackages(): Set<string> {
  const transpiler = new Bun.Transpiler({ loader: 'ts' });
  const names = new Set<string>();
  for (const file of new Bun.Glob('src/**/*.ts').scanSync(ROOT)) {
    const code = readFileSync(join(ROOT, file), 'utf8').replace(/^#!.*/, '');
    for (const { path } of transpiler.scanImports(code)) {
      if (path.startsWith('.') || path.startsWith('node:') || path === 'bun' || path.startsWith('bun:')) continue;
      const parts = path.split('/');
      names.add(path.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!);
    }
  }
  return names;
}

test('every package src/ imports is a declared dependency, pinned exactly, and nothing unused is declared', () => {
  const imported = [...importedPackages()].sort();
  const declared = Object.keys(pkg.dependencies).sort();
  expect(imported).toContain('@hono/node-server'); // the Node HTTP adapter in src/runtime/http.ts
  expect(declared).toEqual(imported);
  for (const [name, range] of Object.entries<string>(pkg.dependencies)) {
    expect({ name, range }).toEqual({ name, range: expect.stringMatching(/^\d+\.\d+\.\d+$/) });
  }
});

test('@hono/node-server is the same version the SDK uses (one copy, no extra download)', () => {
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8'));
  expect(lock.packages['node_modules/@hono/node-server'].version).toBe(pkg.dependencies['@hono/node-server']);
  expect(lock.packages['node_modules/@modelcontextprotocol/sdk/node_modules/@hono/node-server']).toBeUndefined();
});

test('LICENSE is MIT as package.json says, and npm pack ships it', () => {
  expect(pkg.license).toBe('MIT');
  const license = readFileSync(join(ROOT, 'LICENSE'), 'utf8');
  expect(license).toStartWith('MIT License\n');
  expect(license).toContain('1mcp contributors');
  const pack = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' });
  expect(pack.status).toBe(0);
  const files = JSON.parse(pack.stdout)[0].files.map((f: { path: string }) => f.path);
  expect(files).toContain('LICENSE');
});

test('no dependency in the lock file needs a newer Node than package.json promises (no EBADENGINE on npm ci)', () => {
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8'));
  const floor = pkg.engines.node.replace(/^>=\s*/, ''); // ">=20.19"
  const [floorMajor] = floor.split('.').map(Number);
  const tooNew: string[] = [];
  for (const [path, entry] of Object.entries<any>(lock.packages)) {
    const wanted: string | undefined = entry.engines?.node;
    const min = wanted?.match(/^\s*(?:>=?|\^|~)?\s*(\d+)/);
    if (min && Number(min[1]) > floorMajor!) tooNew.push(`${path}@${entry.version} wants node ${wanted}`);
  }
  expect(tooNew).toEqual([]);
});
