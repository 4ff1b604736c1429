/**
 * `server.pid` (docs/configuration.md): written by `serve` once it listens, so proxies and the CLI can find it.
 * Checked by hand rather than with zod: the proxy reads it on its start-up path.
 */
import { readFileSync, rmSync } from 'node:fs';
import { writeFileAtomic } from './safe-write.ts';

export interface PidFile {
  pid: number;
  url: string;
  port?: number;
  host?: string;
  transport?: string;
  startedAt?: string;
  configDir?: string;
  version?: string;
  [extra: string]: unknown;
}

export function parsePidFile(text: string): PidFile | undefined {
  try {
    const v = JSON.parse(text) as Partial<PidFile>;
    if (!v || typeof v !== 'object' || !Number.isInteger(v.pid) || (v.pid as number) <= 0 || typeof v.url !== 'string') return undefined;
    return v as PidFile;
  } catch {
    return undefined;
  }
}

export function readPidFile(path: string): PidFile | undefined {
  try {
    return parsePidFile(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

export function writePidFile(path: string, data: PidFile): void {
  writeFileAtomic(path, `${JSON.stringify(data, null, 2)}\n`);
}

/** Remove the file only if it still holds our pid (never another serve's, nor one we cannot read). */
export function removePidFile(path: string, pid = process.pid): void {
  if (readPidFile(path)?.pid !== pid) return;
  rmSync(path, { force: true });
}
