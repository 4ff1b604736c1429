/** Which clients a command of `1mcp app` is about, and where their files are (OS, home, project folder). */
import { home } from '../runtime/home.ts';
import { UsageError } from '../errors.ts';
import { CLIENTS, clientNamed, type ClientContext } from '../integrations/clients/index.ts';
import { APP_NAMES, type ClientPlatform } from '../integrations/clients/shared.ts';
import { nearest } from './nearest.ts';

export function clientContext(options: Record<string, any>): ClientContext {
  const platform = options.platform ?? process.platform;
  if (platform !== 'linux' && platform !== 'darwin' && platform !== 'win32') {
    throw new UsageError(options.platform ? `--platform must be linux, darwin or win32 (got "${platform}")` : `client locations are known for linux, darwin and win32, not ${platform}; pass --platform`);
  }
  return { platform: platform as ClientPlatform, home: home(), env: process.env, cwd: process.cwd() };
}

/** The clients named on the command line (all when none), each checked. */
export function chosenClients(names: string[]) {
  if (names.length === 0) return CLIENTS;
  return names.map((name) => {
    const client = clientNamed(name);
    if (client) return client;
    const hint = nearest(name, [...APP_NAMES]);
    throw new UsageError(`unknown app "${name}"${hint ? `; did you mean "${hint}"?` : ''} (known: ${APP_NAMES.join(', ')})`);
  });
}
