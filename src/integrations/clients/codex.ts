/**
 * Codex: `config.toml`, tables `[mcp_servers.<name>]` (command/args/env/cwd, or url with
 * bearer_token_env_var / http_headers / env_http_headers; enabled; startup_timeout_sec, tool_timeout_sec,
 * disabled_tools). https://github.com/openai/codex/blob/main/docs/config.md#mcp_servers
 *   $CODEX_HOME/config.toml, default ~/.codex/config.toml (Windows: %USERPROFILE%\.codex\config.toml)
 */
import { join } from 'node:path';
import { parseToml } from '../toml-text.ts';
import { foundServer, isObject, serverMap, type ClientDef, type FoundServer } from './shared.ts';

const isStringRecord = (v: unknown): v is Record<string, string> => isObject(v) && Object.values(v).every((x) => typeof x === 'string');
const seconds = (v: unknown): v is number => typeof v === 'number' && v > 0;

/** Codex's own spellings in mcp.json's terms: header variables become ${VAR} references, seconds become ms. */
function readCodexServer(name: string, raw: Record<string, unknown>, file: string): FoundServer {
  const { http_headers, env_http_headers, bearer_token_env_var, enabled, startup_timeout_sec, tool_timeout_sec, disabled_tools, ...rest } = raw;
  const found = foundServer('codex', name, rest, file, 'user');
  const { entry, extra } = found;
  const headers: Record<string, string> = isStringRecord(entry.headers) ? { ...entry.headers } : {};
  // Whatever has an unexpected shape is kept as written.
  const keep = (key: string, value: unknown) => {
    if (value !== undefined) extra[key] = value;
  };
  if (isStringRecord(http_headers)) Object.assign(headers, http_headers);
  else keep('http_headers', http_headers);
  if (isStringRecord(env_http_headers)) for (const [header, variable] of Object.entries(env_http_headers)) headers[header] = `\${${variable}}`;
  else keep('env_http_headers', env_http_headers);
  if (typeof bearer_token_env_var === 'string') headers.Authorization = `Bearer \${${bearer_token_env_var}}`;
  else keep('bearer_token_env_var', bearer_token_env_var);
  if (Object.keys(headers).length > 0) entry.headers = headers;
  if (typeof enabled === 'boolean') entry.disabled = !enabled;
  else keep('enabled', enabled);
  if (seconds(startup_timeout_sec)) entry.connectionTimeout = Math.round(startup_timeout_sec * 1000);
  else keep('startup_timeout_sec', startup_timeout_sec);
  if (seconds(tool_timeout_sec)) entry.requestTimeout = Math.round(tool_timeout_sec * 1000);
  else keep('tool_timeout_sec', tool_timeout_sec);
  if (Array.isArray(disabled_tools) && disabled_tools.every((t) => typeof t === 'string')) entry.disabledTools = disabled_tools;
  else keep('disabled_tools', disabled_tools);
  return found;
}

export const codex: ClientDef = {
  name: 'codex',
  label: 'Codex',
  docs: 'https://github.com/openai/codex/blob/main/docs/config.md#mcp_servers',
  http: true,
  files: (ctx) => [{ app: 'codex', scope: 'user', path: join(ctx.env.CODEX_HOME || join(ctx.home, '.codex'), 'config.toml') }],
  read: (text, file) => serverMap(parseToml(text, file.path), 'mcp_servers').map(([name, raw]) => readCodexServer(name, raw, file.path)),
};
