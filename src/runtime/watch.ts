/**
 * Watch one file for changes. Editors replace files by rename, which breaks a watch on the file
 * itself, so we watch its folder and filter by name. The callback may fire several times per save:
 * callers debounce.
 */
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';

export function watchFile(path: string, onChange: () => void): { close(): void } {
  const dir = dirname(path);
  const name = basename(path);
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dir, { persistent: false }, (_event, filename) => {
      if (!filename || filename.toString() === name) onChange();
    });
    watcher.on('error', () => {});
  } catch {
    // The folder may not exist yet (no config written so far): nothing to watch.
  }
  return { close: () => watcher?.close() };
}
