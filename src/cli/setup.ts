/**
 * `1mcp setup codex` (SPEC §1.6): put 1mcp into Codex's config.toml, editing the text so that
 * everything else in the file stays byte for byte; backup first; idempotent.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { updateFile } from '../config/safe-write.ts';
import { codexConfigPath, codexServerEntry, removeCodexServer, upsertCodexServer } from '../integrations/codex.ts';
import { selfLaunch } from '../runtime/self.ts';
import { PACKAGE_NAME, VERSION } from '../version.ts';
import { commandContext } from './context.ts';
import { color, note, print, printJson, table } from './output.ts';
import { runGroup } from './program.ts';
import { discoverServe } from '../proxy/discovery.ts';
import { OneMcpError, UsageError } from '../errors.ts';

/** Codex waits this long for a stdio server to start; we ask for it only if the user set nothing. */
const STARTUP_TIMEOUT_SEC = 30;

async function setup([client]: string[], options: Record<string, any>): Promise<number> {
  if (options.list) return listClients(options);
  if (client !== 'codex') {
    throw new UsageError(client ? `"${client}" is not supported yet; supported: codex` : 'name a client: 1mcp setup codex (or setup --list)');
  }
  const { paths } = commandContext(options);
  const name: string = options.name ?? '1mcp';
  if (!/^[A-Za-z0-9_-]+$/.test(name)) throw new UsageError(`--name must be letters, digits, '_' or '-' (got "${name}")`);
  const file = codexConfigPath();
  let entry: Parameters<typeof upsertCodexServer>[2];
  if (options.http) {
    const origin = await verifiedServeOrigin(paths.pidFile, paths.dir);
    entry = { url: `${origin}/mcp`, startup_timeout_sec: STARTUP_TIMEOUT_SEC, ...(options.tokenEnv ? { bearer_token_env_var: options.tokenEnv } : {}) };
  } else {
    const self = selfLaunch(PACKAGE_NAME, VERSION);
    entry = { command: self.command, args: [...self.args, 'proxy'], startup_timeout_sec: STARTUP_TIMEOUT_SEC };
  }
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
  return 0;
}

/**
 * The serve Codex should talk to directly. Only a serve that proved it is this config dir's (or none
 * at all: then the default address) — never something that merely answers on a probed port, since
 * Codex would send it every call and its bearer token.
 */
async function verifiedServeOrigin(pidFile: string, configDir: string): Promise<string> {
  const result = await discoverServe({ pidFile, configDir, timeoutMs: 500 });
  if (result.found?.verified) return new URL(result.found.url).origin;
  if (result.found) {
    throw new OneMcpError(
      `${result.found.url} answers like 1mcp but did not prove it is the serve of ${configDir}; not writing it into Codex's config. Start your own serve with this config dir and run this again, or use the stdio proxy (setup codex without --http)`,
    );
  }
  const fallback = 'http://127.0.0.1:3050';
  const occupied = await fetch(`${fallback}/health`, { signal: AbortSignal.timeout(500), redirect: 'manual' }).then(
    (r) => (void r.body?.cancel().catch(() => {}), true),
    () => false,
  );
  if (occupied) {
    throw new OneMcpError(`no serve of ${configDir} is running, and something else answers at ${fallback}; not writing that address into Codex's config. Start "1mcp serve" and run this again`);
  }
  note(color.dim(`No running serve found; writing the default address ${fallback}/mcp.`));
  return fallback;
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

