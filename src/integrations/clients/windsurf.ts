/**
 * Windsurf (Cascade): `mcp_config.json`, key `mcpServers`; a remote server's URL is `serverUrl`.
 * https://docs.windsurf.com/windsurf/cascade/mcp
 *   ~/.codeium/windsurf/mcp_config.json (Windows: %USERPROFILE%\.codeium\windsurf\mcp_config.json)
 */
import { join } from 'node:path';
import { parseClientJson, readServerMap, type ClientDef } from './shared.ts';

export const windsurf: ClientDef = {
  name: 'windsurf',
  label: 'Windsurf',
  docs: 'https://docs.windsurf.com/windsurf/cascade/mcp',
  http: true,
  files: (ctx) => [{ app: 'windsurf', scope: 'user', path: join(ctx.home, '.codeium', 'windsurf', 'mcp_config.json') }],
  read: (text, file) => readServerMap('windsurf', parseClientJson(text, file.path), 'mcpServers', file.path, 'user', { rename: { serverUrl: 'url' } }),
};
