/**
 * The three tools a view shows in search mode instead of its whole catalog (see docs/protocol.md):
 * find a tool, read its full definition, call it. Their definitions live here so the session, the
 * budget report and the evaluation all count and serve the same text. Descriptions are short on
 * purpose: they are the whole cost of search mode in every model call.
 */
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { DEFAULT_LIMIT, MAX_LIMIT, type SearchHit } from './rank.ts';

export const SEARCH_TOOLS = '1mcp_search_tools';
export const DESCRIBE_TOOL = '1mcp_describe_tool';
export const CALL_TOOL = '1mcp_call_tool';
export const META_TOOL_NAMES: readonly string[] = [SEARCH_TOOLS, DESCRIBE_TOOL, CALL_TOOL];

const HIT_SCHEMA = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    server: { type: 'string' },
    title: { type: 'string' },
    description: { type: 'string' },
    score: { type: 'number' },
  },
  required: ['name', 'server', 'description', 'score'],
} as const;

/** Fresh copies each call: callers may add `_meta` or annotations without touching the originals. */
export function metaTools(): Tool[] {
  return [
    {
      name: SEARCH_TOOLS,
      description:
        'Find tools by what you want to do, in plain words (e.g. "read a file", "open a GitHub issue"). ' +
        `Returns the best matches, best first. Then call one with ${CALL_TOOL}; use ${DESCRIBE_TOOL} first if you need its parameters.`,
      inputSchema: {
        type: 'object',
        properties: {
          query: { type: 'string', description: 'What the tool should do' },
          limit: { type: 'integer', minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT, description: 'How many matches' },
        },
        required: ['query'],
      },
      outputSchema: {
        type: 'object',
        properties: { tools: { type: 'array', items: HIT_SCHEMA } },
        required: ['tools'],
      },
      annotations: { title: 'Search tools', readOnlyHint: true, openWorldHint: false },
    },
    {
      name: DESCRIBE_TOOL,
      description: 'Full definition of a tool found by search: description, input schema and output schema.',
      inputSchema: {
        type: 'object',
        properties: { name: { type: 'string', description: 'Tool name as returned by search' } },
        required: ['name'],
      },
      annotations: { title: 'Describe tool', readOnlyHint: true, openWorldHint: false },
    },
    {
      name: CALL_TOOL,
      description: 'Call a tool found by search, with its arguments, exactly as if it were listed directly.',
      inputSchema: {
        type: 'object',
        properties: {
          name: { type: 'string', description: 'Tool name as returned by search' },
          arguments: { type: 'object', description: 'The tool\'s arguments; omit for tools without parameters', additionalProperties: true },
        },
        required: ['name'],
      },
      annotations: { title: 'Call tool' },
    },
  ];
}

/** `1mcp_search_tools` arguments, checked; a bad one is a one-line error the model can act on. */
export function parseSearchArguments(args: unknown): { query: string; limit: number } {
  const a = (args ?? {}) as { query?: unknown; limit?: unknown };
  if (typeof a.query !== 'string' || a.query.trim() === '') {
    throw new TypeError(`${SEARCH_TOOLS} needs "query": a few words saying what the tool should do`);
  }
  if (a.limit === undefined) return { query: a.query, limit: DEFAULT_LIMIT };
  if (typeof a.limit !== 'number' || !Number.isInteger(a.limit) || a.limit < 1 || a.limit > MAX_LIMIT) {
    throw new RangeError(`${SEARCH_TOOLS}: "limit" must be a whole number from 1 to ${MAX_LIMIT}, got ${JSON.stringify(a.limit)}`);
  }
  return { query: a.query, limit: a.limit };
}

/** The text content of a search result: one hit per line, `name (server) — first sentence`. */
export function formatHits(hits: readonly SearchHit[]): string {
  if (!hits.length) return 'No tool matches. Try other words, or fewer.';
  return hits.map((h) => `${h.name} (${h.server}) — ${h.description || h.title || 'no description'}`).join('\n');
}
