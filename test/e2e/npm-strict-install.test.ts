/**
 * The npm package under a strict installer: with npm's isolated layout (`--install-strategy=linked`, what pnpm
 * does by default) a package sees only the dependencies it declares, not its dependencies' dependencies.
 * `serve` under Node imports @hono/node-server, so it must be declared, not borrowed from the SDK.
 */
import { afterAll, expect, test } from 'bun:test';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers/cli.ts';
import { freePort } from '../helpers/ports.ts';
import { assertNoSurvivors, killTree, spawnTracked, waitFor, waitForExit } from '../helpers/processes.ts';
import { makeTempDir } from '../helpers/tmp.ts';

const tmp = makeTempDir('1mcp-strict-');
afterAll(() => tmp.cleanup());

test('installed with an isolated (pnpm-like) layout, serve runs under Node and answers /health', async () => {
  const env = { ...process.env, npm_config_loglevel: 'error' };
  // `npm test` on a fresh clone has not built yet: the package needs the Node bundle.
  if (!existsSync(join(ROOT, 'dist', 'npm', '1mcp.js'))) execFileSync(join(ROOT, 'node_modules', '.bin', 'bun'), ['scripts/build.ts'], { cwd: ROOT });
  const out = execFileSync('npm', ['pack', '--pack-destination', tmp.path, '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8', env });
  const tarball = join(tmp.path, out.trim().split('\n').at(-1)!);
  const app = join(tmp.path, 'app');
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--install-strategy=linked', '--prefix', app, tarball], { encoding: 'utf8', env, timeout: 120_000 });

  // The layout really is isolated: 1mcp's own node_modules holds only what package.json declares.
  const store = join(app, 'node_modules', '.store');
  const own = readdirSync(store).find((name) => name.startsWith('1mcp@'))!;
  expect(readdirSync(join(store, own, 'node_modules', '@hono'))).toEqual(['node-server']);
  expect(existsSync(join(app, 'node_modules', '@hono'))).toBe(false);

  const port = await freePort();
  const serve = spawnTracked(join(app, 'node_modules', '.bin', '1mcp'), ['serve', '--port', String(port), '--config-dir', join(tmp.path, 'cfg')]);
  let output = '';
  serve.stdout!.on('data', (chunk) => (output += chunk));
  serve.stderr!.on('data', (chunk) => (output += chunk));
  try {
    const health = await waitFor(
      async () => {
        if (serve.exitCode !== null) throw new Error(`serve exited ${serve.exitCode}: ${output}`);
        return fetch(`http://127.0.0.1:${port}/health`).then((r) => (r.ok ? r.json() : undefined), () => undefined);
      },
      { timeout: 15_000, what: 'serve under Node to answer /health' },
    );
    expect(health.status).toBe('healthy');
    serve.kill('SIGTERM');
    const exit = await waitForExit(serve, 10_000);
    expect(exit.code === 0 || exit.signal === 'SIGTERM').toBe(true);
  } finally {
    if (serve.exitCode === null) killTree(serve.pid!);
  }
  await assertNoSurvivors();
}, 180_000);
