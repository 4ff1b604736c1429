/**
 * Gemini CLI: `settings.json`, key `mcpServers` (command/args/env/cwd; `url` is SSE, `httpUrl` is
 * Streamable HTTP; headers). The file may hold comments.
 * https://github.com/google-gemini/gemini-cli/blob/main/docs/tools/mcp-server.md
 *   user     ~/.gemini/settings.json (Windows: %USERPROFILE%\.gemini\settings.json)
 *   project  <project>/.gemini/settings.json
 */
import { join } from 'node:path';
import { foundServer, parseClientJson, serverMap, type ClientDef } from './shared.ts';

/** Gemini names the transport by the key: httpUrl (preferred when both are set) or url (SSE). */
function withTransport(raw: Record<string, unknown>): Record<string, unknown> {
  const { httpUrl, url, ...rest } = raw;
  if (typeof httpUrl === 'string') return { ...rest, type: 'http', url: httpUrl };
  if (typeof url === 'string') return { ...rest, type: 'sse', url };
  return { ...raw };
}

export const gemini: ClientDef = {
  name: 'gemini',
  label: 'Gemini CLI',
  docs: 'https://github.com/google-gemini/gemini-cli/blob/main/docs/tools/mcp-server.md',
  http: true,
  files: (ctx) => [
    { app: 'gemini', scope: 'user', path: join(ctx.home, '.gemini', 'settings.json') },
    { app: 'gemini', scope: 'project', path: join(ctx.cwd, '.gemini', 'settings.json') },
  ],
  read: (text, file) =>
    serverMap(parseClientJson(text, file.path), 'mcpServers').map(([name, raw]) => {
      const found = foundServer('gemini', name, withTransport(raw), file.path, file.scope);
      // The url that httpUrl overrides is not used by Gemini either; kept as written.
      if (typeof raw.httpUrl === 'string' && raw.url !== undefined) found.extra.url = raw.url;
      return found;
    }),
};
