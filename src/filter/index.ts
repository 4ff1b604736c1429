/** Tag-filter expressions: parse, evaluate, convert to/from 1MCP's tagQuery. Pure; no I/O. */
export { evaluate, tagsOf, toExpression, type FilterAst } from './ast.ts';
export { FilterSyntaxError, parseFilter, parseTagList, tryParseFilter, viewFromTags, type FilterErrorInfo } from './parse.ts';
export { evaluateTagQuery, fromTagQuery, strategyOf, toTagQuery, type Strategy, type TagQuery } from './tag-query.ts';
