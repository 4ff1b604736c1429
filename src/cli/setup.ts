/**
 * `1mcp setup codex`: put 1mcp into Codex's config.toml, editing the text so that everything else in
 * the file stays byte for byte; backup first; idempotent. The entry-writing half of
 * `1mcp app consolidate codex` (same entry), without importing Codex's other servers.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { updateFile } from '../config/safe-write.ts';
import { codexConfigPath, codexServerEntry, removeCodexServer, upsertCodexServer } from '../integrations/codex.ts';
import { commandContext } from './context.ts';
import { color, note, print, printJson, table } from './output.ts';
import { runGroup } from './program.ts';
import { UsageError } from '../errors.ts';
import { codex } from '../integrations/clients/codex.ts';
import { isOneMcpEntry } from '../integrations/clients/index.ts';
import { codexProxyEntry, selfProxyTarget } from '../integrations/clients/rewrite.ts';
import { verifiedServeOrigin } from './serve-origin.ts';

async function setup([client]: string[], options: Record<string, any>): Promise<number> {
  if (options.list) return listClients(options);
  if (client !== 'codex') {
    throw new UsageError(client ? `"${client}" is not supported yet; supported: codex` : 'name a client: 1mcp setup codex (or setup --list)');
  }
  const { paths } = commandContext(options);
  const name: string = options.name ?? '1mcp';
  if (!/^[A-Za-z0-9_-]+$/.test(name)) throw new UsageError(`--name must be letters, digits, '_' or '-' (got "${name}")`);
  const file = codexConfigPath();
  // The same entry "app consolidate codex" writes; setup only writes it, it imports nothing.
  const target = options.http ? { kind: 'http' as const, url: `${await verifiedServeOrigin(paths.pidFile, paths.dir)}/mcp` } : selfProxyTarget(paths.dir);
  const entry = codexProxyEntry(target, options.tokenEnv);
  const current = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const edit = (text: string) => (options.remove ? removeCodexServer(text, name) : upsertCodexServer(text, name, entry));
  if (options.dryRun) {
    const { text, changed } = edit(current);
    print(changed ? text : `${file} already has this; nothing would change.`);
    return 0;
  }
  // Backups of client configs live beside ours, under the 1mcp config dir.
  const result = updateFile(file, join(paths.backups, 'codex'), (text) => {
    const { text: next, changed } = edit(text ?? '');
    return changed ? next : undefined;
  });
  if (!result.changed) {
    print(options.remove ? `${name} is not in ${file}; nothing to remove.` : `${file} already points Codex at 1mcp ([mcp_servers.${name}]); nothing changed.`);
    return 0;
  }
  print(options.remove ? `Removed [mcp_servers.${name}] from ${file}.` : `Codex now starts 1mcp as [mcp_servers.${name}] (${file}).`);
  if (result.backup) note(color.dim(`Previous version saved as ${result.backup}.`));
  if (!options.remove && !options.http) note(`Keep "1mcp serve" running: the proxy Codex starts connects to it.`);
  if (!options.remove) hintConsolidate(file, name);
  return 0;
}

/** setup only adds 1mcp; Codex's own servers stay where they are unless moved with consolidate. */
function hintConsolidate(file: string, name: string): void {
  let others: string[] = [];
  try {
    const servers = codex.read(readFileSync(file, 'utf8'), { app: 'codex', path: file, scope: 'user' });
    others = servers.filter((s) => s.name !== name && !isOneMcpEntry(s.entry)).map((s) => s.name);
  } catch {
    return;
  }
  if (others.length > 0) note(`Codex still starts its own servers too (${others.join(', ')}); "1mcp app consolidate codex" moves them into 1mcp.`);
}

function listClients(options: Record<string, any>): number {
  const file = codexConfigPath();
  const found = existsSync(file) || existsSync(dirname(file));
  let configured = false;
  if (existsSync(file)) {
    // As Codex reads it (any form of the table), not by pattern; an unreadable file counts as not configured.
    try {
      configured = codexServerEntry(readFileSync(file, 'utf8'), options.name ?? '1mcp') !== undefined;
    } catch {}
  }
  const rows = [{ client: 'codex', config: file, found, configured }];
  if (options.json) printJson(rows);
  else print(table(['CLIENT', 'FOUND', '1MCP', 'CONFIG'], rows.map((r) => [r.client, r.found ? 'yes' : 'no', r.configured ? color.green('configured') : 'no', r.config])));
  return 0;
}

export function run(argv: string[]): Promise<number> {
  return runGroup('1mcp', ['setup', ...argv], [
    {
      name: 'setup [client]',
      description: 'Connect a client to 1mcp (codex)',
      action: setup,
      options: [
        { flags: '--http', description: 'Write a direct Streamable HTTP url instead of the stdio proxy', env: false },
        { flags: '--name <key>', description: 'Key of the entry (default 1mcp)', env: false },
        { flags: '--token-env <VAR>', description: 'With --http: environment variable holding the bearer token (serve --enable-auth)', env: false },
        { flags: '--dry-run', description: 'Print the resulting file, change nothing', env: false },
        { flags: '--remove', description: 'Take the entry out again', env: false },
        { flags: '--list', description: 'Which clients were found and whether 1mcp is configured', env: false },
        { flags: '--json', description: 'Machine-readable output (with --list)', env: false },
      ],
    },
  ]);
}

