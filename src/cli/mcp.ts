/** `1mcp mcp …` — manage servers in mcp.json (README.md). */
import { OneMcpError, UsageError } from '../errors.ts';
import { readMcpFile, validateMcpConfig } from '../config/mcp-config.ts';
import { setOwnEntry } from '../config/own.ts';
import { redactUrl } from '../config/redact.ts';
import { applyPatch, assertServerName, editMcpFile, findServer, getServers, newServerEntry, parsePairs, redact, requireServer, type RawServer, type ServerPatch } from '../config/mcp-edit.ts';
import { commandContext } from './context.ts';
import { color, confirm, isInteractive, note, print, printJson, table } from './output.ts';
import { runGroup, type OptionSpec } from './program.ts';
import { TOKEN_OPTION } from './serve-client.ts';
import { VIEW_OPTIONS } from './view-session.ts';

const SERVER_OPTIONS: OptionSpec[] = [
  { flags: '--type <type>', description: 'stdio, http or sse (inferred when omitted)' },
  { flags: '--command <cmd>', description: 'Program to run (stdio)' },
  { flags: '--args <arg>', description: 'Argument for the command (repeatable; kept exactly as typed, "" included)', type: 'list', allowEmpty: true },
  { flags: '--url <url>', description: 'Server URL (http or sse)' },
  { flags: '-e, --env <KEY=VALUE>', description: 'Environment variable (repeatable; merged on update)', type: 'list' },
  { flags: '--headers <KEY=VALUE>', description: 'HTTP header (repeatable)', type: 'list' },
  { flags: '-g, --tags <a,b>', description: 'Comma-separated tags (replace on update)' },
  { flags: '--cwd <dir>', description: 'Working directory (stdio)' },
  { flags: '--timeout <ms>', description: 'Request timeout in milliseconds', type: 'number', integer: true, min: 1 },
  { flags: '--disabled', description: 'Add the server disabled', type: 'boolean' },
  { flags: '--restart-on-exit', description: 'Restart the server when it exits (the default; --no-restart-on-exit to never restart it)', type: 'boolean' },
  { flags: '--max-restarts <n>', description: 'Restarts before giving up (0 = unlimited)', type: 'number', integer: true, min: 0 },
  { flags: '--restart-delay <ms>', description: 'Base delay between restarts', type: 'number', integer: true, min: 0 },
  { flags: '--per-session', description: 'One instance of the server per client session ("scope": "session"; for servers that use roots or keep per-client state)', type: 'boolean' },
].map((o) => ({ ...o, env: false }) as OptionSpec);

function patchFromOptions(options: Record<string, any>): ServerPatch {
  const dashDash: string[] = options['--'] ?? [];
  const patch: ServerPatch = {};
  if (options.type !== undefined) {
    if (!['stdio', 'http', 'sse'].includes(options.type)) throw new UsageError(`--type must be stdio, http or sse (got "${options.type}")`);
    patch.type = options.type;
  }
  if (dashDash.length > 0) {
    if (options.command !== undefined) throw new UsageError('give the command either after -- or with --command, not both');
    patch.command = dashDash[0];
    patch.args = dashDash.slice(1);
  } else {
    if (options.command !== undefined) patch.command = options.command;
    if (options.args !== undefined) patch.args = options.args;
  }
  if (options.url !== undefined) {
    if (patch.command !== undefined) throw new UsageError('give either a command or --url, not both');
    patch.url = checkUrl(options.url);
  }
  if (patch.type === 'stdio' && patch.url !== undefined) throw new UsageError('--type stdio runs a command; a --url server is http or sse');
  if ((patch.type === 'http' || patch.type === 'sse') && patch.command !== undefined) throw new UsageError(`--type ${patch.type} needs --url, not a command`);
  patch.env = parsePairs(options.env, 'env');
  patch.headers = parsePairs(options.headers, 'headers');
  if (options.tags !== undefined) patch.tags = tagList(options.tags, '--tags');
  if (options.cwd !== undefined) patch.cwd = options.cwd;
  if (options.timeout !== undefined) patch.timeout = options.timeout;
  if (options.disabled) patch.disabled = true;
  if (options.restartOnExit !== undefined) patch.restartOnExit = options.restartOnExit;
  if (options.maxRestarts !== undefined) patch.maxRestarts = options.maxRestarts;
  if (options.restartDelay !== undefined) patch.restartDelay = options.restartDelay;
  if (options.perSession) patch.scope = 'session';
  return patch;
}

/** `a,b` → ['a', 'b']; a list with no tag at all (`,`) is a mistake, not "no tags". */
function tagList(text: string, flag: string): string[] {
  const tags = String(text).split(',').map((t) => t.trim()).filter(Boolean);
  if (tags.length === 0) throw new UsageError(`${flag} needs at least one tag (got "${text}")`);
  return tags;
}

/** The URL must be one a server can be reached at; `${VAR}` parts are filled in when serve starts it. */
function checkUrl(url: string): string {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url.replace(/\$\{[^}]*\}/g, 'x'));
  } catch {
    parsed = undefined;
  }
  if (!parsed || !/^https?:$/.test(parsed.protocol)) {
    throw new UsageError(`--url must be an http:// or https:// URL such as https://example.com/mcp (got "${url}")`);
  }
  return url;
}

function reloadNote(path: string, result: { backup?: string; notes: string[] }): void {
  const saved = `Saved ${path}${result.backup ? ` (previous version in ${result.backup})` : ''}.`;
  // Say what a running serve will not do with this file, instead of promising it picks it up.
  if (result.notes.length) note(`${saved}\n${result.notes.map((n) => color.yellow(`warning: ${n}`)).join('\n')}`);
  else note(color.dim(`${saved} A running serve picks this up by itself.`));
}

async function add([name]: string[], options: Record<string, any>) {
  assertServerName(name!);
  const patch = patchFromOptions(options);
  if (patch.command === undefined && patch.url === undefined) {
    throw new UsageError(`server "${name}" needs a command (1mcp mcp add ${name} -- <command> [args…]) or --url <url>`);
  }
  const { paths } = commandContext(options);
  const result = editMcpFile(paths.mcpJson, paths.backups, (raw) => {
    if (findServer(raw, name!)) throw new OneMcpError(`server "${name}" already exists; change it with "1mcp mcp update ${name} …"`);
    setOwnEntry(getServers(raw), name!, newServerEntry(patch));
    return { value: undefined, touched: [name!] };
  });
  print(`Added ${color.bold(name!)}.`);
  reloadNote(paths.mcpJson, result);
}

async function update([name]: string[], options: Record<string, any>) {
  const patch = patchFromOptions(options);
  const { paths } = commandContext(options);
  const result = editMcpFile(paths.mcpJson, paths.backups, (raw) => {
    applyPatch(requireServer(raw, name!), patch);
    return { value: undefined, touched: [name!] };
  });
  print(result.changed ? `Updated ${color.bold(name!)}.` : `Nothing to change for ${name}.`);
  if (result.changed) reloadNote(paths.mcpJson, result);
}

async function remove([name]: string[], options: Record<string, any>) {
  const { paths } = commandContext(options);
  requireServer(readMcpFile(paths.mcpJson).raw, name!);
  if (!options.yes && isInteractive() && !(await confirm(`Remove server "${name}" from ${paths.mcpJson}?`))) {
    print('Nothing removed.');
    return 1;
  }
  const result = editMcpFile(paths.mcpJson, paths.backups, (raw) => {
    requireServer(raw, name!);
    delete getServers(raw)[name!];
    return { value: undefined, touched: [] };
  });
  print(`Removed ${color.bold(name!)}.`);
  reloadNote(paths.mcpJson, result);
}

function setDisabled(disabled: boolean) {
  return async ([name]: string[], options: Record<string, any>) => {
    const { paths } = commandContext(options);
    const result = editMcpFile(paths.mcpJson, paths.backups, (raw) => {
      applyPatch(requireServer(raw, name!), { disabled });
      return { value: undefined, touched: [] };
    });
    print(result.changed ? `${disabled ? 'Disabled' : 'Enabled'} ${color.bold(name!)}.` : `${name} was already ${disabled ? 'disabled' : 'enabled'}.`);
    if (result.changed) reloadNote(paths.mcpJson, result);
  };
}

function describeTarget(s: RawServer, showSecrets: boolean): string {
  if (typeof s.url === 'string') return showSecrets ? s.url : redactUrl(s.url);
  return [s.command, ...((s.args as string[]) ?? [])].map(String).join(' ');
}

async function list(_args: string[], options: Record<string, any>) {
  const { paths } = commandContext(options);
  const { raw } = readMcpFile(paths.mcpJson);
  // Validate so a broken file is reported rather than half-listed.
  const configs = validateMcpConfig(raw, paths.mcpJson, { substitute: false });
  const wantTags = options.tags !== undefined ? tagList(options.tags, '--tags').map((t) => t.toLowerCase()) : undefined;
  const rows = configs
    .filter((c) => options.showDisabled || !c.disabled)
    .filter((c) => !wantTags || c.tags.some((t) => wantTags.includes(t)))
    .map((c) => {
      const rawEntry = findServer(raw, c.name)!;
      const env = rawEntry.env as Record<string, string> | undefined;
      const headers = rawEntry.headers as Record<string, string> | undefined;
      return {
        name: c.name,
        type: c.type,
        ...(c.command !== undefined ? { command: c.command, args: c.args } : { url: options.showSecrets || !c.url ? c.url : redactUrl(c.url) }),
        tags: (rawEntry.tags as string[]) ?? [],
        disabled: c.disabled,
        ...(env ? { env: options.showSecrets ? env : redact(env) } : {}),
        ...(headers ? { headers: options.showSecrets ? headers : redact(headers) } : {}),
        target: describeTarget(rawEntry, !!options.showSecrets),
      };
    });
  if (options.json) {
    printJson(rows.map(({ target: _t, ...r }) => r));
    return;
  }
  if (rows.length === 0) {
    print(configs.length === 0 ? `No servers in ${paths.mcpJson}. Add one: 1mcp mcp add <name> -- <command> [args…]` : 'No server matches.');
    return;
  }
  print(
    table(
      ['NAME', 'TYPE', 'TAGS', 'TARGET', ...(options.showDisabled ? ['STATE'] : [])],
      rows.map((r) => [r.name, r.type, r.tags.join(','), r.target, ...(options.showDisabled ? [r.disabled ? color.yellow('disabled') : 'enabled'] : [])]),
    ),
  );
}

async function tools(args: string[], options: Record<string, any>) {
  const [first, server, tool] = args;
  if (first === 'disable' || first === 'enable') {
    if (!server || !tool) throw new UsageError(`usage: 1mcp mcp tools ${first} <server> <tool>`);
    if (args.length > 3) throw new UsageError(`one tool at a time: 1mcp mcp tools ${first} <server> <tool>`);
    const { paths } = commandContext(options);
    requireServer(readMcpFile(paths.mcpJson).raw, server);
    if (first === 'disable') await (await import('./mcp-tools.ts')).checkToolName(server, tool, options, paths);
    const result = editMcpFile(paths.mcpJson, paths.backups, (raw) => {
      const entry = requireServer(raw, server);
      const current = new Set((entry.disabledTools as string[]) ?? []);
      if (first === 'disable') current.add(tool);
      else current.delete(tool);
      if (current.size) entry.disabledTools = [...current];
      else delete entry.disabledTools;
      return { value: undefined, touched: [] };
    });
    print(result.changed ? `${first === 'disable' ? 'Disabled' : 'Enabled'} tool ${tool} of ${server}.` : `Tool ${tool} of ${server} was already ${first}d.`);
    if (result.changed) reloadNote(paths.mcpJson, result);
    return;
  }
  if (!first) throw new UsageError('usage: 1mcp mcp tools <server> | tools disable|enable <server> <tool>');
  if (args.length > 1) throw new UsageError(`usage: 1mcp mcp tools <server> | tools disable|enable <server> <tool> (got "${args.join(' ')}")`);
  const { listServerTools } = await import('./mcp-tools.ts');
  return listServerTools(first, options);
}

/** `update` shares add's options; only --disabled means something else there. */
const UPDATE_OPTIONS = SERVER_OPTIONS.map((o) => (o.flags === '--disabled' ? { ...o, description: 'Disable the server (like "1mcp mcp disable"; "1mcp mcp enable" turns it back on)' } : o));

const MCP_AUTH_OPTIONS: OptionSpec[] = [
  { flags: '--logout', description: 'Forget the saved login (the server goes back to awaiting-auth)', type: 'boolean', env: false },
  { flags: '--browser', description: 'Open the login link in a browser on a desktop (--no-browser: only print it)', type: 'boolean', default: true, env: false },
  { flags: '--port <port>', description: 'Loopback port for the login callback (default: a free one)', type: 'number', integer: true, min: 1, max: 65535, env: false },
  { flags: '--timeout <seconds>', description: 'How long to wait for the login', type: 'number', integer: true, min: 1, default: 300, env: false },
  TOKEN_OPTION,
];

const STATUS_HELP = `Exit code: 0 when every enabled server is connected; 1 when any enabled server is not
(starting, restarting, crash-loop, error, awaiting-auth) or no serve is running — usable in scripts and health checks.`;

export function run(argv: string[]): Promise<number> {
  const json = { flags: '--json', description: 'Machine-readable output', env: false };
  return runGroup('1mcp mcp', argv, [
    { name: 'add <name>', description: 'Add a server: 1mcp mcp add <name> [options] [-- <command> [args…]]', options: SERVER_OPTIONS, action: add,
      usage: 'add <name> [options] [-- <command> [args…]]',
      examples: ['1mcp mcp add fs --tags=files,local -- npx -y @modelcontextprotocol/server-filesystem /tmp', '1mcp mcp add remote --url https://example.com/mcp'] },
    { name: 'update <name>', description: 'Change a server (--tags replaces, --env merges, -- cmd args replaces)', options: UPDATE_OPTIONS, action: update,
      usage: 'update <name> [options] [-- <command> [args…]]' },
    { name: 'remove <name>', description: 'Remove a server', options: [{ flags: '-y, --yes', description: 'Do not ask for confirmation', env: false }], action: remove },
    { name: 'enable <name>', description: 'Enable a server', action: setDisabled(false) },
    { name: 'disable <name>', description: 'Disable a server', action: setDisabled(true) },
    { name: 'list', description: 'List configured servers', action: list, options: [
      { flags: '--show-disabled', description: 'Include disabled servers', env: false },
      { flags: '--show-secrets', description: 'Show env and header values and URL query strings', env: false },
      { flags: '--tags <a,b>', description: 'Only servers with any of these tags', env: false },
      json,
    ] },
    { name: 'tools [...args]', description: "List a server's tools (from the running serve, else by starting it once), or hide/show one tool (disabledTools)", action: tools,
      usage: 'tools <server>\n  $ 1mcp mcp tools disable|enable <server> <tool>',
      help: 'disable checks the name against the tools the running serve knows for that server and refuses an unknown one\n(naming the nearest) unless --force; with no serve running the name is stored with a warning.',
      options: [json, { flags: '--force', description: 'disable: store the tool name even if serve does not know it', env: false }, TOKEN_OPTION] },
    { name: 'status [name]', description: 'Live state of servers in the running serve', action: async (args, options) => (await import('./mcp-status.ts')).status(args, options),
      help: STATUS_HELP, options: [json, TOKEN_OPTION] },
    { name: 'tokens [server]', description: 'Budget report from the running serve: tools, estimated tokens (direct and in search mode), client limits exceeded', action: async (args, options) => (await import('./tokens.ts')).tokens(args, options),
      help: 'The view is chosen as for the agent commands: --preset/--filter/--tags, else .1mcprc, else serve\'s default view.\nExit code: 0 with the report; 2 for a server not in the view; 3 when no serve is running or it cannot be reached.',
      options: [json, ...VIEW_OPTIONS] },
    { name: 'restart <name>', description: 'Restart one server in the running serve', options: [TOKEN_OPTION], action: async (args, options) => (await import('./mcp-status.ts')).restart(args, options) },
    { name: 'auth <name>', description: 'Log in to an OAuth-protected remote server (or --logout); the running serve reconnects it', options: MCP_AUTH_OPTIONS, action: async (args, options) => (await import('./mcp-auth.ts')).mcpAuth(args, options) },
  ]);
}
