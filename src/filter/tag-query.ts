/**
 * 1MCP's JSON form of a filter (`tagQuery` in presets.json, SPEC §2.3):
 *   {"tag":"x"} | {"$or":[…]} | {"$and":[…]} | {"$not":…}
 * plus the `strategy` 1MCP stores beside it: "or"/"and" for a flat list of tags, else "advanced".
 * Reading is lenient where 1MCP's own files vary ({"$in":[tags]} = any of, {"$all":[tags]} = all of).
 */
import { OneMcpError } from '../errors.ts';
import type { FilterAst } from './ast.ts';

export type TagQuery = { tag: string } | { $or: TagQuery[] } | { $and: TagQuery[] } | { $not: TagQuery };

export function toTagQuery(ast: FilterAst): TagQuery {
  switch (ast.kind) {
    case 'tag':
      return { tag: ast.tag };
    case 'not':
      return { $not: toTagQuery(ast.expr) };
    case 'and':
      return { $and: ast.items.map(toTagQuery) };
    case 'or':
      return { $or: ast.items.map(toTagQuery) };
  }
}

export function fromTagQuery(query: unknown, where = 'tagQuery'): FilterAst {
  if (!query || typeof query !== 'object' || Array.isArray(query)) {
    throw new OneMcpError(`${where}: expected an object like {"tag":"x"}, {"$or":[…]}, {"$and":[…]} or {"$not":…}`);
  }
  const q = query as Record<string, unknown>;
  const list = (key: string): FilterAst[] => {
    const v = q[key];
    if (!Array.isArray(v) || v.length === 0) throw new OneMcpError(`${where}.${key}: expected a non-empty array`);
    return v.map((item, i) => (typeof item === 'string' ? { kind: 'tag' as const, tag: item.toLowerCase() } : fromTagQuery(item, `${where}.${key}[${i}]`)));
  };
  if (typeof q.tag === 'string') return { kind: 'tag', tag: q.tag.toLowerCase() };
  if ('$or' in q) return flat('or', list('$or'));
  if ('$in' in q) return flat('or', list('$in'));
  if ('$and' in q) return flat('and', list('$and'));
  if ('$all' in q) return flat('and', list('$all'));
  if ('$not' in q) return { kind: 'not', expr: fromTagQuery(q.$not, `${where}.$not`) };
  throw new OneMcpError(`${where}: unknown form ${JSON.stringify(query).slice(0, 80)}; expected "tag", "$or", "$and" or "$not"`);
}

function flat(kind: 'and' | 'or', items: FilterAst[]): FilterAst {
  return items.length === 1 ? items[0]! : { kind, items };
}

export function strategyOf(ast: FilterAst): 'or' | 'and' | 'advanced' {
  if (ast.kind === 'tag') return 'or';
  if ((ast.kind === 'or' || ast.kind === 'and') && ast.items.every((i) => i.kind === 'tag')) return ast.kind;
  return 'advanced';
}
