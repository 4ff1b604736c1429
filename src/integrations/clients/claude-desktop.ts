/**
 * Claude Desktop: `claude_desktop_config.json`, key `mcpServers` (stdio servers: command, args, env).
 * https://modelcontextprotocol.io/docs/develop/connect-local-servers
 *   macOS    ~/Library/Application Support/Claude/claude_desktop_config.json
 *   Windows  %APPDATA%\Claude\claude_desktop_config.json
 *   Linux    no official build; community builds use ~/.config/Claude/claude_desktop_config.json
 */
import { join } from 'node:path';
import { appDataDir, parseClientJson, readServerMap, type ClientDef } from './shared.ts';

export const claudeDesktop: ClientDef = {
  name: 'claude-desktop',
  label: 'Claude Desktop',
  docs: 'https://modelcontextprotocol.io/docs/develop/connect-local-servers',
  http: false,
  files: (ctx) => [{ app: 'claude-desktop', scope: 'user', path: join(appDataDir(ctx), 'Claude', 'claude_desktop_config.json') }],
  read: (text, file) => readServerMap('claude-desktop', parseClientJson(text, file.path), 'mcpServers', file.path, 'user'),
};
