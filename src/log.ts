/**
 * One small logger for every command: levels, stderr and/or a file, secrets never printed.
 * For stdio commands (proxy) stdout is the protocol, so logs go only to the file.
 */
import { appendFileSync, closeSync, fchmodSync, existsSync, fstatSync, mkdirSync, openSync, statSync, type Stats } from 'node:fs';
import { dirname } from 'node:path';
import { OneMcpError } from './errors.ts';
import { LOG_KEEP } from './runtime/detach.ts';
import { RotatingFile } from './runtime/rotating-file.ts';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
  level: LogLevel;
  enabled(level: LogLevel): boolean;
  /**
   * Follow the lines this logger writes (the dashboard's live tail): `recent` holds the last few written
   * so far, `listener` gets each new one until `stop()`.
   */
  subscribe?(listener: (line: LogLine) => void): { recent: LogLine[]; stop(): void };
}

export interface LogLine {
  time: string;
  level: LogLevel;
  message: string;
}

/** Lines kept for a follower that arrives later: enough for a screenful, a few KiB at most. */
const RECENT_LINES = 100;

export function createLogger(options: { level?: LogLevel; file?: string; stderr?: boolean; maxBytes?: number } = {}): Logger {
  const level = options.level ?? 'info';
  const rotating = options.file && options.maxBytes ? openRotating(options.file, options.maxBytes) : undefined;
  // When stderr already is the log file (`1mcp start`), a line echoed there would be written twice.
  const toStderr = (options.stderr ?? true) && !rotating?.sharedWithStderr;
  if (options.file && !rotating) prepareLogFile(options.file);
  const listeners = new Set<(line: LogLine) => void>();
  const recent: LogLine[] = [];
  const write = (l: LogLevel, msg: string) => {
    if (ORDER[l] < ORDER[level]) return;
    const time = new Date().toISOString();
    const line = `${time} ${l.toUpperCase().padEnd(5)} ${msg}\n`;
    const entry = { time, level: l, message: msg };
    if (recent.push(entry) > RECENT_LINES) recent.shift();
    for (const listener of listeners) {
      try {
        listener(entry);
      } catch {}
    }
    if (toStderr) process.stderr.write(line);
    if (rotating) {
      // Written now, not on the next tick: a line logged just before an exit must not be lost.
      rotating.file.write(line);
      rotating.file.flush();
    } else if (options.file) {
      try {
        appendFileSync(options.file, line, { mode: 0o600 });
      } catch {}
    }
  };
  return {
    level,
    enabled: (l) => ORDER[l] >= ORDER[level],
    debug: (m) => write('debug', m),
    info: (m) => write('info', m),
    warn: (m) => write('warn', m),
    error: (m) => write('error', m),
    subscribe(listener) {
      listeners.add(listener);
      return { recent: [...recent], stop: () => void listeners.delete(listener) };
    },
  };
}

/**
 * `--log-file` with a size limit (serve's --log-max-size): written through the rotating writer, which
 * rotates in place when serve's own stderr is that same file, so both keep landing in the live one.
 * Something that is not a regular file (a terminal, /dev/stderr) cannot rotate and is appended to as before.
 */
function openRotating(file: string, maxBytes: number): { file: RotatingFile; sharedWithStderr: boolean } | undefined {
  let target: Stats | undefined;
  try {
    target = statSync(file);
  } catch {}
  if (target && !target.isFile()) return undefined;
  let sharedWithStderr = false;
  try {
    const stderr = fstatSync(2);
    sharedWithStderr = !!target && stderr.isFile() && stderr.dev === target.dev && stderr.ino === target.ino;
  } catch {}
  try {
    return { file: new RotatingFile(file, maxBytes, LOG_KEEP, () => {}, sharedWithStderr), sharedWithStderr };
  } catch (error) {
    if (error instanceof OneMcpError) throw error;
    throw new OneMcpError(`cannot write the log file ${file}: ${(error as Error).message}; choose another --log-file`);
  }
}

/**
 * Logs can hold server output and paths: the file is created 0600 (an existing one of ours is
 * narrowed to 0600) and a folder created for it gets 0700.
 */
function prepareLogFile(file: string): void {
  try {
    const dir = dirname(file);
    if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: 0o700 });
    const fd = openSync(file, 'a', 0o600);
    try {
      const st = fstatSync(fd);
      const mine = typeof process.getuid !== 'function' || st.uid === process.getuid();
      if (mine && st.isFile() && (st.mode & 0o077) !== 0) fchmodSync(fd, 0o600);
    } finally {
      closeSync(fd);
    }
  } catch {}
}

export function isLogLevel(v: unknown): v is LogLevel {
  return typeof v === 'string' && v in ORDER;
}
