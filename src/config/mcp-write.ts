/**
 * The text the CLI writes for an edited `mcp.json`, and what a running serve will make of it.
 * Edits keep comments and formatting (jsonc-edit.ts); only a change that cannot be verified falls
 * back to a whole rewrite, with a warning.
 */
import { unresolvedVariables } from './env-subst.ts';
import { editJsonText, renderJson, sameJson } from './jsonc-edit.ts';
import type { RawMcpFile } from './mcp-config.ts';

/** New file text for `after`, editing `text` (parsed as `before`) in place when possible. */
export function mcpFileText(text: string | undefined, before: RawMcpFile, after: RawMcpFile, warnings: string[]): string {
  if (text === undefined || text.trim() === '') return `${renderJson(after)}\n`;
  const edited = editJsonText(text, before, after);
  if (edited !== undefined) return edited;
  warnings.push('could not edit mcp.json in place, so it was rewritten whole: its comments and formatting were not kept (the previous version is in backups/)');
  const nl = text.includes('\r\n') ? '\r\n' : '\n';
  return `${renderJson(after, '', { nl, unit: '  ' })}${nl}`;
}

/**
 * What a running serve will not do with the new file, as sentences for the user. A file serve would
 * reject is never written (the CLI validates it the same way first), so what is left is a changed,
 * enabled server that refers to ${VAR}s unset here: serve resolves them from its own environment
 * when it starts that server, and keeps it in state error when it cannot.
 */
export function serveNotes(before: RawMcpFile, after: RawMcpFile, env: NodeJS.ProcessEnv): string[] {
  const notes: string[] = [];
  const servers = (after.mcpServers ?? {}) as Record<string, Record<string, unknown>>;
  const old = (before.mcpServers ?? {}) as Record<string, unknown>;
  for (const name of Object.keys(servers)) {
    const entry = servers[name]!;
    if (entry.disabled === true || (Object.hasOwn(old, name) && sameJson(old[name], entry))) continue;
    const fields = Object.fromEntries(['command', 'args', 'env', 'cwd', 'url', 'headers'].map((f) => [f, entry[f]]));
    const vars = [...new Set(unresolvedVariables(fields, env).map((p) => `\${${p.variable}}`))];
    if (vars.length) {
      notes.push(`server "${name}" uses ${vars.join(', ')}, not set in this shell: a running serve starts "${name}" only if ${vars.length > 1 ? 'they are' : 'it is'} set in serve's own environment (otherwise "1mcp mcp status" shows it in state error naming the variable)`);
    }
  }
  return notes;
}
