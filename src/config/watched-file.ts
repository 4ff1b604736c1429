/**
 * "Read this file again only if it changed": the file watcher may lag behind a write by a moment, so
 * serve also looks at the modification time when it needs a fresh copy (tokens.json on each request
 * with a token, presets.json when a preset is not found). A missing file counts as time 0.
 */
import { statSync } from 'node:fs';

export interface MtimeCheck {
  /** True when the file's modification time differs from the last call (always on the first call). */
  changed(): boolean;
}

export function mtimeCheck(path: string): MtimeCheck {
  let seen: number | undefined;
  return {
    changed() {
      const now = mtimeOf(path);
      if (now === seen) return false;
      seen = now;
      return true;
    },
  };
}

function mtimeOf(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}
