/** Tag-filter expressions (docs/configuration.md): the tree, its evaluation, and its canonical text. */
export type FilterAst = { kind: 'tag'; tag: string } | { kind: 'not'; expr: FilterAst } | { kind: 'and' | 'or'; items: FilterAst[] };

/** One and/or node of `items`; `(a and b) and c` becomes `a and b and c`, so the canonical text parses back to the same tree. */
export function combine(kind: 'and' | 'or', items: FilterAst[]): FilterAst {
  const flat = items.flatMap((i) => (i.kind === kind ? i.items : [i]));
  return flat.length === 1 ? flat[0]! : { kind, items: flat };
}

/** True when the server's tags satisfy the expression (tags compare case-insensitively). */
export function evaluate(ast: FilterAst, tags: Iterable<string>): boolean {
  // Lower-case every time, Sets included: parsed tags are lower case, a server's may not be.
  const set = new Set<string>();
  for (const t of tags) set.add(t.toLowerCase());
  const run = (node: FilterAst): boolean => {
    switch (node.kind) {
      case 'tag':
        return set.has(node.tag);
      case 'not':
        return !run(node.expr);
      case 'and':
        return node.items.every(run);
      case 'or':
        return node.items.some(run);
    }
  };
  return run(ast);
}

/** Canonical text: `a or (b and not c)`; parses back to the same tree. */
export function toExpression(ast: FilterAst): string {
  const text = (node: FilterAst, parent: 'or' | 'and' | 'not' | 'top'): string => {
    switch (node.kind) {
      case 'tag':
        return node.tag;
      case 'not':
        return `not ${text(node.expr, 'not')}`;
      case 'and': {
        const s = node.items.map((i) => text(i, 'and')).join(' and ');
        return parent === 'not' ? `(${s})` : s;
      }
      case 'or': {
        const s = node.items.map((i) => text(i, 'or')).join(' or ');
        return parent === 'top' || parent === 'or' ? s : `(${s})`;
      }
    }
  };
  return text(ast, 'top');
}

/** The tags an expression mentions (for "which servers match" hints). */
export function tagsOf(ast: FilterAst): string[] {
  const out = new Set<string>();
  const walk = (n: FilterAst) => {
    if (n.kind === 'tag') out.add(n.tag);
    else if (n.kind === 'not') walk(n.expr);
    else n.items.forEach(walk);
  };
  walk(ast);
  return [...out];
}
