/**
 * `1mcp app list | discover | consolidate | restore`: which MCP clients are configured on this machine
 * and which servers each has (read-only), and moving them behind 1mcp and back (see docs/clients.md).
 */
import { consolidate, restore } from './app-consolidate.ts';
import { CLIENTS, readClient, type FoundServer } from '../integrations/clients/index.ts';
import { chosenClients, clientContext } from './app-clients.ts';
import { sameServer } from '../integrations/clients/same-server.ts';
import { APP_NAMES } from '../integrations/clients/shared.ts';
import { commandContext } from './context.ts';
import { color, note, print, printJson, table } from './output.ts';
import { runGroup, type OptionSpec } from './program.ts';

const JSON_OPTION: OptionSpec = { flags: '--json', description: 'Machine-readable output', env: false };
const PLATFORM: OptionSpec = { flags: '--platform <os>', description: "Whose paths to use: linux, darwin or win32 (default: this machine's)", env: false };

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
    {
      name: 'consolidate [...apps]',
      description: "Move the apps' servers into mcp.json and point each app at 1mcp instead",
      help: `Apps: ${APP_NAMES.join(', ')}. Servers are imported tagged with the app's name; the app's files keep everything else byte for byte; "1mcp app restore <app>" undoes it.`,
      options: [
        { flags: '--all', description: 'Every app whose configuration is found', env: false },
        { flags: '--dry-run', description: 'Show the changes as a diff; change nothing', env: false },
        { flags: '--yes', description: 'Do not ask for confirmation', env: false },
        { flags: '--http', description: "Point apps that connect by URL at serve's /mcp instead of starting the stdio proxy", env: false },
        PLATFORM,
        JSON_OPTION,
      ],
      action: consolidate,
    },
    {
      name: 'restore [...apps]',
      description: "Put the apps' files back exactly as they were before consolidate",
      options: [
        { flags: '--all', description: 'Every app that was consolidated', env: false },
        { flags: '--remove-imported', description: "Also take the servers consolidate imported out of mcp.json (kept while another app's tag is on them)", env: false },
        { flags: '--force', description: 'Restore even a file changed after consolidate (it is backed up first)', env: false },
        { flags: '--yes', description: 'Do not ask for confirmation', env: false },
        JSON_OPTION,
      ],
      action: restore,
    },
  ]);
}
