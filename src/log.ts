/**
 * One small logger for every command: levels, stderr and/or a file, secrets never printed.
 * For stdio commands (proxy) stdout is the protocol, so logs go only to the file.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
  level: LogLevel;
  enabled(level: LogLevel): boolean;
}

export function createLogger(options: { level?: LogLevel; file?: string; stderr?: boolean } = {}): Logger {
  const level = options.level ?? 'info';
  const toStderr = options.stderr ?? true;
  if (options.file) {
    try {
      mkdirSync(dirname(options.file), { recursive: true });
    } catch {}
  }
  const write = (l: LogLevel, msg: string) => {
    if (ORDER[l] < ORDER[level]) return;
    const line = `${new Date().toISOString()} ${l.toUpperCase().padEnd(5)} ${msg}\n`;
    if (toStderr) process.stderr.write(line);
    if (options.file) {
      try {
        appendFileSync(options.file, line);
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
  };
}

export const silentLogger: Logger = createLogger({ level: 'error', stderr: false });

export function isLogLevel(v: unknown): v is LogLevel {
  return typeof v === 'string' && v in ORDER;
}
