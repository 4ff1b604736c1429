/**
 * How to launch this very program again (for client configs such as Codex's `command`).
 * A compiled binary is its own process.execPath; under Node we are a script run by node.
 */
import { isCompiledBinary } from './env.ts';

export function selfLaunch(packageName: string, version: string): { command: string; args: string[]; kind: 'binary' | 'npx' | 'script' } {
  if (isCompiledBinary()) return { command: process.execPath, args: [], kind: 'binary' };
  const script = process.argv[1] ?? '';
  // Started by npx / from an npm install: the stable way back is through npx.
  if (script.includes('/_npx/') || script.includes('\\_npx\\') || script.includes('node_modules')) {
    return { command: 'npx', args: ['-y', `${packageName}@${version}`], kind: 'npx' };
  }
  return { command: process.execPath, args: [script], kind: 'script' };
}
