/**
 * The context budget of a view (docs/configuration.md, "Search mode"): from the tool definitions a
 * client of the view receives, per server and in total — how many tools, the estimated tokens of the
 * tool list sent directly and in search mode, and which well-known client limits it exceeds.
 * Pure: the CLI (`preset test`, `mcp tokens`) feeds it what the running serve lists.
 *
 * The search-mode figure is computed from the same meta-tool definitions serve lists (search/meta-tools.ts)
 * plus the view's pinned tools, with the same estimator the search evaluation uses (search/tokens.ts).
 */
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { metaTools } from '../search/meta-tools.ts';
import { estimateTokens } from '../search/tokens.ts';

export interface ServerTools {
  server: string;
  /** The tools as a client of the view sees them (exposed names). */
  tools: readonly Tool[];
}

export interface ClientLimit {
  id: string;
  /** Who has the limit, as a person names it. */
  client: string;
  kind: 'tools' | 'name-length';
  max: number;
}

/** Limits clients are known to have (docs/configuration.md lists where each comes from). */
export const CLIENT_LIMITS: readonly ClientLimit[] = [
  { id: 'cursor', client: 'Cursor', kind: 'tools', max: 40 },
  { id: 'vscode', client: 'VS Code', kind: 'tools', max: 128 },
  { id: 'name-length', client: 'MCP clients and model APIs', kind: 'name-length', max: 64 },
];

export interface ServerBudget {
  server: string;
  tools: number;
  /** Tools of this server that stay listed in search mode. */
  pinned: number;
  tokens: { direct: number; search: number };
}

export interface LimitCheck extends ClientLimit {
  /** The measured value: tool count, or the longest name. */
  direct: number;
  search: number;
  exceeded: { direct: boolean; search: boolean };
  /** For name limits: the names over it. */
  names?: string[];
}

export interface BudgetReport {
  servers: ServerBudget[];
  total: {
    tools: number;
    /** What tools/list holds in search mode: the pinned tools and the meta-tools. */
    toolsInSearchMode: number;
    tokens: { direct: number; search: number };
  };
  /** Every known limit with its figures; `exceeded` says which are crossed. */
  limits: LimitCheck[];
}

/** Estimated tokens of a tools/list result holding these tools. */
export function listTokens(tools: readonly Tool[]): number {
  return estimateTokens({ tools });
}

export function budgetReport(servers: readonly ServerTools[], pins: readonly string[] = []): BudgetReport {
  const pinned = new Set(pins);
  const all = servers.flatMap((s) => s.tools);
  const pinnedTools = all.filter((t) => pinned.has(t.name));
  const searchList = [...pinnedTools, ...metaTools()];
  const perServer = servers.map((s) => {
    const own = s.tools.filter((t) => pinned.has(t.name));
    return { server: s.server, tools: s.tools.length, pinned: own.length, tokens: { direct: listTokens(s.tools), search: own.length ? listTokens(own) : 0 } };
  });
  const longest = (tools: readonly Tool[]) => Math.max(0, ...tools.map((t) => t.name.length));
  const limits = CLIENT_LIMITS.map((limit): LimitCheck => {
    if (limit.kind === 'tools') {
      return { ...limit, direct: all.length, search: searchList.length, exceeded: { direct: all.length > limit.max, search: searchList.length > limit.max } };
    }
    const direct = longest(all);
    const search = longest(searchList);
    const names = all.filter((t) => t.name.length > limit.max).map((t) => t.name);
    return { ...limit, direct, search, exceeded: { direct: direct > limit.max, search: search > limit.max }, ...(names.length ? { names } : {}) };
  });
  return {
    servers: perServer,
    total: { tools: all.length, toolsInSearchMode: searchList.length, tokens: { direct: listTokens(all), search: listTokens(searchList) } },
    limits,
  };
}
