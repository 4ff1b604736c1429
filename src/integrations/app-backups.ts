/**
 * What `app restore` needs to undo a consolidate: each client file's original bytes, kept in
 * `<config>/app-backups/<app>/` (one `<hash>-<name>.orig` per file, or a note that the file did not
 * exist), a fingerprint of what consolidate wrote (so a later edit by the user is not silently
 * thrown away), and which mcp.json servers it brought in. `index.json` ties them together.
 * Consolidating again keeps the first original: restore always goes back to before 1mcp touched it.
 */
import { createHash } from 'node:crypto';
import { readFileSync, rmSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { OneMcpError } from '../errors.ts';
import { ensureDir, refuseSymlink, writeFileAtomic } from '../config/safe-write.ts';
import type { AppName } from './clients/shared.ts';

export interface SavedFile {
  path: string;
  /** The .orig file in the app's folder, or null when the client file did not exist before. */
  original: string | null;
  /** The file's permission bits before (restored with the bytes). */
  mode?: number;
  /** sha256 of what consolidate wrote, once it has. */
  written?: string;
}

export interface ImportedServer {
  name: string;
  /** Consolidate created the entry (else it only added the app's tag to one that was there). */
  created: boolean;
}

export interface AppRecord {
  app: AppName;
  files: SavedFile[];
  imported: ImportedServer[];
}

export const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

export function appBackupDir(configDir: string, app: AppName): string {
  return join(configDir, 'app-backups', app);
}

export function readRecord(configDir: string, app: AppName): AppRecord | undefined {
  const path = join(appBackupDir(configDir, app), 'index.json');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new OneMcpError(`cannot read ${path}: ${(e as Error).message}`);
  }
  try {
    const record = JSON.parse(text) as AppRecord;
    if (record.app !== app || !Array.isArray(record.files) || !Array.isArray(record.imported)) throw new Error('unexpected shape');
    return record;
  } catch (e) {
    throw new OneMcpError(`${path} is damaged (${(e as Error).message}); the original files are next to it as *.orig, copy them back by hand`);
  }
}

export function writeRecord(configDir: string, record: AppRecord): void {
  const dir = appBackupDir(configDir, record.app);
  guardDir(configDir, dir);
  writeFileAtomic(join(dir, 'index.json'), `${JSON.stringify(record, null, 2)}\n`);
}

/**
 * Keep `path`'s current bytes (or the fact that it does not exist) unless the record already has them.
 * Only text that survives a round trip through UTF-8 is taken: restore must give back the same bytes.
 */
export function saveOriginal(configDir: string, record: AppRecord, path: string, text: string | undefined): void {
  if (record.files.some((f) => f.path === path)) return;
  if (text === undefined) {
    record.files.push({ path, original: null });
    return;
  }
  const bytes = readFileSync(path);
  if (bytes.toString('utf8') !== text || !Buffer.from(text, 'utf8').equals(bytes)) {
    throw new OneMcpError(`${path} changed while it was being read, or is not UTF-8 text; nothing was changed — try again`);
  }
  const dir = appBackupDir(configDir, record.app);
  guardDir(configDir, dir);
  const original = `${sha256(path).slice(0, 12)}-${basename(path)}.orig`;
  writeFileAtomic(join(dir, original), text);
  record.files.push({ path, original, mode: statSync(path).mode & 0o777 });
}

export function originalText(configDir: string, record: AppRecord, file: SavedFile): string | undefined {
  if (file.original === null) return undefined;
  const path = join(appBackupDir(configDir, record.app), file.original);
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new OneMcpError(`the saved original of ${file.path} (${path}) cannot be read: ${(e as Error).message}; nothing was restored`);
  }
}

export function dropRecord(configDir: string, app: AppName): void {
  rmSync(appBackupDir(configDir, app), { recursive: true, force: true });
}

/** app-backups/ and its per-app folders are ours: never written through a link. */
function guardDir(configDir: string, dir: string): void {
  const parent = join(configDir, 'app-backups');
  refuseSymlink(parent, `app backups into ${parent}`);
  refuseSymlink(dir, `app backups into ${dir}`);
  ensureDir(dir);
}
