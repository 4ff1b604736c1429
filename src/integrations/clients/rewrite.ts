/**
 * Rewriting a client's config file for consolidate: the servers brought into mcp.json come out, and
 * one entry that starts 1mcp goes in. Only those members change; comments, order, unknown keys and
 * line endings stay as they were, and every result is re-parsed and compared before it is returned.
 */
import { resolve } from 'node:path';
import { editJsonText } from '../../config/jsonc-edit.ts';
import { defaultConfigDir } from '../../config/paths.ts';
import { OneMcpError } from '../../errors.ts';
import { selfLaunch } from '../../runtime/self.ts';
import { PACKAGE_NAME, VERSION } from '../../version.ts';
import { removeCodexServer, upsertCodexServer, type CodexEntry } from '../codex.ts';
import { isObject, parseClientJson, type AppName, type ConfigFile } from './shared.ts';

/** The key 1mcp's own entry gets in every client. */
export const ONE_MCP_KEY = '1mcp';
/** Codex waits this long for a stdio server to start; we ask for it only if the user set nothing. */
export const CODEX_STARTUP_TIMEOUT_SEC = 30;

/** How the client reaches 1mcp: by starting its stdio proxy, or by serve's URL. */
export type ProxyTarget = { kind: 'stdio'; command: string; args: string[] } | { kind: 'http'; url: string };

/**
 * The stdio proxy of this very program: the compiled binary's absolute path, `npx -y <package>@<version>`
 * when run from the npm package, or the runtime and script when run from source; then `proxy`.
 * A client starts it with an environment of its own (Codex keeps little more than HOME), where only the
 * config dir that HOME implies can be found; any other config dir is named with --config-dir.
 */
export function selfProxyTarget(configDir?: string): ProxyTarget {
  const self = selfLaunch(PACKAGE_NAME, VERSION);
  const { HOME, USERPROFILE, APPDATA } = process.env;
  const implied = defaultConfigDir({ HOME, USERPROFILE, APPDATA });
  const named = configDir !== undefined && resolve(configDir) !== implied ? ['--config-dir', resolve(configDir)] : [];
  return { kind: 'stdio', command: self.command, args: [...self.args, 'proxy', ...named] };
}

/** Where each JSON client keeps its servers. */
const SERVERS_KEY: Record<Exclude<AppName, 'codex'>, string> = {
  'claude-code': 'mcpServers',
  'claude-desktop': 'mcpServers',
  cursor: 'mcpServers',
  vscode: 'servers',
  windsurf: 'mcpServers',
  gemini: 'mcpServers',
  cline: 'mcpServers',
  zed: 'context_servers',
};

/** 1mcp's entry in each client's own spelling (its documentation, see docs/clients.md). */
export function proxyEntry(app: AppName, target: ProxyTarget): Record<string, unknown> {
  if (app === 'codex') return codexProxyEntry(target) as Record<string, unknown>;
  if (target.kind === 'stdio') {
    const run = { command: target.command, args: target.args };
    if (app === 'claude-code' || app === 'vscode') return { type: 'stdio', ...run };
    if (app === 'zed') return { source: 'custom', ...run };
    return run;
  }
  const { url } = target;
  if (app === 'claude-code' || app === 'vscode') return { type: 'http', url };
  if (app === 'windsurf') return { serverUrl: url };
  if (app === 'gemini') return { httpUrl: url };
  if (app === 'cline') return { type: 'streamableHttp', url };
  return { url };
}

export function codexProxyEntry(target: ProxyTarget, bearerTokenEnvVar?: string): CodexEntry {
  if (target.kind === 'stdio') return { command: target.command, args: target.args, startup_timeout_sec: CODEX_STARTUP_TIMEOUT_SEC };
  return { url: target.url, startup_timeout_sec: CODEX_STARTUP_TIMEOUT_SEC, ...(bearerTokenEnvVar ? { bearer_token_env_var: bearerTokenEnvVar } : {}) };
}

/** What comes out of one file: server names at the top, and (Claude Code) per project folder. */
export interface Removal {
  names: string[];
  byProject?: Record<string, string[]>;
}

/**
 * The file's new text: `removal` taken out, and `entry` (1mcp's, in the client's spelling) put in
 * under ONE_MCP_KEY when given. Throws OneMcpError, with nothing written, when the edit cannot keep
 * the rest of the file as it is.
 */
export function rewriteClientText(file: ConfigFile, text: string, removal: Removal, entry: Record<string, unknown> | undefined): string {
  if (file.app === 'codex') return rewriteCodex(text, removal, entry as CodexEntry | undefined);
  const key = SERVERS_KEY[file.app];
  const before = text.trim() === '' ? {} : parseClientJson(text, file.path);
  const after = structuredClone(before);
  const servers = (map: unknown, names: string[]) => {
    if (isObject(map)) for (const name of names) delete map[name];
  };
  servers(after[key], removal.names);
  if (removal.byProject && isObject(after.projects)) {
    for (const [folder, names] of Object.entries(removal.byProject)) {
      const project = after.projects[folder];
      if (isObject(project)) servers(project.mcpServers, names);
    }
  }
  if (entry) {
    if (!isObject(after[key])) after[key] = {};
    (after[key] as Record<string, unknown>)[ONE_MCP_KEY] = entry;
  }
  if (text.trim() === '') return `${JSON.stringify(after, null, 2)}\n`;
  const edited = editJsonText(text, before, after);
  if (edited === undefined) {
    throw new OneMcpError(`${file.path}: could not change its servers while keeping the rest of the file exactly as it is; nothing was changed. Move its servers by hand ("1mcp mcp add"), or simplify the "${key}" part and try again`);
  }
  return edited;
}

function rewriteCodex(text: string, removal: Removal, entry: CodexEntry | undefined): string {
  let out = text;
  for (const name of removal.names) out = removeCodexServer(out, name).text;
  if (entry) out = upsertCodexServer(out, ONE_MCP_KEY, entry).text;
  return out;
}
