/**
 * The JSON-with-comments text editor behind `mcp add/update/remove/enable/disable`: generated
 * documents (comments everywhere, CRLF, tabs, trailing commas, one-line objects, unicode) and
 * generated edits. The result must parse to the intended object, keep every comment outside the
 * changed members, keep the line endings, and an insert followed by a removal gives back the file
 * byte for byte.
 */
import { describe, expect, test } from 'bun:test';
import { parseJsonText } from '../../src/config/json-text.ts';
import { editJsonText, renderJson, sameJson } from '../../src/config/jsonc-edit.ts';
import { seededRandom } from '../helpers/random.ts';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

interface Gen {
  rand: () => number;
  int(n: number): number;
  pick<T>(list: T[]): T;
  comments: string[];
}

function gen(seed: number): Gen {
  const rand = seededRandom(seed);
  return { rand, int: (n) => Math.floor(rand() * n), pick: (list) => list[Math.floor(rand() * list.length)]!, comments: [] };
}

const WORDS = ['fs', 'web', 'émoji-😀', 'naïve', '日本', 'a"quote', 'back\\slash', 'tab\there', '${VAR}', '__proto__', 'constructor', 'x'];

function scalar(g: Gen): Json {
  switch (g.int(5)) {
    case 0:
      return g.int(100000) - 500;
    case 1:
      return g.rand() < 0.5;
    case 2:
      return null;
    default:
      return g.pick(WORDS) + g.int(10);
  }
}

function value(g: Gen, depth: number): Json {
  const r = g.int(10);
  if (depth > 2 || r < 5) return scalar(g);
  if (r < 7) return Array.from({ length: g.int(4) }, () => scalar(g));
  const out: Record<string, Json> = {};
  for (let i = g.int(4); i > 0; i--) Object.defineProperty(out, `${g.pick(WORDS)}${i}`, { value: value(g, depth + 1), enumerable: true, writable: true, configurable: true });
  return out;
}

function server(g: Gen): Record<string, Json> {
  const s: Record<string, Json> = { command: g.pick(['node', 'npx', 'bun']), args: Array.from({ length: g.int(4) }, () => String(scalar(g))) };
  if (g.rand() < 0.5) s.env = { KEY: `\${TOKEN_${g.int(9)}}`, 'NAÏVE': String(scalar(g)) };
  if (g.rand() < 0.5) s.tags = ['a', 'b'].slice(0, 1 + g.int(2));
  if (g.rand() < 0.3) s.custom = value(g, 1);
  if (g.rand() < 0.3) s.disabled = true;
  return s;
}

function documentObject(g: Gen): Record<string, Json> {
  const servers: Record<string, Json> = {};
  for (let i = g.int(5); i > 0; i--) servers[`s${i}_${g.int(100)}`] = server(g);
  const doc: Record<string, Json> = {};
  if (g.rand() < 0.5) doc.$schema = 'https://example.com/schema.json';
  doc.mcpServers = servers;
  if (g.rand() < 0.5) doc.serverDefaults = { requestTimeout: 60000 };
  if (g.rand() < 0.3) doc['ünknown'] = value(g, 0);
  return doc;
}

interface Layout {
  nl: string;
  unit: string;
  trailingCommas: boolean;
  comments: boolean;
}

/** Text for `v` in a random but valid style; comments only between members and at line ends. */
function write(g: Gen, v: Json, layout: Layout, indent = '', oneLineOk = true): string {
  const comment = (inline: boolean) => {
    const id = `c${g.comments.length}`;
    g.comments.push(id);
    return inline && g.rand() < 0.5 ? `/* ${id} */` : `// ${id}`;
  };
  if (Array.isArray(v)) return `[${v.map((x) => JSON.stringify(x)).join(g.rand() < 0.5 ? ', ' : ',')}]`;
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  const keys = Object.keys(v);
  if (keys.length === 0) return '{}';
  if (oneLineOk && g.rand() < 0.25 && keys.every((k) => v[k] === null || typeof v[k] !== 'object' || Array.isArray(v[k]))) {
    return `{ ${keys.map((k) => `${JSON.stringify(k)}: ${write(g, v[k]!, layout, indent)}`).join(', ')}${layout.trailingCommas && g.rand() < 0.5 ? ',' : ''} }`;
  }
  const inner = indent + layout.unit;
  const lines: string[] = [];
  keys.forEach((k, i) => {
    if (layout.comments && g.rand() < 0.3) lines.push(`${inner}${comment(true)}`);
    const last = i === keys.length - 1;
    const comma = !last || layout.trailingCommas ? ',' : '';
    const tail = layout.comments && g.rand() < 0.3 ? ` ${comment(false)}` : '';
    lines.push(`${inner}${JSON.stringify(k)}: ${write(g, v[k]!, layout, inner)}${comma}${tail}`);
  });
  if (layout.comments && g.rand() < 0.2) lines.push(`${inner}${comment(true)}`);
  return `{${layout.nl}${lines.join(layout.nl)}${layout.nl}${indent}}`;
}

function randomDocument(seed: number): { g: Gen; text: string; value: Record<string, Json>; layout: Layout } {
  const g = gen(seed);
  const value = documentObject(g);
  const layout: Layout = { nl: g.rand() < 0.4 ? '\r\n' : '\n', unit: g.pick(['  ', '    ', '\t']), trailingCommas: g.rand() < 0.4, comments: g.rand() < 0.8 };
  const head = layout.comments && g.rand() < 0.5 ? `// ${(g.comments.push('head'), 'head')}${layout.nl}` : '';
  const text = `${g.rand() < 0.1 ? '\ufeff' : ''}${head}${write(g, value, layout, '', false)}${g.rand() < 0.7 ? layout.nl : ''}`;
  return { g, text, value, layout };
}

/**
 * Lines an env or disabled member occupies (its lines, an env block's inside, the comment lines right
 * above): the only places whose comments may go when those members are removed.
 */
function removableLines(text: string): string[] {
  const lines = text.split('\n');
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/"(env|disabled)": /.test(lines[i]!)) continue;
    for (let j = i - 1; j >= 0 && /^\s*(\/\/|\/\*)/.test(lines[j]!); j--) out.push(lines[j]!);
    out.push(lines[i]!);
    if (/"env": \{\r?$/.test(lines[i]!)) for (let j = i + 1; j < lines.length; j++) {
      out.push(lines[j]!);
      if (/^\s*\}/.test(lines[j]!)) break;
    }
  }
  return out;
}

const clone = (v: unknown) => parseJsonText(JSON.stringify(v)) as Record<string, any>;
const commentsIn = (text: string, ids: string[]) => ids.filter((id) => new RegExp(`(//|/\\*) ${id}\\b`).test(text));

describe('generated documents', () => {
  test('the documents parse to what they were generated from', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const { text, value } = randomDocument(seed);
      expect(sameJson(parseJsonText(text, { lenient: true }), value), `seed ${seed}`).toBe(true);
    }
  });

  test('insert a server, then remove it: every comment kept, then the original bytes', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const { g, text, value, layout } = randomDocument(seed);
      const after = clone(value);
      after.mcpServers[`new_${seed}`] = server(g);
      const added = editJsonText(text, value, after);
      expect(added, `seed ${seed}: insert`).toBeDefined();
      expect(sameJson(parseJsonText(added!, { lenient: true }), after), `seed ${seed}`).toBe(true);
      expect(commentsIn(added!, g.comments), `seed ${seed}`).toEqual(g.comments);
      if (layout.nl === '\r\n') expect(/[^\r]\n/.test(added!), `seed ${seed}: a bare LF in a CRLF file`).toBe(false);
      expect(editJsonText(added!, after, value), `seed ${seed}: remove`).toBe(text);
    }
  });

  test('disable, enable, change args, set and remove an env entry: comments outside changed values kept, result exact', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const { g, text, value, layout } = randomDocument(seed);
      const names = Object.keys(value.mcpServers as object);
      if (names.length === 0) continue;
      let current = text;
      let before = clone(value);
      for (let step = 0; step < 6; step++) {
        const after = clone(before);
        const s = after.mcpServers[g.pick(names)];
        const op = g.int(4);
        if (op === 0) {
          if (s.disabled) delete s.disabled;
          else s.disabled = true;
        } else if (op === 1) s.args = Array.from({ length: g.int(4) }, () => `arg ${g.int(1000)} ✓`);
        else if (op === 2) s.env = { ...(s.env ?? {}), [`K${g.int(5)}`]: `v${g.int(9)}` };
        else if (s.env) delete s.env;
        const next = editJsonText(current, before, after);
        expect(next, `seed ${seed} step ${step}`).toBeDefined();
        expect(sameJson(parseJsonText(next!, { lenient: true }), after), `seed ${seed} step ${step}`).toBe(true);
        if (layout.nl === '\r\n') expect(/[^\r]\n/.test(next!), `seed ${seed}: a bare LF in a CRLF file`).toBe(false);
        current = next!;
        before = after;
      }
      // Comments sit between members and at line ends (never inside the values changed here), so
      // only those of a removed env or disabled member (the comment lines right above it, its
      // same-line comment, or inside it) may go.
      const lost = g.comments.filter((id) => !commentsIn(current, [id]).length);
      const allowed = removableLines(text);
      for (const id of lost) expect(allowed.some((line) => new RegExp(`\\b${id}\\b`).test(line)), `seed ${seed}: comment ${id} lost`).toBe(true);
    }
  });

  test('removing servers keeps the comments of the others and leaves valid JSON', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const { g, text, value } = randomDocument(seed);
      const names = Object.keys(value.mcpServers as object);
      if (names.length === 0) continue;
      const gone = g.pick(names);
      const after = clone(value);
      delete after.mcpServers[gone];
      const out = editJsonText(text, value, after);
      expect(out, `seed ${seed}`).toBeDefined();
      expect(sameJson(parseJsonText(out!, { lenient: true }), after), `seed ${seed}`).toBe(true);
      // Every comment that survives appears in the same order as before.
      const kept = commentsIn(out!, g.comments);
      expect(kept, `seed ${seed}`).toEqual(g.comments.filter((id) => kept.includes(id)));
      // Comments before "mcpServers" (the head comment, $schema's) are never touched.
      if (g.comments.includes('head')) expect(out!.startsWith(text.slice(0, text.indexOf('{')))).toBe(true);
    }
  });
});

describe('hand-picked cases', () => {
  test('an empty mcpServers gets its first server indented like the file; removing it gives {} back', () => {
    const text = '{\n    "mcpServers": {}\n}\n';
    const after = { mcpServers: { a: { command: 'x', args: ['1'] } } };
    const out = editJsonText(text, { mcpServers: {} }, after)!;
    expect(out).toBe('{\n    "mcpServers": {\n        "a": {\n            "command": "x",\n            "args": ["1"]\n        }\n    }\n}\n');
    expect(editJsonText(out, after, { mcpServers: {} })).toBe(text);
  });

  test('keys that are JavaScript object keys are members like any other', () => {
    const text = '{ "mcpServers": { "constructor": { "command": "a" } } }';
    const before = parseJsonText(text) as Record<string, any>;
    const after = clone(before);
    Object.defineProperty(after.mcpServers, '__proto__', { value: { command: 'b' }, enumerable: true, writable: true, configurable: true });
    const out = editJsonText(text, before, after)!;
    expect(out).toContain('"__proto__": { "command": "b" }');
    expect(Object.keys((parseJsonText(out) as any).mcpServers)).toEqual(['constructor', '__proto__']);
  });

  test('single-quoted and bare keys, a BOM and a comment before the document are read and kept', () => {
    const text = "\ufeff// mine\n{\n  mcpServers: {\n    'a': { command: 'x' }, // a\n  },\n}\n";
    const before = parseJsonText(text, { lenient: true }) as Record<string, any>;
    const after = clone(before);
    after.mcpServers.a.disabled = true;
    const out = editJsonText(text, before, after)!;
    expect(out).toBe("\ufeff// mine\n{\n  mcpServers: {\n    'a': { command: 'x', \"disabled\": true }, // a\n  },\n}\n");
  });

  test('renderJson lays out like JSON.stringify but keeps short arrays of plain values on one line', () => {
    expect(renderJson({ a: [1, 'b'], c: { d: [] }, e: {} })).toBe('{\n  "a": [1, "b"],\n  "c": {\n    "d": []\n  },\n  "e": {}\n}');
    expect(JSON.parse(renderJson({ long: Array.from({ length: 30 }, (_, i) => `value-${i}`) }))).toEqual({ long: Array.from({ length: 30 }, (_, i) => `value-${i}`) });
  });

  test('a 500-digit number and a 300-character bare key elsewhere in the file do not stop an in-place edit', () => {
    const text = `{\n  // keep me\n  "big": 0.${'1'.repeat(500)},\n  ${'k'.repeat(300)}: 1,\n  "mcpServers": {}\n}\n`;
    const before = parseJsonText(text, { lenient: true }) as Record<string, any>;
    const after = clone(before);
    after.mcpServers = { a: { command: 'x' } };
    const out = editJsonText(text, before, after);
    expect(out).toBe(text.replace('"mcpServers": {}', '"mcpServers": {\n    "a": {\n      "command": "x"\n    }\n  }'));
  });

  test('a text that is not an object, or edits it cannot verify, give undefined (the caller rewrites whole)', () => {
    expect(editJsonText('[1]', [1], [2])).toBeUndefined();
    expect(editJsonText('{ "a": 1 ', { a: 1 }, { a: 2 })).toBeUndefined();
  });
});
