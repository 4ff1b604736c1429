/**
 * `1mcp mcp tools <server>`: the server's tools, from the running serve when there is one, else by
 * starting the server once here and asking it.
 */
import { loadServers } from '../config/mcp-config.ts';
import { OneMcpError, UsageError } from '../errors.ts';
import { commandContext } from './context.ts';
import { nearest } from './nearest.ts';
import { color, note, print, printJson, table } from './output.ts';
import { findServeTarget, ServeApiError, serveApi } from './serve-client.ts';

interface ToolRow {
  name: string;
  exposedName: string;
  description?: string;
  disabled: boolean;
}

export async function listServerTools(name: string, options: Record<string, any>): Promise<number> {
  const { paths } = commandContext(options);
  const target = await findServeTarget(paths, options.token);
  let rows: ToolRow[];
  if (target) {
    const body = await serveApi<{ state: string; tools: ToolRow[] }>(target, `/api/servers/${encodeURIComponent(name)}/tools`);
    if (body.state !== 'connected') note(`${name} is ${body.state} in the running serve; showing its last known tools.`);
    rows = body.tools;
  } else {
    const config = loadServers(paths.mcpJson, { resolveDisabled: true }).find((s) => s.name === name);
    if (!config) throw new OneMcpError(`no server named "${name}" in ${paths.mcpJson}`);
    if (config.configProblem) throw new OneMcpError(`cannot start "${name}": ${config.configProblem}`);
    const [{ connect }, { StderrRing }, { exposedName }] = await Promise.all([import('../backends/connect.ts'), import('../backends/stderr-ring.ts'), import('../catalog/names.ts')]);
    const stderr = new StderrRing(50);
    let connection;
    try {
      connection = await connect(config, stderr, () => {});
    } catch (error) {
      throw new OneMcpError(`could not start "${name}": ${(error as Error).message}${stderr.tail(3).length ? ` — stderr: ${stderr.tail(3).join(' | ')}` : ''}`);
    }
    try {
      const { tools } = await connection.client.listTools();
      const hidden = new Set(config.disabledTools);
      rows = tools.map((t) => ({ name: t.name, exposedName: exposedName(config.prefix, t.name), description: t.description, disabled: hidden.has(t.name) }));
    } finally {
      await connection.client.close().catch(() => {});
      await connection.transport.close().catch(() => {});
    }
  }
  if (options.json) {
    printJson(rows);
    return 0;
  }
  print(table(['TOOL', 'EXPOSED AS', 'STATE', 'DESCRIPTION'], rows.map((r) => [r.name, r.exposedName, r.disabled ? color.yellow('disabled') : 'enabled', (r.description ?? '').split('\n')[0]!.slice(0, 60)])));
  return 0;
}

/**
 * Before `mcp tools disable` stores a name: when the running serve knows the server's tools, a name
 * that is not one of them is refused (unless `force`), naming the nearest; otherwise stored with a warning.
 */
export async function checkToolName(server: string, tool: string, options: Record<string, any>, paths: import('../config/paths.ts').ConfigPaths): Promise<void> {
  const unchecked = (why: string) => note(color.yellow(`warning: ${why}, so "${tool}" is stored without checking that ${server} has such a tool.`));
  const target = await findServeTarget(paths, options.token);
  if (!target) return unchecked('no running serve');
  let body: { state: string; tools: ToolRow[] };
  try {
    body = await serveApi<{ state: string; tools: ToolRow[] }>(target, `/api/servers/${encodeURIComponent(server)}/tools`);
  } catch (error) {
    if (error instanceof ServeApiError) return unchecked(`the running serve could not list the tools of ${server} (${error.message})`);
    throw error;
  }
  if (body.tools.length === 0) return unchecked(`${server} is ${body.state} in the running serve and has reported no tools yet`);
  const names = body.tools.map((t) => t.name);
  if (names.includes(tool) || options.force) return;
  const byExposed = body.tools.find((t) => t.exposedName === tool)?.name;
  const hint = byExposed ?? nearest(tool, names);
  const help = hint ? `did you mean "${hint}"?` : `its tools: ${names.slice(0, 10).join(', ')}${names.length > 10 ? ', …' : ''}`;
  throw new UsageError(`${server} has no tool "${tool}" (${help}); nothing was changed — pass --force to store the name anyway`);
}
