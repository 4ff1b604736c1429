/**
 * `start.json` next to `server.pid`: how `1mcp start` last launched serve (its flags and folder), so
 * `1mcp restart` can launch it the same way. Written 0600; a file that cannot be read counts as absent.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from './safe-write.ts';

export interface StartState {
  /** serve's flags exactly as given to `start`. */
  args: string[];
  /** The folder `start` ran in: relative paths in `args` are relative to it. */
  cwd: string;
  /** The pid of the serve this start launched (leads its own process group). */
  pid?: number;
  startedAt?: string;
}

export function startStatePath(configDir: string): string {
  return join(configDir, 'start.json');
}

export function readStartState(configDir: string): StartState | undefined {
  try {
    const v = JSON.parse(readFileSync(startStatePath(configDir), 'utf8')) as Partial<StartState>;
    if (!Array.isArray(v.args) || !v.args.every((a) => typeof a === 'string') || typeof v.cwd !== 'string') return undefined;
    return { args: v.args, cwd: v.cwd, pid: Number.isInteger(v.pid) ? v.pid : undefined, startedAt: typeof v.startedAt === 'string' ? v.startedAt : undefined };
  } catch {
    return undefined;
  }
}

export function writeStartState(configDir: string, state: StartState): void {
  writeFileAtomic(startStatePath(configDir), `${JSON.stringify(state, null, 2)}\n`);
}
