/**
 * `1mcp app list | discover`: which MCP clients are configured on this machine and which servers each
 * has. Read-only: nothing here writes a file. (consolidate/restore, which rewrite client files, come later.)
 */
import { OneMcpError, UsageError } from '../errors.ts';
import { CLIENTS, clientNamed, readClient, type ClientContext, type FoundServer } from '../integrations/clients/index.ts';
import { sameServer } from '../integrations/clients/same-server.ts';
import { APP_NAMES, type ClientPlatform } from '../integrations/clients/shared.ts';
import { home } from '../runtime/home.ts';
import { commandContext } from './context.ts';
import { nearest } from './nearest.ts';
import { color, note, print, printJson, table } from './output.ts';
import { runGroup, type OptionSpec } from './program.ts';

const JSON_OPTION: OptionSpec = { flags: '--json', description: 'Machine-readable output', env: false };
const PLATFORM: OptionSpec = { flags: '--platform <os>', description: "Whose paths to use: linux, darwin or win32 (default: this machine's)", env: false };

function clientContext(options: Record<string, any>): ClientContext {
  const platform = options.platform ?? process.platform;
  if (platform !== 'linux' && platform !== 'darwin' && platform !== 'win32') {
    throw new UsageError(options.platform ? `--platform must be linux, darwin or win32 (got "${platform}")` : `client locations are known for linux, darwin and win32, not ${platform}; pass --platform`);
  }
  return { platform: platform as ClientPlatform, home: home(), env: process.env, cwd: process.cwd() };
}

/** The clients named on the command line (all when none), each checked. */
function chosenClients(names: string[]) {
  if (names.length === 0) return CLIENTS;
  return names.map((name) => {
    const client = clientNamed(name);
    if (client) return client;
    const hint = nearest(name, [...APP_NAMES]);
    throw new UsageError(`unknown app "${name}"${hint ? `; did you mean "${hint}"?` : ''} (known: ${APP_NAMES.join(', ')})`);
  });
}

async function list(_args: string[], options: Record<string, any>): Promise<number> {
  commandContext(options);
  const ctx = clientContext(options);
  const reports = CLIENTS.map((client) => ({ client, files: readClient(client, ctx) }));
  if (options.json) {
    printJson(reports.map(({ client, files }) => ({ app: client.name, label: client.label, docs: client.docs, http: client.http, files: files.map((f) => ({ scope: f.scope, path: f.path, found: f.found, servers: f.servers.length, hasOneMcp: f.hasOneMcp, ...(f.error ? { error: f.error } : {}) })) })));
    return 0;
  }
  const rows = reports.flatMap(({ client, files }) =>
    files.map((f) => [client.name, f.scope, f.error ? color.red('unreadable') : f.found ? color.green(`yes, ${f.servers.length} server${f.servers.length === 1 ? '' : 's'}`) : color.dim('no'), f.hasOneMcp ? 'yes' : '', f.path]),
  );
  print(table(['APP', 'SCOPE', 'FOUND', '1MCP', 'CONFIG'], rows));
  return 0;
}

/** The transport a server uses: as written, or what its command/URL implies. */
function transportOf(server: FoundServer): string {
  const { type, command, url } = server.entry as { type?: string; command?: string; url?: string };
  return type ?? (command ? 'stdio' : url ? 'http' : '?');
}

function runs(server: FoundServer): string {
  const { command, args, url } = server.entry as { command?: string; args?: string[]; url?: string };
  if (url) return url;
  return [command ?? '', ...(args ?? [])].join(' ').trim();
}

async function discover(names: string[], options: Record<string, any>): Promise<number> {
  commandContext(options);
  const ctx = clientContext(options);
  const reports = chosenClients(names).flatMap((client) => readClient(client, ctx));
  const servers = reports.flatMap((r) => r.servers);
  const errors = reports.filter((r) => r.error).map((r) => ({ app: r.app, path: r.path, error: r.error! }));
  // The same server configured in several clients is one server to bring over.
  const sameAs = (s: FoundServer) => servers.filter((o) => o !== s && sameServer(o.entry, s.entry)).map((o) => `${o.app}/${o.name}`);
  if (options.json) {
    printJson({ servers: servers.map((s) => ({ ...s, sameAs: sameAs(s) })), errors });
    return 0;
  }
  for (const e of errors) note(color.yellow(`${e.app}: ${e.error}`));
  if (servers.length === 0) {
    print(`No MCP servers found in ${names.length ? names.join(', ') : 'any known client'}'s configuration ("1mcp app list" shows where each is looked for).`);
    return 0;
  }
  const rows = servers.map((s) => {
    const notes = [...s.notes, ...(s.entry.disabled === true ? ['disabled'] : []), ...sameAs(s).map((o) => `same as ${o}`), ...(Object.keys(s.extra).length ? [`other fields: ${Object.keys(s.extra).join(', ')}`] : [])];
    return [s.app, s.name, s.project ? `local (${s.project})` : s.scope, transportOf(s), runs(s), notes.join('; ')];
  });
  print(table(['APP', 'NAME', 'SCOPE', 'TRANSPORT', 'RUNS', 'NOTES'], rows));
  return 0;
}

function notYet(what: string) {
  return () => {
    throw new OneMcpError(`"1mcp app ${what}" is not available yet; "1mcp app discover" shows what each client has, and "1mcp setup codex" connects Codex`);
  };
}

export function run(argv: string[]): Promise<number> {
  return runGroup('1mcp app', argv, [
    { name: 'list', description: 'The MCP clients 1mcp knows, where their config lives on this OS, and whether it was found', options: [PLATFORM, JSON_OPTION], action: list },
    {
      name: 'discover [...apps]',
      description: 'The MCP servers each client has configured (all clients, or the ones named); changes nothing',
      help: `Apps: ${APP_NAMES.join(', ')}. Project files (.mcp.json, .cursor/mcp.json, .vscode/mcp.json, .gemini/settings.json, .zed/settings.json) are read from the current folder.`,
      options: [PLATFORM, JSON_OPTION],
      action: discover,
    },
    { name: 'consolidate [...apps]', description: 'Not available yet', allowUnknownOptions: true, action: notYet('consolidate') },
    { name: 'restore [...apps]', description: 'Not available yet', allowUnknownOptions: true, action: notYet('restore') },
  ]);
}
