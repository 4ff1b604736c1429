/**
 * `1mcp app restore <app>`: every file consolidate changed back to its original bytes (a file it
 * created is removed), and with `removeImported` the servers it brought into mcp.json taken out again
 * unless another client still uses them (another client's tag on the entry). A file edited after
 * consolidate is not overwritten unless forced: that edit would be lost.
 */
import { chmodSync, readFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { editMcpFile, findServer, getServers } from '../config/mcp-edit.ts';
import type { ConfigPaths } from '../config/paths.ts';
import { backupFile, updateFile, withFileLock } from '../config/safe-write.ts';
import { OneMcpError } from '../errors.ts';
import { appBackupDir, dropRecord, originalText, readRecord, sha256 } from './app-backups.ts';
import { APP_NAMES, type AppName } from './clients/shared.ts';

export interface Restored {
  app: AppName;
  files: { path: string; action: 'restored' | 'removed' | 'unchanged'; backup?: string }[];
  /** With removeImported: servers taken out of mcp.json, and servers that only lost this app's tag. */
  removed: string[];
  untagged: string[];
}

function currentText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new OneMcpError(`cannot read ${path}: ${(e as Error).message}`);
  }
}

export function hasRecord(paths: ConfigPaths, app: AppName): boolean {
  return readRecord(paths.dir, app) !== undefined;
}

export function restoreApp(paths: ConfigPaths, app: AppName, options: { removeImported?: boolean; force?: boolean }): Restored {
  const record = readRecord(paths.dir, app);
  if (!record) throw new OneMcpError(`nothing to restore for ${app}: no consolidate of it is recorded in ${appBackupDir(paths.dir, app)} (check --config-dir)`);
  const plans = record.files.map((file) => {
    const current = currentText(file.path);
    const original = originalText(paths.dir, record, file);
    // Still what consolidate wrote (a file it never got to write has nothing of ours to take back).
    const untouched = file.written === undefined ? current === original : current !== undefined && sha256(current) === file.written;
    return { file, current, original, untouched };
  });
  const edited = plans.filter((p) => !p.untouched && p.current !== p.original);
  if (edited.length > 0 && !options.force) {
    throw new OneMcpError(
      `${edited.map((p) => p.file.path).join(', ')} changed after "1mcp app consolidate ${app}"; restoring would lose those changes. Nothing was restored. Run again with --force to restore anyway (the current file is backed up first)`,
    );
  }
  const backups = join(paths.backups, app);
  const result: Restored = { app, files: [], removed: [], untagged: [] };
  for (const { file, current, original } of plans) {
    if (current === original) {
      result.files.push({ path: file.path, action: 'unchanged' });
    } else if (original === undefined) {
      const backup = withFileLock(file.path, () => {
        const saved = backupFile(file.path, backups);
        unlinkSync(file.path);
        return saved;
      });
      result.files.push({ path: file.path, action: 'removed', ...(backup ? { backup } : {}) });
    } else {
      const { backup } = updateFile(file.path, backups, () => original);
      if (file.mode !== undefined) chmodSync(file.path, file.mode);
      result.files.push({ path: file.path, action: 'restored', ...(backup ? { backup } : {}) });
    }
  }
  if (options.removeImported && record.imported.length > 0) {
    editMcpFile(paths.mcpJson, paths.backups, (raw) => {
      const servers = getServers(raw);
      for (const { name, created } of record.imported) {
        const server = findServer(raw, name);
        if (!server) continue;
        const tags = Array.isArray(server.tags) ? (server.tags as string[]) : [];
        const rest = tags.filter((t) => t !== app);
        const otherClient = rest.some((t) => (APP_NAMES as readonly string[]).includes(t));
        if (created && !otherClient) {
          delete servers[name];
          result.removed.push(name);
        } else if (rest.length !== tags.length) {
          if (rest.length > 0) server.tags = rest;
          else delete server.tags;
          result.untagged.push(name);
        }
      }
      return { value: undefined, touched: [] };
    });
  }
  dropRecord(paths.dir, app);
  return result;
}
