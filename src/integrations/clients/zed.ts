/**
 * Zed: `settings.json`, key `context_servers`: `{ command, args, env }` or `{ url, headers }`, and the
 * older form `{ "command": { "path", "args", "env" } }`; servers that a Zed extension provides have no
 * command here. The file may hold comments.
 * https://zed.dev/docs/ai/mcp, settings file location: https://zed.dev/docs/configuring-zed
 *   user     ~/.config/zed/settings.json (Linux and macOS; $XDG_CONFIG_HOME honoured on Linux),
 *            %APPDATA%\Zed\settings.json (Windows)
 *   project  <project>/.zed/settings.json
 */
import { join } from 'node:path';
import { foundServer, isObject, parseClientJson, serverMap, type ClientDef } from './shared.ts';

/** The older nested form, flattened; `source` only says where the definition came from. */
function flatten(raw: Record<string, unknown>): Record<string, unknown> {
  const { command, ...rest } = raw;
  if (!isObject(command)) return { ...raw };
  const { path, ...nested } = command;
  return { ...rest, ...nested, command: path };
}

export const zed: ClientDef = {
  name: 'zed',
  label: 'Zed',
  docs: 'https://zed.dev/docs/ai/mcp',
  http: true,
  files: (ctx) => [
    { app: 'zed', scope: 'user', path: ctx.platform === 'win32' ? join(ctx.env.APPDATA || join(ctx.home, 'AppData', 'Roaming'), 'Zed', 'settings.json') : join(ctx.platform === 'linux' && ctx.env.XDG_CONFIG_HOME ? ctx.env.XDG_CONFIG_HOME : join(ctx.home, '.config'), 'zed', 'settings.json') },
    { app: 'zed', scope: 'project', path: join(ctx.cwd, '.zed', 'settings.json') },
  ],
  read: (text, file) =>
    serverMap(parseClientJson(text, file.path), 'context_servers').map(([name, raw]) => {
      const found = foundServer('zed', name, flatten(raw), file.path, file.scope);
      if (typeof raw.enabled === 'boolean') {
        found.entry.disabled = !raw.enabled;
        delete found.extra.enabled;
      }
      if (found.entry.command === undefined && found.entry.url === undefined && raw.source === 'extension') {
        found.notes = ['provided by a Zed extension: its command is not in settings.json, so it cannot be imported'];
      }
      return found;
    }),
};
