/**
 * Claude Code: user and local servers in `~/.claude.json` (top-level `mcpServers`, and
 * `projects["<folder>"].mcpServers` per project), project servers in `<project>/.mcp.json`.
 * Entries: type stdio/http/sse, command/args/env, url/headers.
 * https://docs.claude.com/en/docs/claude-code/mcp
 *   ~/.claude.json (Windows: %USERPROFILE%\.claude.json); with CLAUDE_CONFIG_DIR set, <that folder>/.claude.json
 */
import { join } from 'node:path';
import { isObject, parseClientJson, readServerMap, type ClientDef, type FoundServer } from './shared.ts';

export const claudeCode: ClientDef = {
  name: 'claude-code',
  label: 'Claude Code',
  docs: 'https://docs.claude.com/en/docs/claude-code/mcp',
  http: true,
  files: (ctx) => [
    { app: 'claude-code', scope: 'user', path: join(ctx.env.CLAUDE_CONFIG_DIR || ctx.home, '.claude.json') },
    { app: 'claude-code', scope: 'project', path: join(ctx.cwd, '.mcp.json') },
  ],
  read: (text, file) => {
    const json = parseClientJson(text, file.path);
    if (file.scope === 'project') return readServerMap('claude-code', json, 'mcpServers', file.path, 'project');
    const found: FoundServer[] = readServerMap('claude-code', json, 'mcpServers', file.path, 'user');
    const projects = Object.hasOwn(json, 'projects') ? json.projects : undefined;
    if (isObject(projects)) {
      for (const [folder, project] of Object.entries(projects)) {
        if (isObject(project)) found.push(...readServerMap('claude-code', project, 'mcpServers', file.path, 'local', { project: folder }));
      }
    }
    return found;
  },
};
