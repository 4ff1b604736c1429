/**
 * A view's tools grouped by server, as the running serve lists them to a client of that view.
 * The tool list comes from the MCP session (exact exposed names and definitions); which server each
 * tool belongs to, and the servers' states, come from serve's JSON API (scoped by the same token).
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import type { ConfigPaths } from '../config/paths.ts';
import { readPresetsFile } from '../config/presets.ts';
import { evaluate, fromTagQuery, parseFilter, parseTagList } from '../filter/index.ts';
import { firstSentence } from '../search/summary.ts';
import { serveApi } from './serve-client.ts';
import { listAllTools, type ViewChoice, type ViewTarget } from './view-session.ts';

export interface ViewServer {
  name: string;
  state: string;
  tags: string[];
  lastError?: string;
  /** The server's tools in the view, as exposed. */
  tools: Tool[];
  /** Exposed name → the server's own name for the tool. */
  originals: Map<string, string>;
  /** First sentence of the server's section in the session's instructions, if any. */
  about?: string;
}

export interface ViewCatalog {
  servers: ViewServer[];
  tools: Tool[];
  instructions?: string;
}

interface StatusBody {
  configDir?: string;
  servers: { name: string; state: string; tags?: string[]; lastError?: string }[];
}

interface ToolsBody {
  tools: { name: string; exposedName: string }[];
}

/** `## name` sections of the aggregated instructions (the default layout), first sentence of each. */
export function instructionSections(text: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!text) return out;
  const parts = text.split(/^## (.+)$/m);
  for (let i = 1; i + 1 < parts.length; i += 2) {
    const about = firstSentence(parts[i + 1]!.trim());
    if (about) out.set(parts[i]!.trim(), about);
  }
  return out;
}

/**
 * Whether a server with these tags is in the view, when that can be told here: tags and filters
 * always; a preset from this config dir's presets.json when serve runs on it. Otherwise undefined
 * (serve's default view may be narrowed by `serve --filter`), and only servers with tools in the list count.
 */
export function viewMembership(view: ViewChoice, paths: ConfigPaths, serveConfigDir: string | undefined): ((tags: string[]) => boolean) | undefined {
  try {
    if (view.tags) {
      const wanted = parseTagList(view.tags).map((t) => t.toLowerCase());
      return (tags) => tags.some((t) => wanted.includes(t.toLowerCase()));
    }
    if (view.filter) {
      const ast = parseFilter(view.filter);
      return (tags) => evaluate(ast, tags);
    }
    if (view.preset && serveConfigDir === paths.dir) {
      const presets = readPresetsFile(paths.presetsJson).presets;
      const preset = Object.hasOwn(presets, view.preset) ? presets[view.preset]! : undefined;
      if (!preset) return undefined;
      const ast = preset.filter ? parseFilter(preset.filter) : fromTagQuery(preset.tagQuery, `preset "${preset.name}"`);
      return (tags) => evaluate(ast, tags);
    }
  } catch {
    // serve accepted the view; if we cannot read it the same way, rely on the tool list alone.
  }
  return undefined;
}

export async function viewCatalog(vt: ViewTarget, client: Client): Promise<ViewCatalog> {
  const [tools, status] = await Promise.all([listAllTools(client), serveApi<StatusBody>(vt.target, '/api/status')]);
  const instructions = client.getInstructions();
  const enabled = status.servers.filter((s) => s.state !== 'disabled');
  const toolLists = await Promise.all(
    enabled.map((s) => serveApi<ToolsBody>(vt.target, `/api/servers/${encodeURIComponent(s.name)}/tools`).catch(() => ({ tools: [] }) as ToolsBody)),
  );
  const owner = new Map<string, { server: string; original: string }>();
  enabled.forEach((s, i) => {
    for (const t of toolLists[i]!.tools) owner.set(t.exposedName, { server: s.name, original: t.name });
  });
  const about = instructionSections(instructions);
  const byName = new Map<string, ViewServer>();
  const serverOf = (name: string, state = 'connected', tags: string[] = [], lastError?: string) => {
    let entry = byName.get(name);
    if (!entry) {
      entry = { name, state, tags, ...(lastError ? { lastError } : {}), tools: [], originals: new Map(), ...(about.has(name) ? { about: about.get(name) } : {}) };
      byName.set(name, entry);
    }
    return entry;
  };
  const statusOf = new Map(enabled.map((s) => [s.name, s]));
  const inView = viewMembership(vt.view, vt.paths, status.configDir);
  // Servers first in serve's order, so output is stable.
  for (const s of enabled) if (inView?.(s.tags ?? [])) serverOf(s.name, s.state, s.tags ?? [], s.lastError);
  for (const tool of tools) {
    const known = owner.get(tool.name);
    // A tool the API does not attribute (a per-session server's instance): its name says the prefix.
    const server = known?.server ?? (tool.name.includes('_1mcp_') ? tool.name.split('_1mcp_')[0]! : '(unknown)');
    const s = statusOf.get(server);
    const entry = serverOf(server, s?.state, s?.tags ?? [], s?.lastError);
    entry.tools.push(tool);
    entry.originals.set(tool.name, known?.original ?? (tool.name.includes('_1mcp_') ? tool.name.slice(tool.name.indexOf('_1mcp_') + '_1mcp_'.length) : tool.name));
  }
  const order = enabled.map((s) => s.name);
  const servers = [...byName.values()].sort((a, b) => rank(order, a.name) - rank(order, b.name));
  return { servers, tools, ...(instructions ? { instructions } : {}) };
}

function rank(order: string[], name: string): number {
  const i = order.indexOf(name);
  return i < 0 ? order.length : i;
}
