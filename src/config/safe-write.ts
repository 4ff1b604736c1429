/**
 * Safe writes (see docs/security.md): atomic replace, a backup of the previous version (last 20 kept),
 * a lock so that two CLI processes editing the same file at once never lose either change, and
 * never through a symbolic link or in a folder another user owns.
 */
import { closeSync, constants, existsSync, fsyncSync, linkSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, readlinkSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { OneMcpError } from '../errors.ts';
import { isProcessAlive } from '../runtime/process.ts';

export const BACKUPS_KEPT = 20;

/** Exclusive create that never follows a symbolic link: a planted link or file makes it fail (EEXIST). */
const CREATE_NEW = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0);

/**
 * Refuse a folder that belongs to another user: they could swap our files for links (see
 * docs/security.md). POSIX only; Windows has no uid.
 */
export function assertOwnDir(dir: string): void {
  const uid = typeof process.getuid === 'function' ? process.getuid() : undefined;
  if (uid === undefined) return;
  let owner: number;
  try {
    owner = statSync(dir).uid;
  } catch {
    return;
  }
  if (owner !== uid) {
    throw new OneMcpError(`refusing to write in ${dir}: it belongs to another user (uid ${owner}; you are ${uid}); use a folder of your own, e.g. --config-dir`);
  }
}

/** Create a folder (and parents) with mode 0700 when it does not exist; refuse one owned by someone else. */
export function ensureDir(dir: string): void {
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: 0o700 });
  assertOwnDir(dir);
}

/** 1mcp writes files, never through symbolic links (a link could point anywhere). */
export function refuseSymlink(path: string, what = path): void {
  let isLink = false;
  try {
    isLink = lstatSync(path).isSymbolicLink();
  } catch {
    return;
  }
  if (isLink) {
    let target = '';
    try {
      target = ` to ${readlinkSync(path)}`;
    } catch {}
    throw new OneMcpError(`refusing to write ${what}: it is a symbolic link${target}, and 1mcp does not write through links; replace it with a regular file (or folder) and try again`);
  }
}

/** Write `text` to `path` atomically: a new temp file in the same folder, fsync, rename. Mode 0600. */
export function writeFileAtomic(path: string, text: string, mode = 0o600): void {
  ensureDir(dirname(path));
  refuseSymlink(path);
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
  const fd = openSync(tmp, CREATE_NEW, mode);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(tmp, path);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {}
    throw e;
  }
}

/** Copy the current content of `path` (if any) into `backupsDir`, keeping the newest BACKUPS_KEPT. */
export function backupFile(path: string, backupsDir: string): string | undefined {
  let current: Buffer;
  try {
    current = readFileSync(path);
  } catch {
    return undefined;
  }
  // backups/ and a folder in it (backups/codex) are ours to create: never through a link.
  const parent = dirname(backupsDir);
  if (basename(parent) === 'backups') refuseSymlink(parent, `backups into ${parent}`);
  refuseSymlink(backupsDir, `backups into ${backupsDir}`);
  ensureDir(backupsDir);
  const name = basename(path);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  // Exclusive, no-follow create: whatever already has a name (a file, a planted link) is skipped.
  for (let n = 0; ; n++) {
    const target = join(backupsDir, n === 0 ? `${name}.${stamp}.bak` : `${name}.${stamp}-${n}.bak`);
    let fd: number;
    try {
      fd = openSync(target, CREATE_NEW, 0o600);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST' && n < 1000) continue;
      throw new OneMcpError(`cannot write a backup in ${backupsDir}: ${(e as Error).message}`);
    }
    try {
      writeSync(fd, current);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    pruneBackups(backupsDir, name);
    return target;
  }
}

export function listBackups(backupsDir: string, fileName: string): string[] {
  let names: string[];
  try {
    names = readdirSync(backupsDir);
  } catch {
    return [];
  }
  // ISO stamps sort lexically in time order.
  return names.filter((n) => n.startsWith(`${fileName}.`) && n.endsWith('.bak')).sort();
}

function pruneBackups(backupsDir: string, fileName: string): void {
  const all = listBackups(backupsDir, fileName);
  for (const old of all.slice(0, Math.max(0, all.length - BACKUPS_KEPT))) {
    try {
      unlinkSync(join(backupsDir, old));
    } catch {}
  }
}

const LOCK_STALE_MS = 15_000;
const LOCK_WAIT_MS = 20_000;

/**
 * Run `fn` while holding `<path>.lock` (created with O_EXCL). A lock whose owner is dead, or that is
 * older than 15 s, is taken over. Synchronous on purpose: CLI writes are short.
 */
export function withFileLock<T>(path: string, fn: () => T): T {
  ensureDir(dirname(path));
  const lock = `${path}.lock`;
  const deadline = Date.now() + LOCK_WAIT_MS;
  let delay = 5;
  for (;;) {
    try {
      const fd = openSync(lock, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      if (takeOverStaleLock(lock)) continue;
      if (Date.now() > deadline) {
        throw new OneMcpError(`${path} is locked by another 1mcp process (${lock}); try again, or delete the lock file if no 1mcp command is running`);
      }
      sleepSync(delay + Math.random() * delay);
      delay = Math.min(delay * 2, 100);
    }
  }
  try {
    return fn();
  } finally {
    try {
      unlinkSync(lock);
    } catch {}
  }
}

/**
 * Remove `lock` if its owner is dead (or it is older than LOCK_STALE_MS). The check and the removal are
 * not one step: between them the owner may release it and another process take a fresh lock, which
 * must not be removed. So the lock is first renamed aside (atomic), and only deleted if what was moved
 * is still the file judged stale (same content); otherwise it is linked back in place.
 */
function takeOverStaleLock(lock: string): boolean {
  let content: string;
  let mtimeMs: number;
  try {
    content = readFileSync(lock, 'utf8');
    mtimeMs = statSync(lock).mtimeMs;
  } catch {
    return true; // released meanwhile: try again at once
  }
  const pid = Number(content);
  const stale = (pid > 0 && !isProcessAlive(pid)) || Date.now() - mtimeMs > LOCK_STALE_MS;
  if (!stale) return false;
  const aside = `${lock}.${process.pid}.${Math.random().toString(36).slice(2)}.stale`;
  try {
    renameSync(lock, aside);
  } catch {
    return true; // someone else took it over or it was released
  }
  let moved = '';
  try {
    moved = readFileSync(aside, 'utf8');
  } catch {}
  if (moved !== content) {
    // A fresh lock of a live process: put it back (fails only if yet another one was created).
    try {
      linkSync(aside, lock);
    } catch {}
  }
  try {
    unlinkSync(aside);
  } catch {}
  return true;
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));
function sleepSync(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

/**
 * Read-modify-write of a text file under its lock: `update` gets the current text (undefined when
 * the file does not exist) and returns the new text, or undefined to leave the file alone.
 * The previous version is backed up first. Validation errors thrown by `update` leave the file as it was.
 */
export function updateFile(path: string, backupsDir: string, update: (current: string | undefined) => string | undefined): { changed: boolean; backup?: string } {
  refuseSymlink(path);
  return withFileLock(path, () => {
    let current: string | undefined;
    try {
      current = readFileSync(path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    const next = update(current);
    if (next === undefined || next === current) return { changed: false };
    const backup = backupFile(path, backupsDir);
    writeFileAtomic(path, next);
    return { changed: true, backup };
  });
}
