/** Tag-filter expressions: parse, evaluate, convert to/from 1MCP's tagQuery. Pure; no I/O. */
export { evaluate, tagsOf, toExpression, type FilterAst } from './ast.ts';
export { FilterSyntaxError, parseFilter, parseTagList } from './parse.ts';
export { fromTagQuery, strategyOf, toTagQuery, type TagQuery } from './tag-query.ts';
