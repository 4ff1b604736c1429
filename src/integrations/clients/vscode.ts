/**
 * VS Code (GitHub Copilot agent mode): `mcp.json`, key `servers` (type stdio/http/sse, command/args/env/
 * envFile/cwd, url/headers), and `inputs`: values VS Code asks for and puts where `${input:<id>}` stands.
 * The file may hold comments. https://code.visualstudio.com/docs/copilot/reference/mcp-configuration
 *   user     <user folder>/mcp.json: ~/.config/Code/User (Linux, $XDG_CONFIG_HOME honoured),
 *            ~/Library/Application Support/Code/User (macOS), %APPDATA%\Code\User (Windows)
 *   project  <project>/.vscode/mcp.json
 * (Profiles other than the default keep theirs under User/profiles/<id>/; not read yet.)
 */
import { join } from 'node:path';
import { appDataDir, isObject, parseClientJson, readServerMap, type ClientDef } from './shared.ts';

const INPUT = /\$\{input:([^}]+)\}/g;

/** The `${input:…}` ids an entry uses: 1mcp cannot prompt, so each needs a value before import. */
function inputsUsed(value: unknown, into = new Set<string>()): Set<string> {
  if (typeof value === 'string') for (const m of value.matchAll(INPUT)) into.add(m[1]!);
  else if (Array.isArray(value)) for (const v of value) inputsUsed(v, into);
  else if (isObject(value)) for (const v of Object.values(value)) inputsUsed(v, into);
  return into;
}

export const vscode: ClientDef = {
  name: 'vscode',
  label: 'VS Code',
  docs: 'https://code.visualstudio.com/docs/copilot/reference/mcp-configuration',
  http: true,
  files: (ctx) => [
    { app: 'vscode', scope: 'user', path: join(appDataDir(ctx), 'Code', 'User', 'mcp.json') },
    { app: 'vscode', scope: 'project', path: join(ctx.cwd, '.vscode', 'mcp.json') },
  ],
  read: (text, file) => {
    const json = parseClientJson(text, file.path);
    const declared = new Map<string, Record<string, unknown>>();
    if (Array.isArray(json.inputs)) for (const input of json.inputs) if (isObject(input) && typeof input.id === 'string') declared.set(input.id, input);
    return readServerMap('vscode', json, 'servers', file.path, file.scope).map((server) => {
      for (const id of inputsUsed(server.entry)) {
        const input = declared.get(id);
        const what = input && typeof input.description === 'string' ? ` (${input.description})` : '';
        server.notes.push(`needs a value for \${input:${id}}${what}${input?.password ? ', a secret' : ''}`);
      }
      return server;
    });
  },
};
