/**
 * A tool's JSON Schema said in a few lines a model can read: one line per parameter with its type,
 * whether it is required, its default and description. Pure; used by `1mcp inspect <server>/<tool>`.
 */
type Schema = Record<string, unknown>;

const MAX_ENUM = 8;
const MAX_DESCRIPTION = 200;

function isSchema(value: unknown): value is Schema {
  return !!value && typeof value === 'object' && !Array.isArray(value);
}

/** `string`, `integer[]`, `"a" | "b"`, `object {x, y}`, `string | null` … */
export function typeOf(schema: unknown): string {
  if (!isSchema(schema)) return 'any';
  if (Array.isArray(schema.enum)) {
    const values = schema.enum.slice(0, MAX_ENUM).map((v) => JSON.stringify(v));
    return `${values.join(' | ')}${schema.enum.length > MAX_ENUM ? ' | …' : ''}`;
  }
  if ('const' in schema) return JSON.stringify(schema.const);
  const union = (schema.anyOf ?? schema.oneOf) as unknown;
  if (Array.isArray(union)) return [...new Set(union.map(typeOf))].join(' | ');
  const type = schema.type;
  if (Array.isArray(type)) return type.map((t) => (t === 'array' ? `${typeOf(schema.items)}[]` : String(t))).join(' | ');
  if (type === 'array') {
    const item = typeOf(schema.items);
    return item.includes(' ') ? `(${item})[]` : `${item}[]`;
  }
  if (type === 'object' || (type === undefined && isSchema(schema.properties))) {
    const keys = isSchema(schema.properties) ? Object.keys(schema.properties) : [];
    return keys.length ? `object {${keys.slice(0, 6).join(', ')}${keys.length > 6 ? ', …' : ''}}` : 'object';
  }
  return typeof type === 'string' ? type : 'any';
}

function oneLine(text: unknown): string {
  if (typeof text !== 'string') return '';
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= MAX_DESCRIPTION ? flat : `${flat.slice(0, MAX_DESCRIPTION - 1).trimEnd()}…`;
}

/** One line per top-level parameter: `- name: type, required, default 5 — description`. */
export function parameterLines(inputSchema: unknown): string[] {
  if (!isSchema(inputSchema) || !isSchema(inputSchema.properties)) return [];
  const required = new Set(Array.isArray(inputSchema.required) ? inputSchema.required.map(String) : []);
  return Object.entries(inputSchema.properties).map(([name, schema]) => {
    const s = isSchema(schema) ? schema : {};
    const marks = [typeOf(s), required.has(name) ? 'required' : 'optional', ...('default' in s ? [`default ${JSON.stringify(s.default)}`] : [])];
    const description = oneLine(s.description ?? s.title);
    return `- ${name}: ${marks.join(', ')}${description ? ` — ${description}` : ''}`;
  });
}
