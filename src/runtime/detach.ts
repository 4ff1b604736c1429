/**
 * Running 1mcp itself in the background (`1mcp start`): a detached child in its own session and
 * process group, so closing the terminal (SIGHUP) or Ctrl-C in it does not reach serve, with stdout
 * and stderr appended to a log file that is rotated by size before each start (and, for serve, kept
 * within its limit while it runs by serve's own logger: runtime/rotating-file.ts, in place).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, closeSync, constants, existsSync, fstatSync, mkdirSync, openSync, readFileSync, readSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { OneMcpError } from '../errors.ts';
import { isCompiledBinary } from './env.ts';
import { isProcessAlive } from './process.ts';

/**
 * The command that runs this very program again: the compiled binary is its own executable; under
 * Node or Bun from source it is the runtime plus the script it runs (never `npx`, which would fetch
 * and could resolve a different version than the one asked to start).
 */
export function selfCommand(): { command: string; args: string[] } {
  if (isCompiledBinary()) return { command: process.execPath, args: [] };
  const script = process.argv[1];
  if (!script) throw new Error('cannot tell which script is running (process.argv[1] is empty)');
  return { command: process.execPath, args: [script] };
}

export const LOG_MAX_BYTES = 5 * 1024 * 1024;
export const LOG_KEEP = 3;

/**
 * When `path` has grown to `maxBytes` or more, shift it to `path.1` (`.1` → `.2` …, the oldest beyond
 * `keep` is dropped). Called before a start, so a running serve never has its file renamed under it.
 */
export function rotateLog(path: string, maxBytes = LOG_MAX_BYTES, keep = LOG_KEEP): boolean {
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    return false;
  }
  if (size < maxBytes) return false;
  shiftLogFiles(path, keep);
  return true;
}

/**
 * `path` → `path.1`, `.1` → `.2` …; the oldest beyond `keep` is dropped (also used by the audit log).
 * `keepCurrent`: shift only the older files, leaving `path` (and a free `.1`) to the caller.
 */
export function shiftLogFiles(path: string, keep: number, options: { keepCurrent?: boolean } = {}): void {
  rmSync(`${path}.${keep}`, { force: true });
  for (let i = keep - 1; i >= 1; i--) {
    if (existsSync(`${path}.${i}`)) renameSync(`${path}.${i}`, `${path}.${i + 1}`);
  }
  if (!options.keepCurrent) renameSync(path, `${path}.1`);
}

/**
 * Open the log for appending, owner-only: it holds backend stderr, which may show secrets. The folder
 * is created 0700; a symlink planted at the log's name is refused rather than followed.
 */
export function openLogFile(path: string): number {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const noFollow = process.platform === 'win32' ? 0 : constants.O_NOFOLLOW;
  let fd: number;
  try {
    fd = openSync(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | noFollow, 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOOP') throw new OneMcpError(`refusing to write the log ${path}: it is a symbolic link, and 1mcp does not write through links; remove it and try again`);
    throw error;
  }
  // The mode above applies only to a new file; an older one may have been created more open.
  if (process.platform !== 'win32' && (fstatSync(fd).mode & 0o077) !== 0) chmodSync(path, 0o600);
  return fd;
}

export interface DetachedChild {
  pid: number;
  child: ChildProcess;
}

/** Spawn `command args` detached with stdin closed and stdout/stderr appended to `logPath`. */
export function spawnDetached(options: { command: string; args: string[]; cwd: string; env: NodeJS.ProcessEnv; logPath: string }): Promise<DetachedChild> {
  const fd = openLogFile(options.logPath);
  return new Promise((resolve, reject) => {
    let child: ChildProcess;
    try {
      child = spawn(options.command, options.args, {
        cwd: options.cwd,
        env: options.env,
        // setsid() on POSIX: a new session and process group led by the child.
        detached: true,
        stdio: ['ignore', fd, fd],
        windowsHide: true,
      });
    } catch (error) {
      closeSync(fd);
      return reject(error);
    }
    // The child has its own copy of the descriptor now.
    closeSync(fd);
    child.once('error', reject);
    child.once('spawn', () => {
      child.off('error', reject);
      child.on('error', () => {});
      resolve({ pid: child.pid!, child });
    });
  });
}

/** The last `lines` lines of a file from byte `from` on (what this start wrote), for error messages. */
export function tailOfFile(path: string, lines: number, from = 0, maxBytes = 64 * 1024): string[] {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return [];
  }
  try {
    const size = fstatSync(fd).size;
    const start = Math.max(from, size - maxBytes);
    if (size <= start) return [];
    const buffer = Buffer.alloc(size - start);
    readSync(fd, buffer, 0, buffer.length, start);
    const text = buffer.toString('utf8').replace(/\r\n/g, '\n').replace(/\n+$/, '');
    return text === '' ? [] : text.split('\n').slice(-lines);
  } finally {
    closeSync(fd);
  }
}

/**
 * Whether a process still runs. A zombie counts as gone: a detached serve that exited waits there
 * until its new parent reaps it, and it holds nothing but its pid. (Linux can tell; elsewhere the
 * signal probe is all there is.)
 */
export function isRunning(pid: number): boolean {
  if (!isProcessAlive(pid)) return false;
  if (process.platform !== 'linux') return true;
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = text.slice(text.lastIndexOf(')') + 2)[0];
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}
