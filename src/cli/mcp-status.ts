/** `1mcp mcp status [name]` and `1mcp mcp restart <name>`: live state from the running serve (README.md). */
import type { BackendStatus } from '../backends/types.ts';
import { readMcpFile, validateMcpConfig } from '../config/mcp-config.ts';
import { OneMcpError } from '../errors.ts';
import { commandContext } from './context.ts';
import { color, note, print, printJson, table } from './output.ts';
import { findServeTarget, serveApi, START_HINT } from './serve-client.ts';

type LiveStatus = BackendStatus & { stderrTail?: string[] };

const STATE_COLOR: Record<string, (s: string) => string> = {
  connected: color.green,
  starting: color.yellow,
  restarting: color.yellow,
  'crash-loop': color.red,
  'awaiting-auth': color.yellow,
  error: color.red,
  disabled: color.dim,
  unknown: color.dim,
};

function uptime(seconds?: number): string {
  if (seconds === undefined) return '-';
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m`;
  return `${Math.floor(seconds / 3600)}h${Math.floor((seconds % 3600) / 60)}m`;
}

export async function status([name]: string[], options: Record<string, any>): Promise<number> {
  const { paths } = commandContext(options);
  const target = await findServeTarget(paths, options.token);
  if (!target) {
    const configs = validateMcpConfig(readMcpFile(paths.mcpJson).raw, paths.mcpJson, { substitute: false }).filter((c) => !name || c.name === name);
    if (name && configs.length === 0) throw new OneMcpError(`no server named "${name}" in ${paths.mcpJson}`);
    const rows = configs.map((c) => ({ name: c.name, type: c.type, state: c.disabled ? 'disabled' : 'unknown', tags: c.tags }));
    if (options.json) printJson({ serve: null, servers: rows });
    else {
      if (rows.length) print(table(['NAME', 'TYPE', 'STATE', 'TAGS'], rows.map((r) => [r.name, r.type, STATE_COLOR[r.state]!(r.state), r.tags.join(',')])));
      note(`No running 1mcp serve found for ${paths.dir}; ${START_HINT}.`);
    }
    return 1;
  }
  const body = await serveApi<{ servers: LiveStatus[] }>(target, '/api/status');
  let servers = body.servers;
  if (name) {
    servers = servers.filter((s) => s.name === name);
    if (servers.length === 0) throw new OneMcpError(`serve at ${target.origin} has no server named "${name}"`);
  }
  if (options.json) printJson({ serve: target.origin, servers });
  else {
    print(
      table(
        ['NAME', 'STATE', 'PID', 'UPTIME', 'RESTARTS', 'TOOLS', 'RESOURCES', 'PROMPTS', 'LAST ERROR'],
        servers.map((s) => [s.name, `${(STATE_COLOR[s.state] ?? String)(s.state)}${s.scope === 'session' ? ` (${s.instances}/${s.maxInstances} per-session instances)` : ''}`, s.pid ? String(s.pid) : '-', uptime(s.uptimeSeconds), String(s.restarts), String(s.tools), String(s.resources), String(s.prompts), s.lastError ?? '']),
      ),
    );
    if (name && servers[0]?.stderrTail?.length) {
      print(`\n${color.bold('stderr (last lines)')}`);
      print(servers[0].stderrTail.join('\n'));
    }
  }
  return servers.every((s) => s.state === 'connected' || s.state === 'disabled') ? 0 : 1;
}

export async function restart([name]: string[], options: Record<string, any>): Promise<number> {
  const { paths } = commandContext(options);
  const target = await findServeTarget(paths, options.token);
  if (!target) throw new OneMcpError(`no running 1mcp serve found for ${paths.dir}; ${START_HINT}`);
  const result = await serveApi<{ restarted: string; state: string }>(target, `/api/servers/${encodeURIComponent(name!)}/restart`, {
    method: 'POST',
    // serve accepts state changes only as JSON (a guard against cross-site form posts).
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
  print(`Restarting ${color.bold(result.restarted)} (${result.state}).`);
  return 0;
}
