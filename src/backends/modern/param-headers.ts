/**
 * `Mcp-Param-{Name}` headers toward a modern HTTP backend: a tool whose input schema marks a parameter
 * with `"x-mcp-header": "Name"` wants that argument mirrored in a header on tools/call (the server
 * checks they agree). Pure functions over the schema and the arguments.
 */
import { headerValue } from './envelope.ts';

export interface HeaderParam {
  path: string[];
  header: string;
}

/** Tool name → its header parameters (only tools that have some). */
export type ParamHeaders = Map<string, HeaderParam[]>;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The parameters a tool's input schema mirrors into headers, by property path. */
export function headerParams(schema: unknown, path: string[] = [], out: HeaderParam[] = []): HeaderParam[] {
  if (!isObject(schema) || !isObject(schema.properties) || path.length > 8) return out;
  for (const [key, sub] of Object.entries(schema.properties)) {
    if (!isObject(sub)) continue;
    if (typeof sub['x-mcp-header'] === 'string') out.push({ path: [...path, key], header: sub['x-mcp-header'] });
    headerParams(sub, [...path, key], out);
  }
  return out;
}

/** The Mcp-Param-* headers of one tools/call (arguments without a value get none). */
export function paramHeaderValues(params: HeaderParam[] | undefined, args: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const { path, header } of params ?? []) {
    let value: unknown = args;
    for (const key of path) value = isObject(value) ? value[key] : undefined;
    if (value === undefined || value === null || typeof value === 'object') continue;
    out[`mcp-param-${header}`] = headerValue(String(value));
  }
  return out;
}
