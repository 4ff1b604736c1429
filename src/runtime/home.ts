/**
 * The user's home folder: $HOME, else %USERPROFILE% (Windows), else what the OS reports. The
 * variables come first so a test (or a user) can point every 1mcp path at another folder.
 */
import { homedir } from 'node:os';

export function home(env: NodeJS.ProcessEnv = process.env): string {
  return env.HOME || env.USERPROFILE || homedir();
}
