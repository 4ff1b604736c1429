/**
 * The routing headers of the 2026-07-28 revision, in one place for every layer that writes or reads them
 * (docs/protocol.md, "Two eras on one endpoint"): serve's HTTP edge checks them (server/modern/wire.ts), the
 * proxy writes them for stdio clients (proxy/modern-headers.ts), and modern HTTP backends get them from us
 * (backends/modern/). A request's MCP-Protocol-Version, Mcp-Method and Mcp-Name mirror its body, and a tool
 * argument whose schema says `"x-mcp-header": "Name"` is mirrored in `Mcp-Param-Name`.
 * Pure and import-free: `1mcp proxy` loads it without the MCP SDK.
 */

/** Where a tool's schema mirrors an argument into a header: the property path and the header's name. */
export interface ParamHeader {
  path: string[];
  header: string;
}

/** Tool name → its header parameters (only tools that have some). */
export type ParamHeaders = Map<string, ParamHeader[]>;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Methods whose Mcp-Name header carries params.name, params.uri or (tasks extension) params.taskId. */
export const NAME_SOURCE: Readonly<Record<string, 'name' | 'uri' | 'taskId'>> = {
  'tools/call': 'name',
  'prompts/get': 'name',
  'resources/read': 'uri',
  'tasks/get': 'taskId',
  'tasks/update': 'taskId',
  'tasks/cancel': 'taskId',
};

const ENCODED = /^=\?base64\?(.*)\?=$/s;

/**
 * A header value as the revision asks: as is when it is plain visible ASCII without surrounding
 * spaces, else `=?base64?…?=` of its UTF-8 (so is a plain value that looks like that form, or the
 * reader would decode it).
 */
export function encodeHeaderValue(value: string): string {
  const plain = /^[\x20-\x7e]*$/.test(value) && value.trim() === value && !ENCODED.test(value);
  return plain ? value : `=?base64?${Buffer.from(value, 'utf8').toString('base64')}?=`;
}

/** A header value decoded from its `=?base64?…?=` form when so written; undefined when that base64 is malformed. */
export function decodeHeaderValue(value: string): string | undefined {
  const m = ENCODED.exec(value);
  if (!m) return value;
  // Strict: whole 4-character groups with correct padding (a lenient decoder would accept a forged value).
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(m[1]!)) return undefined;
  return Buffer.from(m[1]!, 'base64').toString('utf8');
}

/** The parameters a tool's input schema mirrors into headers (`x-mcp-header`), by property path. */
export function paramHeadersOf(schema: unknown, path: string[] = [], out: ParamHeader[] = []): ParamHeader[] {
  if (!isObject(schema) || !isObject(schema.properties) || path.length > 8) return out;
  for (const [key, sub] of Object.entries(schema.properties)) {
    if (!isObject(sub)) continue;
    if (typeof sub['x-mcp-header'] === 'string') out.push({ path: [...path, key], header: sub['x-mcp-header'] });
    paramHeadersOf(sub, [...path, key], out);
  }
  return out;
}

/** The argument at a property path (undefined when any step is missing or not an object). */
export function argumentAt(args: unknown, path: string[]): unknown {
  let value: unknown = args;
  for (const key of path) value = isObject(value) ? value[key] : undefined;
  return value;
}

/**
 * The Mcp-Param-* headers of one tools/call, lower-cased names. Absent, null or object arguments get no
 * header; strings go as they are, numbers in decimal, booleans as true/false.
 */
export function paramHeaderValues(params: ParamHeader[] | undefined, args: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const { path, header } of params ?? []) {
    const value = argumentAt(args, path);
    if (value === undefined || value === null || typeof value === 'object') continue;
    out[`mcp-param-${header.toLowerCase()}`] = encodeHeaderValue(String(value));
  }
  return out;
}

/**
 * The routing headers of one modern request (`params` is its params; `paramHeaders` only for a tools/call:
 * those of the tool it names).
 */
export function routingHeaders(method: string, params: Record<string, unknown> | undefined, version: string, paramHeaders?: ParamHeader[]): Record<string, string> {
  const h: Record<string, string> = { 'mcp-protocol-version': version, 'mcp-method': encodeHeaderValue(method) };
  const source = NAME_SOURCE[method];
  const name = source ? params?.[source] : undefined;
  if (typeof name === 'string') h['mcp-name'] = encodeHeaderValue(name);
  return paramHeaders ? { ...h, ...paramHeaderValues(paramHeaders, params?.arguments) } : h;
}
