/**
 * The clients `1mcp app` knows, in the order they are listed, and reading what each has configured.
 * One file per client holds its config locations (with the documentation they come from) and its reader.
 */
import { readFileSync } from 'node:fs';
import { isOneMcpError } from '../../errors.ts';
import { claudeCode } from './claude-code.ts';
import { claudeDesktop } from './claude-desktop.ts';
import { cline } from './cline.ts';
import { codex } from './codex.ts';
import { cursor } from './cursor.ts';
import { gemini } from './gemini.ts';
import type { AppName, ClientContext, ClientDef, ConfigFile, FoundServer } from './shared.ts';
import { vscode } from './vscode.ts';
import { windsurf } from './windsurf.ts';
import { zed } from './zed.ts';

export const CLIENTS: ClientDef[] = [codex, claudeCode, claudeDesktop, cursor, vscode, windsurf, gemini, cline, zed];

export function clientNamed(name: string): ClientDef | undefined {
  return CLIENTS.find((c) => c.name === name);
}

export interface FileReport extends ConfigFile {
  found: boolean;
  servers: FoundServer[];
  /** The file already has an entry that runs 1mcp's proxy. */
  hasOneMcp: boolean;
  /** Why the file could not be read (it exists but is not valid, or cannot be opened). */
  error?: string;
}

/** Read every config file of a client; a missing file is "not found", a broken one is reported, never fatal. */
export function readClient(client: ClientDef, ctx: ClientContext): FileReport[] {
  return client.files(ctx).map((file) => {
    let text: string;
    try {
      text = readFileSync(file.path, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return { ...file, found: false, servers: [], hasOneMcp: false };
      return { ...file, found: true, servers: [], hasOneMcp: false, error: `cannot read: ${(e as Error).message}` };
    }
    try {
      const servers = client.read(text, file);
      return { ...file, found: true, servers, hasOneMcp: servers.map(markSelf).some(Boolean) };
    } catch (e) {
      if (isOneMcpError(e)) return { ...file, found: true, servers: [], hasOneMcp: false, error: e.message };
      throw e;
    }
  });
}

/** The entry `1mcp setup` (or consolidate) wrote is 1mcp itself, not a server to import: noted, and true. */
function markSelf(server: FoundServer): boolean {
  const { command, args } = server.entry as { command?: string; args?: string[] };
  const runsProxy = Array.isArray(args) && args.at(-1) === 'proxy';
  const isUs = typeof command === 'string' && (/(^|[\\/])1mcp(\.exe)?$/i.test(command) || (command === 'npx' && (args ?? []).some((a) => /1mcp/i.test(a))));
  if (runsProxy && isUs) server.notes.unshift('this is 1mcp itself (its proxy), not a server to import');
  return runsProxy && isUs;
}

export type { AppName, ClientContext, ClientDef, FoundServer };
