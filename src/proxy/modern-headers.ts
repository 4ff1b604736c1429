/**
 * The HTTP headers a 2026-07-28 request needs, built from its body: over stdio the client sends none, so
 * the proxy writes them the way a Streamable HTTP client would (docs/protocol.md, "The proxy and modern
 * clients"): MCP-Protocol-Version, Mcp-Method, Mcp-Name, and Mcp-Param-{Name} for tool arguments whose
 * schema says `"x-mcp-header"`. Pure functions: no I/O.
 */

/** Where a tool's schema mirrors an argument into a header: the property path and the header's name. */
export interface ParamHeader {
  path: string[];
  header: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Methods whose Mcp-Name header carries params.name, params.uri or (tasks extension) params.taskId. */
const NAME_SOURCE: Readonly<Record<string, 'name' | 'uri' | 'taskId'>> = {
  'tools/call': 'name',
  'prompts/get': 'name',
  'resources/read': 'uri',
  'tasks/get': 'taskId',
  'tasks/update': 'taskId',
  'tasks/cancel': 'taskId',
};

/**
 * A header value as the revision asks: as is when it is plain visible ASCII without surrounding
 * spaces, else `=?base64?…?=` of its UTF-8 (so is a plain value that looks like that form).
 */
export function headerValue(value: string): string {
  const plain = /^[\x20-\x7e]*$/.test(value) && value.trim() === value && !/^=\?base64\?.*\?=$/s.test(value);
  return plain ? value : `=?base64?${Buffer.from(value, 'utf8').toString('base64')}?=`;
}

/** The parameters a tool's input schema mirrors into headers, by property path. */
export function paramHeadersOf(schema: unknown, path: string[] = [], out: ParamHeader[] = []): ParamHeader[] {
  if (!isObject(schema) || !isObject(schema.properties) || path.length > 8) return out;
  for (const [key, sub] of Object.entries(schema.properties)) {
    if (!isObject(sub)) continue;
    if (typeof sub['x-mcp-header'] === 'string') out.push({ path: [...path, key], header: sub['x-mcp-header'] });
    paramHeadersOf(sub, [...path, key], out);
  }
  return out;
}

/** Routing headers for one modern request (`params` is the request's params; `paramHeaders` only for tools/call). */
export function routingHeaders(method: string, params: Record<string, unknown>, version: string, paramHeaders: ParamHeader[] = []): Record<string, string> {
  const h: Record<string, string> = { 'mcp-protocol-version': version, 'mcp-method': headerValue(method) };
  const source = NAME_SOURCE[method];
  if (source && typeof params[source] === 'string') h['mcp-name'] = headerValue(params[source] as string);
  for (const { path, header } of paramHeaders) {
    let value: unknown = params.arguments;
    for (const key of path) value = isObject(value) ? value[key] : undefined;
    // Absent or null: no header. Strings as they are, numbers in decimal, booleans as true/false.
    if (value === undefined || value === null || typeof value === 'object') continue;
    h[`mcp-param-${header.toLowerCase()}`] = headerValue(String(value));
  }
  return h;
}
