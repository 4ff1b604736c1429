/** A fake home for tests of client configs (`app …`): per-OS folders, file writing, byte snapshots. */
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export type Platform = 'linux' | 'darwin' | 'win32';

/** Per-user application data on each OS (what Electron apps use), under `home`. */
export function appData(home: string, platform: Platform): string {
  if (platform === 'win32') return join(home, 'AppData', 'Roaming');
  if (platform === 'darwin') return join(home, 'Library', 'Application Support');
  return join(home, '.config');
}

export function writeFile(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

export const crlf = (text: string) => text.replace(/\n/g, '\r\n');

/** The environment of a CLI run in the fake home: nothing from the real user's locations leaks in. */
export function fakeHomeEnv(home: string): Record<string, string | undefined> {
  return { HOME: home, USERPROFILE: undefined, XDG_CONFIG_HOME: undefined, APPDATA: undefined, CODEX_HOME: undefined, CLAUDE_CONFIG_DIR: undefined };
}

/** Every file under `roots`, as bytes (base64), leaving out bun's own cache in `home` (it keeps one there when run from source). */
export function snapshotFiles(home: string, ...roots: string[]): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (path === join(home, '.bun')) continue;
      if (statSync(path).isDirectory()) walk(path);
      else out.set(path, readFileSync(path).toString('base64'));
    }
  };
  for (const root of roots) walk(root);
  return out;
}
