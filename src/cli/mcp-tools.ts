/**
 * `1mcp mcp tools <server>`: the server's tools, from the running serve when there is one, else by
 * starting the server once here and asking it.
 */
import { loadServers } from '../config/mcp-config.ts';
import { OneMcpError } from '../errors.ts';
import { commandContext } from './context.ts';
import { color, note, print, printJson, table } from './output.ts';
import { findServe, serveApi } from './serve-client.ts';

interface ToolRow {
  name: string;
  exposedName: string;
  description?: string;
  disabled: boolean;
}

export async function listServerTools(name: string, options: Record<string, any>): Promise<number> {
  const { paths } = commandContext(options);
  const origin = await findServe(paths);
  let rows: ToolRow[];
  if (origin) {
    const body = await serveApi<{ state: string; tools: ToolRow[] }>(origin, `/api/servers/${encodeURIComponent(name)}/tools`);
    if (body.state !== 'connected') note(`${name} is ${body.state} in the running serve; showing its last known tools.`);
    rows = body.tools;
  } else {
    const config = loadServers(paths.mcpJson).find((s) => s.name === name);
    if (!config) throw new OneMcpError(`no server named "${name}" in ${paths.mcpJson}`);
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
