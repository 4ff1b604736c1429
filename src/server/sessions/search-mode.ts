/**
 * The meta-tools of search mode (docs/configuration.md, "Search mode"): `1mcp_search_tools` ranks the
 * tools the session's view can see, `1mcp_describe_tool` shows one in full, `1mcp_call_tool` calls one
 * through the same path as a direct tools/call (routing, progress, cancellation, server-to-client
 * requests, errors, per-session instances). A tool the view cannot see is never found, described or
 * called: it gets the same refusal as an unknown name.
 */
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import { ErrorCode } from '@modelcontextprotocol/sdk/types.js';
import type { Catalog, Route } from '../../catalog/catalog.ts';
import type { View } from '../../catalog/view.ts';
import { search } from '../../search/index.ts';
import { countSearchQuery } from '../metrics.ts';
import { CALL_TOOL, DESCRIBE_TOOL, formatHits, META_TOOL_NAMES, parseSearchArguments, SEARCH_TOOLS } from '../../search/meta-tools.ts';
import { notFound, RpcError } from '../errors.ts';

type Extra = RequestHandlerExtra<any, any>;

/** What the meta-tools use of a session (session.ts provides it). */
export interface MetaToolHost {
  readonly catalog: Catalog;
  view(): View;
  /** Wait (bounded by --list-wait) while backends are still starting. */
  waitForStartup(): Promise<void>;
  /** The route of a tool the view can see (after waiting for starting backends), else the unknown-tool error. */
  resolveTool(name: string): Promise<Route>;
  /** The direct tools/call path, with the backend's original name already in `params`. */
  callTool(route: Route, params: Record<string, unknown>, extra: Extra): Promise<any>;
}

/** Added to a search-mode session's instructions. */
export function searchModeInstructions(toolCount: number): string {
  return (
    `Search mode: this view has ${toolCount} tool${toolCount === 1 ? '' : 's'}, not all listed. Find one with ${SEARCH_TOOLS} (plain words), ` +
    `read its parameters with ${DESCRIBE_TOOL} when needed, and call it with ${CALL_TOOL} { name, arguments }.`
  );
}

export function isMetaTool(name: string): boolean {
  return META_TOOL_NAMES.includes(name);
}

/** Handle a tools/call of one of the meta-tools. */
export function callMetaTool(host: MetaToolHost, params: { name: string; arguments?: Record<string, unknown>; [key: string]: unknown }, extra: Extra): Promise<any> {
  if (params.name === SEARCH_TOOLS) return searchTools(host, params.arguments);
  if (params.name === DESCRIBE_TOOL) return describeTool(host, params.arguments);
  return callThrough(host, params, extra);
}

async function searchTools(host: MetaToolHost, args: unknown) {
  let query: string;
  let limit: number;
  try {
    ({ query, limit } = parseSearchArguments(args));
  } catch (error) {
    throw new RpcError(ErrorCode.InvalidParams, (error as Error).message);
  }
  // A search made while backends are still starting should see their tools, like a tools/list would.
  await host.waitForStartup();
  const hits = search(host.catalog.searchIndex(host.view()), query, limit);
  countSearchQuery();
  return { content: [{ type: 'text', text: formatHits(hits) }], structuredContent: { tools: hits } };
}

async function describeTool(host: MetaToolHost, args: unknown) {
  const name = toolName(DESCRIBE_TOOL, args);
  // Refuses a name the view cannot see exactly as a call would (waiting for starting backends first).
  await host.resolveTool(name);
  const def = host.catalog.toolDefinition(name, host.view());
  if (!def) throw notFound(`unknown tool "${name}"; its server is gone (search again)`);
  const { title, description, inputSchema, outputSchema, annotations } = def;
  const full = { name, ...(title ? { title } : {}), ...(description ? { description } : {}), inputSchema, ...(outputSchema ? { outputSchema } : {}), ...(annotations ? { annotations } : {}) };
  return { content: [{ type: 'text', text: JSON.stringify(full) }] };
}

async function callThrough(host: MetaToolHost, params: Record<string, unknown>, extra: Extra) {
  const args = params.arguments as Record<string, unknown> | undefined;
  const name = toolName(CALL_TOOL, args);
  const inner = args?.arguments;
  if (inner !== undefined && (inner === null || typeof inner !== 'object' || Array.isArray(inner))) {
    throw new RpcError(ErrorCode.InvalidParams, `${CALL_TOOL}: "arguments" must be an object of the tool's parameters, e.g. {"path": "README.md"}`);
  }
  const route = await host.resolveTool(name);
  // The client's _meta (its progressToken) and a task request apply to the inner call, as if made directly.
  const direct: Record<string, unknown> = { name: route.original, ...(inner !== undefined ? { arguments: inner } : {}) };
  if (params._meta !== undefined) direct._meta = params._meta;
  if (params.task !== undefined) direct.task = params.task;
  return host.callTool(route, direct, extra);
}

function toolName(tool: string, args: unknown): string {
  const name = (args as { name?: unknown } | undefined)?.name;
  if (typeof name !== 'string' || name === '') {
    throw new RpcError(ErrorCode.InvalidParams, `${tool} needs "name": a tool name as ${SEARCH_TOOLS} returned it`);
  }
  return name;
}
