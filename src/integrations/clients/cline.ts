/**
 * Cline (VS Code extension): `cline_mcp_settings.json` in the extension's global storage, key
 * `mcpServers` (command/args/env, or url with type "sse"/"streamableHttp"; disabled, autoApprove).
 * https://docs.cline.bot/mcp/configuring-mcp-servers
 *   <VS Code user folder>/globalStorage/saoudrizwan.claude-dev/settings/cline_mcp_settings.json, where the
 *   user folder is ~/.config/Code/User (Linux), ~/Library/Application Support/Code/User (macOS),
 *   %APPDATA%\Code\User (Windows)
 */
import { join } from 'node:path';
import { appDataDir, parseClientJson, readServerMap, type ClientDef } from './shared.ts';

export const cline: ClientDef = {
  name: 'cline',
  label: 'Cline',
  docs: 'https://docs.cline.bot/mcp/configuring-mcp-servers',
  http: true,
  files: (ctx) => [{ app: 'cline', scope: 'user', path: join(appDataDir(ctx), 'Code', 'User', 'globalStorage', 'saoudrizwan.claude-dev', 'settings', 'cline_mcp_settings.json') }],
  read: (text, file) => readServerMap('cline', parseClientJson(text, file.path), 'mcpServers', file.path, 'user'),
};
