/**
 * Parser for tag-filter expressions (docs/configuration.md, 1MCP-compatible):
 *   expr := or;  or := and ((',' | 'or' | '||') and)*;  and := not (('+' | 'and' | '&&') not)*;
 *   not := ('!' | 'not' | '-') not | atom;  atom := TAG | '(' expr ')'
 * A tag is [A-Za-z0-9_.:/@-]+; a '-' inside a tag is part of it, '-' is NOT only at the start of a term.
 * Errors say what was expected and where (1-based column).
 */
import { UsageError } from '../errors.ts';
import { combine, type FilterAst } from './ast.ts';

/** Plain facts about a syntax error, for an HTTP 400 body or a caret under the CLI argument. */
export type FilterErrorInfo = { message: string; reason: string; column: number; expression: string };

export class FilterSyntaxError extends UsageError {
  constructor(
    readonly reason: string,
    readonly column: number,
    readonly expression: string,
  ) {
    super(`${reason} at column ${column}`);
  }

  get info(): FilterErrorInfo {
    return { message: this.message, reason: this.reason, column: this.column, expression: this.expression };
  }
}

/** Parse without throwing on bad syntax: callers that answer with an error (HTTP 400) branch on `ok`. */
export function tryParseFilter(input: string): { ok: true; ast: FilterAst } | { ok: false; error: FilterErrorInfo } {
  try {
    return { ok: true, ast: parseFilter(input) };
  } catch (error) {
    if (error instanceof FilterSyntaxError) return { ok: false, error: error.info };
    throw error;
  }
}

type Token =
  | { type: 'tag'; value: string; col: number }
  | { type: 'and' | 'or' | 'not' | '(' | ')'; text: string; col: number }
  | { type: 'end'; col: number };

const TAG_CHAR = /[A-Za-z0-9_.:/@-]/;

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  // '-' means NOT only where a term may start: at the beginning, after an operator or '('.
  const termMayStart = () => {
    const last = tokens.at(-1);
    return !last || last.type === 'and' || last.type === 'or' || last.type === 'not' || last.type === '(';
  };
  while (i < input.length) {
    const c = input[i]!;
    const col = i + 1;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const two = input.slice(i, i + 2);
    if (two === '&&' || two === '||') {
      tokens.push({ type: two === '&&' ? 'and' : 'or', text: two, col });
      i += 2;
      continue;
    }
    if (c === ',' || c === '+') {
      tokens.push({ type: c === ',' ? 'or' : 'and', text: c, col });
      i++;
      continue;
    }
    if (c === '!') {
      tokens.push({ type: 'not', text: c, col });
      i++;
      continue;
    }
    if (c === '(' || c === ')') {
      tokens.push({ type: c, text: c, col });
      i++;
      continue;
    }
    if (c === '-' && termMayStart()) {
      tokens.push({ type: 'not', text: c, col });
      i++;
      continue;
    }
    if (TAG_CHAR.test(c)) {
      let j = i;
      while (j < input.length && TAG_CHAR.test(input[j]!)) j++;
      const word = input.slice(i, j);
      const lower = word.toLowerCase();
      if (lower === 'and' || lower === 'or' || lower === 'not') tokens.push({ type: lower, text: word, col });
      else tokens.push({ type: 'tag', value: lower, col });
      i = j;
      continue;
    }
    throw new FilterSyntaxError(`unexpected character '${c}'`, col, input);
  }
  tokens.push({ type: 'end', col: input.length + 1 });
  return tokens;
}

export function parseFilter(input: string): FilterAst {
  const tokens = tokenize(input);
  let pos = 0;
  const peek = () => tokens[pos]!;
  const describe = (t: Token) => (t.type === 'end' ? 'the end' : t.type === 'tag' ? `'${t.value}'` : `'${t.text}'`);

  const parseOr = (): FilterAst => {
    const items = [parseAnd()];
    while (peek().type === 'or') {
      pos++;
      items.push(parseAnd(tokens[pos - 1]));
    }
    return combine('or', items);
  };
  const parseAnd = (after?: Token): FilterAst => {
    const items = [parseNot(after)];
    while (peek().type === 'and') {
      pos++;
      items.push(parseNot(tokens[pos - 1]));
    }
    return combine('and', items);
  };
  const parseNot = (after?: Token): FilterAst => {
    const t = peek();
    if (t.type === 'not') {
      pos++;
      return { kind: 'not', expr: parseNot(t) };
    }
    return parseAtom(after);
  };
  const parseAtom = (after?: Token): FilterAst => {
    const t = peek();
    if (t.type === 'tag') {
      pos++;
      return { kind: 'tag', tag: t.value };
    }
    if (t.type === '(') {
      pos++;
      if (peek().type === ')') throw new FilterSyntaxError(`expected an expression inside '()'`, peek().col, input);
      const inner = parseOr();
      if (peek().type !== ')') throw new FilterSyntaxError(`expected ')' to close the '(' from column ${t.col}, found ${describe(peek())}`, peek().col, input);
      pos++;
      return inner;
    }
    const where = after && after.type !== 'tag' && after.type !== 'end' ? ` after '${after.text}'` : '';
    if (t.type === 'end' && !after && pos === 0) throw new FilterSyntaxError('expected a tag (the expression is empty)', t.col, input);
    throw new FilterSyntaxError(`expected a tag${where}, found ${describe(t)}`, t.col, input);
  };

  const ast = parseOr();
  const rest = peek();
  if (rest.type !== 'end') {
    if (rest.type === ')') throw new FilterSyntaxError(`unmatched ')'`, rest.col, input);
    throw new FilterSyntaxError(`expected an operator (and, or, not) before ${describe(rest)}`, rest.col, input);
  }
  return ast;
}

/** "a, b ,c" → ['a','b','c'] (lower case, empty parts and repeats dropped): ?tags= and --tags. */
export function parseTagList(text: string | string[]): string[] {
  const parts = Array.isArray(text) ? text.flatMap((t) => t.split(',')) : text.split(',');
  return [...new Set(parts.map((t) => t.trim().toLowerCase()).filter(Boolean))];
}

/** The view of a plain tag list: any of the tags (1MCP's `?tags=`). An empty list selects nothing, so it is refused. */
export function viewFromTags(tags: readonly string[]): FilterAst {
  const list = parseTagList([...tags]);
  if (list.length === 0) throw new UsageError('expected at least one tag (the tag list is empty)');
  const items = list.map((tag): FilterAst => ({ kind: 'tag', tag }));
  return items.length === 1 ? items[0]! : { kind: 'or', items };
}
