/**
 * Build everything that ships (README.md):
 *   bun scripts/build.ts          host binary dist/1mcp + npm bundle dist/npm/
 *   bun scripts/build.ts --all    also dist/1mcp-<os>-<arch>[.exe] for every platform + dist/SHA256SUMS
 * Compiled binaries must not read a user's .env or bunfig.toml (a compiled Bun binary reads both from the working directory by default), hence the two flags.
 */
import { $ } from 'bun';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dir, '..');
const dist = join(root, 'dist');
const all = process.argv.includes('--all');

const TARGETS = [
  { os: 'linux', arch: 'x64' },
  { os: 'linux', arch: 'arm64' },
  { os: 'darwin', arch: 'x64' },
  { os: 'darwin', arch: 'arm64' },
  { os: 'windows', arch: 'x64' },
] as const;

const COMPILE_FLAGS = ['--compile', '--minify', '--bytecode', '--no-compile-autoload-dotenv', '--no-compile-autoload-bunfig'];

async function compile(outfile: string, target?: string) {
  const started = performance.now();
  const args = [...COMPILE_FLAGS, ...(target ? [`--target=${target}`] : []), join(root, 'src/main.ts'), '--outfile', outfile];
  await $`${process.execPath} build ${args}`.cwd(root).quiet();
  console.log(`built ${outfile.slice(root.length + 1)} in ${Math.round(performance.now() - started)} ms`);
}

/** The npm package: ESM for Node ≥ 20.19, dependencies left to npm, command modules split out. */
async function bundleForNode() {
  const out = join(dist, 'npm');
  rmSync(out, { recursive: true, force: true });
  const result = await Bun.build({
    entrypoints: [join(root, 'src/main.ts')],
    outdir: out,
    target: 'node',
    format: 'esm',
    splitting: true,
    minify: true,
    packages: 'external',
    naming: { entry: '1mcp.js', chunk: 'chunks/[name]-[hash].js' },
  });
  if (!result.success) {
    for (const log of result.logs) console.error(log);
    throw new Error('npm bundle failed');
  }
  const entry = join(out, '1mcp.js');
  const code = readFileSync(entry, 'utf8').replace(/^#!.*\n/, '');
  writeFileSync(entry, `#!/usr/bin/env node\n${code}`);
  chmodSync(entry, 0o755);
  console.log('built dist/npm/1mcp.js (Node bundle)');
}

mkdirSync(dist, { recursive: true });
await compile(join(dist, process.platform === 'win32' ? '1mcp.exe' : '1mcp'));
await bundleForNode();
if (all) {
  const sums: string[] = [];
  for (const t of TARGETS) {
    const name = `1mcp-${t.os}-${t.arch}${t.os === 'windows' ? '.exe' : ''}`;
    await compile(join(dist, name), `bun-${t.os}-${t.arch}`);
    sums.push(`${createHash('sha256').update(readFileSync(join(dist, name))).digest('hex')}  ${name}`);
  }
  writeFileSync(join(dist, 'SHA256SUMS'), `${sums.join('\n')}\n`);
  console.log('wrote dist/SHA256SUMS');
}
