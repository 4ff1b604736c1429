/**
 * Where each OS's service manager expects the definition, for the current user:
 *   linux   $XDG_CONFIG_HOME/systemd/user/1mcp.service (default ~/.config/…), see systemd.unit(5) "User Unit Search Path"
 *   darwin  ~/Library/LaunchAgents/dev.1mcp.serve.plist, see launchd.plist(5)
 *   win32   Task Scheduler keeps tasks itself; the XML registered is kept in <config>/service/1mcp-task.xml
 */
import { join } from 'node:path';
import { LAUNCHD_LABEL, xmlEscape } from './launchd.ts';
import { TASK_NAME } from './schtasks.ts';
import { SYSTEMD_UNIT_NAME, systemdQuote } from './systemd.ts';

export type ServicePlatform = 'linux' | 'darwin' | 'win32';

export function isServicePlatform(value: string): value is ServicePlatform {
  return value === 'linux' || value === 'darwin' || value === 'win32';
}

export function serviceFilePath(platform: ServicePlatform, home: string, configDir: string, env: NodeJS.ProcessEnv = process.env): string {
  if (platform === 'linux') return join(env.XDG_CONFIG_HOME || join(home, '.config'), 'systemd', 'user', SYSTEMD_UNIT_NAME);
  if (platform === 'darwin') return join(home, 'Library', 'LaunchAgents', `${LAUNCHD_LABEL}.plist`);
  return join(configDir, 'service', `${TASK_NAME}-task.xml`);
}

/** Whether a definition names this config dir (as its format writes it): the service runs that one. */
export function mentionsConfigDir(platform: ServicePlatform, content: string, configDir: string): boolean {
  return content.includes(platform === 'linux' ? systemdQuote(configDir).slice(1, -1) : xmlEscape(configDir));
}
