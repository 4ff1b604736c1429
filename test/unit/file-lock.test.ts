/**
 * The lock that serialises CLI writes (withFileLock): a lock left by a dead process is taken over, a
 * live process's lock is waited for and never removed under it.
 */
import { afterEach, expect, test } from 'bun:test';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withFileLock } from '../../src/config/safe-write.ts';
import { makeTempDir, type TempDir } from '../helpers/tmp.ts';

let tmp: TempDir | undefined;
afterEach(() => tmp?.cleanup());

function deadPid(): number {
  const child = spawnSync('sh', ['-c', 'echo $$']);
  return Number(String(child.stdout).trim());
}

test('a lock whose owner is dead is taken over; nothing is left behind', () => {
  tmp = makeTempDir();
  const file = join(tmp.path, 'mcp.json');
  writeFileSync(`${file}.lock`, String(deadPid()));
  const seen = withFileLock(file, () => existsSync(`${file}.lock`));
  expect(seen).toBe(true); // held by us while fn ran
  expect(readdirSync(tmp.path)).toEqual([]);
});

test('a live process’s lock is waited for, not removed under it', async () => {
  tmp = makeTempDir();
  const file = join(tmp.path, 'mcp.json');
  const marker = join(tmp.path, 'released');
  // A live "owner": holds the lock a moment, writes the marker, then releases.
  const owner = spawn('sh', ['-c', `echo $$ > "${file}.lock"; sleep 0.4; touch "${marker}"; rm "${file}.lock"`], { stdio: 'ignore' });
  while (!existsSync(`${file}.lock`)) await Bun.sleep(5);
  const ranAfterRelease = withFileLock(file, () => existsSync(marker));
  expect(ranAfterRelease).toBe(true);
  await new Promise((r) => (owner.exitCode !== null ? r(undefined) : owner.on('exit', r)));
  expect(readdirSync(tmp.path).sort()).toEqual(['released']);
});
