/** Compile view selectors (tags, filter expressions, presets) into View objects. */
import type { View } from '../catalog/view.ts';
import type { Preset } from '../config/presets.ts';
import { evaluate, fromTagQuery, parseFilter, parseTagList, toExpression, viewFromTags, type FilterAst } from '../filter/index.ts';

function viewOfAst(ast: FilterAst, key: string, label: string): View {
  return { key, label, includes: (tags) => evaluate(ast, tags) };
}

/** ?tags=a,b: servers with any of them. An empty list selects nothing. */
export function viewOfTags(text: string): View {
  const tags = parseTagList(text);
  if (tags.length === 0) return { key: 'tags:', label: 'no tags', includes: () => false };
  return viewOfAst(viewFromTags(tags), `tags:${tags.join(',')}`, `tags ${tags.join(', ')}`);
}

export function compileFilter(expr: string): View {
  const ast = parseFilter(expr);
  const canonical = toExpression(ast);
  return viewOfAst(ast, `filter:${canonical}`, `filter ${canonical}`);
}

/** A preset: the expression the user typed when we have it, else 1MCP's tagQuery. */
export function presetAst(preset: Preset): FilterAst {
  if (preset.filter) return parseFilter(preset.filter);
  return fromTagQuery(preset.tagQuery, `preset "${preset.name}" tagQuery`);
}

export function compilePreset(preset: Preset): View {
  const ast = presetAst(preset);
  return viewOfAst(ast, `preset:${preset.name}:${toExpression(ast)}`, `preset ${preset.name}`);
}
