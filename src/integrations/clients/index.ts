/**
 * The clients `1mcp app` knows, in the order they are listed, and reading what each has configured.
 * One file per client holds its config locations (with the documentation they come from) and its reader.
 */
import { readFileSync } from 'node:fs';
import { isOneMcpError } from '../../errors.ts';
import { selfLaunch } from '../../runtime/self.ts';
import { PACKAGE_NAME, VERSION } from '../../version.ts';
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
  /** The file's text as read (when it was found and read), for edits that must start from it. */
  text?: string;
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
      return { ...file, found: true, servers, hasOneMcp: servers.map(markSelf).some(Boolean), text };
    } catch (e) {
      if (isOneMcpError(e)) return { ...file, found: true, servers: [], hasOneMcp: false, error: e.message };
      throw e;
    }
  });
}

/** The entry `1mcp setup` (or consolidate) wrote is 1mcp itself, not a server to import: noted, and true. */
function markSelf(server: FoundServer): boolean {
  const self = isOneMcpEntry(server.entry);
  if (self) server.notes.unshift('this is 1mcp itself (its proxy), not a server to import');
  return self;
}

/**
 * Whether an entry runs 1mcp's proxy (`… proxy`, or `… proxy --config-dir <dir>`): a `1mcp` binary,
 * `npx … 1mcp… proxy`, or exactly what this program would write for itself (under Node or from source
 * the command is the runtime, not `1mcp`).
 */
export function isOneMcpEntry(entry: Record<string, unknown>): boolean {
  const { command, args } = entry as { command?: unknown; args?: unknown };
  if (typeof command !== 'string' || !Array.isArray(args)) return false;
  const at = args.lastIndexOf('proxy');
  const tail = args.slice(at + 1);
  if (at < 0 || !(tail.length === 0 || (tail.length === 2 && tail[0] === '--config-dir'))) return false;
  if (/(^|[\\/])1mcp(\.exe)?$/i.test(command)) return true;
  if (command === 'npx' && args.some((a) => typeof a === 'string' && /1mcp/i.test(a))) return true;
  const self = selfLaunch(PACKAGE_NAME, VERSION);
  return command === self.command && at === self.args.length && self.args.every((a, i) => args[i] === a);
}

export type { AppName, ClientContext, ClientDef, FoundServer };
