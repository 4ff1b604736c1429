/**
 * Cursor: `mcp.json`, key `mcpServers` (command/args/env, or url/headers).
 * https://cursor.com/docs/context/mcp
 *   user     ~/.cursor/mcp.json (Windows: %USERPROFILE%\.cursor\mcp.json)
 *   project  <project>/.cursor/mcp.json
 */
import { join } from 'node:path';
import { parseClientJson, readServerMap, type ClientDef } from './shared.ts';

export const cursor: ClientDef = {
  name: 'cursor',
  label: 'Cursor',
  docs: 'https://cursor.com/docs/context/mcp',
  http: true,
  files: (ctx) => [
    { app: 'cursor', scope: 'user', path: join(ctx.home, '.cursor', 'mcp.json') },
    { app: 'cursor', scope: 'project', path: join(ctx.cwd, '.cursor', 'mcp.json') },
  ],
  read: (text, file) => readServerMap('cursor', parseClientJson(text, file.path), 'mcpServers', file.path, file.scope),
};
