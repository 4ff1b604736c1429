/**
 * Why a tool may be missing: a remote server that waits for an OAuth login has never listed its tools.
 * Added to "unknown tool" errors so the user learns the command instead of a bare "not found".
 */
import type { Backend } from '../backends/backend.ts';

export function loginHint(backends: Backend[]): string {
  const waiting = backends.filter((b) => b.state === 'awaiting-auth').map((b) => b.name);
  if (waiting.length === 0) return '';
  const names = waiting.map((n) => `"${n}"`).join(', ');
  return `; ${waiting.length > 1 ? 'servers' : 'server'} ${names} ${waiting.length > 1 ? 'wait' : 'waits'} for an OAuth login (run: 1mcp mcp auth ${waiting[0]})`;
}
