/**
 * What a config change means for running backends (docs/design.md): which to start, stop, restart, and
 * which only changed fields that views read (no restart).
 */
import type { ServerConfig } from '../config/mcp-schema.ts';

/** Fields whose change needs a new connection. */
const CONNECTION_FIELDS: (keyof ServerConfig)[] = ['type', 'command', 'args', 'env', 'cwd', 'url', 'headers', 'inheritParentEnv', 'envFilter', 'connectionTimeout', 'disabled', 'configProblem', 'oauth', 'protocol'];

export interface ServerDiff {
  added: ServerConfig[];
  removed: string[];
  restarted: ServerConfig[];
  /** Only tags, disabledTools, prefix, description, timeouts or restart policy changed. */
  updated: ServerConfig[];
}

export function diffServers(before: ServerConfig[], after: ServerConfig[]): ServerDiff {
  const old = new Map(before.map((s) => [s.name, s]));
  const diff: ServerDiff = { added: [], removed: [], restarted: [], updated: [] };
  for (const next of after) {
    const prev = old.get(next.name);
    old.delete(next.name);
    if (!prev) diff.added.push(next);
    else if (CONNECTION_FIELDS.some((f) => !same(prev[f], next[f]))) diff.restarted.push(next);
    else if (!same(prev, next)) diff.updated.push(next);
  }
  diff.removed = [...old.keys()];
  return diff;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
