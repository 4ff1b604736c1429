/**
 * 1MCP's JSON form of a filter (`tagQuery` in presets.json, docs/configuration.md):
 *   {"tag":"x"} | {"$or":[…]} | {"$and":[…]} | {"$not":…}
 * plus the `strategy` 1MCP stores beside it: "or"/"and" for a flat list of tags, else "advanced".
 * Reading also takes the other shapes 1MCP has written or documented:
 *   {"$in":["a","b"]} and {"tag":{"$in":["a","b"]}} (any of), {"tag":{"$not":"x"}},
 *   {"$advanced":"a and not b"} (older 1MCP kept advanced presets as the expression text),
 * and, for hand-written files, {"$all":[…]} (all of) and bare strings as list items.
 */
import { OneMcpError, UsageError } from '../errors.ts';
import { evaluate, combine, type FilterAst } from './ast.ts';
import { FilterSyntaxError, parseFilter } from './parse.ts';

export type TagQuery = { tag: string } | { $or: TagQuery[] } | { $and: TagQuery[] } | { $not: TagQuery };

export type Strategy = 'or' | 'and' | 'advanced';

const FORMS = 'expected {"tag":"x"}, {"$or":[…]}, {"$and":[…]}, {"$not":…}, {"$in":[…]} or {"$advanced":"expression"}';

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

/** Read a tagQuery; `where` names it in errors (e.g. `preset "dev" tagQuery`). */
export function fromTagQuery(query: unknown, where = 'tagQuery'): FilterAst {
  if (!query || typeof query !== 'object' || Array.isArray(query)) throw new OneMcpError(`${where}: ${FORMS}, found ${show(query)}`);
  const q = query as Record<string, unknown>;
  const list = (key: string, value: unknown, at: string): FilterAst[] => {
    if (!Array.isArray(value) || value.length === 0) throw new OneMcpError(`${at}: expected a non-empty array, found ${show(value)}`);
    return value.map((item, i) => (typeof item === 'string' ? tagNode(item, `${at}[${i}]`) : fromTagQuery(item, `${at}[${i}]`)));
  };
  if (typeof q.tag === 'string') return tagNode(q.tag, `${where}.tag`);
  if (q.tag && typeof q.tag === 'object' && !Array.isArray(q.tag)) {
    const field = q.tag as Record<string, unknown>;
    if ('$in' in field) return combine('or', list('$in', field.$in, `${where}.tag.$in`));
    if (typeof field.$not === 'string') return { kind: 'not', expr: tagNode(field.$not, `${where}.tag.$not`) };
  }
  if ('$or' in q) return combine('or', list('$or', q.$or, `${where}.$or`));
  if ('$in' in q) return combine('or', list('$in', q.$in, `${where}.$in`));
  if ('$and' in q) return combine('and', list('$and', q.$and, `${where}.$and`));
  if ('$all' in q) return combine('and', list('$all', q.$all, `${where}.$all`));
  if ('$not' in q) return { kind: 'not', expr: fromTagQuery(q.$not, `${where}.$not`) };
  if ('$advanced' in q) return advanced(q.$advanced, `${where}.$advanced`);
  if (Object.keys(q).length === 0) throw new OneMcpError(`${where} is empty, so it selects nothing: ${FORMS}`);
  throw new OneMcpError(`${where}: unknown form ${show(query)}; ${FORMS}`);
}

/** Evaluate a tagQuery against a server's tags without keeping the tree (presets.json with only tagQuery). */
export function evaluateTagQuery(query: unknown, tags: Iterable<string>): boolean {
  return evaluate(fromTagQuery(query), tags);
}

/** What 1MCP stores as `strategy`: "or"/"and" for a flat list of tags (one tag counts as "or"), else "advanced". */
export function strategyOf(ast: FilterAst): Strategy {
  if (ast.kind === 'tag') return 'or';
  if ((ast.kind === 'or' || ast.kind === 'and') && ast.items.every((i) => i.kind === 'tag')) return ast.kind;
  return 'advanced';
}

function tagNode(tag: string, at: string): FilterAst {
  const t = tag.trim().toLowerCase();
  if (!t) throw new OneMcpError(`${at}: a tag cannot be empty`);
  return { kind: 'tag', tag: t };
}

function advanced(text: unknown, at: string): FilterAst {
  if (typeof text !== 'string') throw new OneMcpError(`${at}: expected the expression as a string, found ${show(text)}`);
  try {
    return parseFilter(text);
  } catch (error) {
    if (error instanceof FilterSyntaxError) throw new UsageError(`${at}: ${error.message} in "${text}"`);
    throw error;
  }
}

function show(value: unknown): string {
  return (JSON.stringify(value) ?? String(value)).slice(0, 80);
}
