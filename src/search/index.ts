/**
 * Search over a view's tools for search mode: build an index from tool definitions, rank requests
 * against it. Pure and synchronous — no I/O, nothing computed at import — so sessions can rebuild it on
 * every catalog change and the CLI can use it for budget reports. Cost for 1,000 tools: about 20–30 ms CPU
 * for a first build, under 10 ms for a rebuild after a catalog change (texts are memoised), ~0.15 ms a search.
 *
 * Ranking is BM25F over fields of different weight (tool name parts, title, the description's first
 * sentence, the rest of it, parameter names and descriptions, the server's name and tags), with Porter
 * stemming and a vocabulary that bridges request words to tool words; see rank.ts and vocabulary.ts.
 */
import { splitCompound } from './expand.ts';
import { fieldsOf, summaryOf } from './tool-text.ts';
import { splitExposedName, splitWords } from './tokenize.ts';

export { search, type SearchHit, type SearchOptions } from './rank.ts';
export { estimateTokens } from './tokens.ts';
export { firstSentence } from './summary.ts';

export interface SearchEntry {
  /** The exposed name (`<prefix>_1mcp_<tool>`, or bare). */
  name: string;
  /** The server key. */
  server: string;
  serverTags?: readonly string[];
  title?: string;
  description?: string;
  inputSchema?: unknown;
}

/** Positions of a tool's fields (see tool-text.ts), in the order of FIELD_WEIGHT. */
export const Field = { Name: 0, Title: 1, Lead: 2, Body: 3, Params: 4, Server: 5 } as const;

/** How much a match in each field counts, and how strongly that field's length dampens it (BM25F b). */
export const FIELD_WEIGHT = [3, 2, 1.5, 0.4, 0.4, 1.5] as const;
export const FIELD_LENGTH_NORM = [0.5, 0.5, 0.5, 0.75, 0.75, 0.3] as const;
/** Fields of a server's document: its name and tags, its tools' names, its tools' first sentences. */
export const SERVER_FIELD_WEIGHT = [3, 1, 0.5] as const;
export const SERVER_FIELD_LENGTH_NORM = [0.3, 0.75, 0.75] as const;
/** BM25 term-frequency saturation. */
export const K1 = 1.2;

/**
 * A word in nearly every tool name of a server ("browser_…", "hubspot-…", "API-…") names the server,
 * not the tool: it moves to the server field. Applies to servers with at least this many tools.
 */
const SHARED_NAME_MIN_TOOLS = 3;
const SHARED_NAME_SHARE = 0.8;

export interface IndexedTool {
  name: string;
  server: string;
  title?: string;
  summary: string;
  /** Stems of the tool's own name, without words every tool of its server shares. */
  nameTerms: readonly string[];
}

export interface Postings {
  docs: Int32Array;
  /** The term's BM25F contribution to each doc, idf included, computed once at build time. */
  scores: Float32Array;
}

export interface SearchIndex {
  readonly tools: readonly IndexedTool[];
  readonly postings: ReadonlyMap<string, Postings>;
  /** Server keys; `toolServer[tool]` indexes it, `serverPostings` docs are positions in it. */
  readonly servers: readonly string[];
  readonly toolServer: Int32Array;
  readonly serverPostings: ReadonlyMap<string, Postings>;
}

/** See SHARED_NAME_SHARE. Rewrites the Name and Server fields of the affected tools in place. */
function moveSharedNameWords(entries: readonly SearchEntry[], fields: (readonly string[])[][]): void {
  const byServer = new Map<string, number[]>();
  entries.forEach((e, i) => {
    const list = byServer.get(e.server);
    if (list) list.push(i);
    else byServer.set(e.server, [i]);
  });
  for (const docs of byServer.values()) {
    if (docs.length < SHARED_NAME_MIN_TOOLS) continue;
    const count = new Map<string, number>();
    for (const d of docs) for (const t of new Set(fields[d]![Field.Name])) count.set(t, (count.get(t) ?? 0) + 1);
    const shared = new Set([...count].filter(([, c]) => c >= docs.length * SHARED_NAME_SHARE).map(([t]) => t));
    if (!shared.size) continue;
    for (const d of docs) {
      const name = fields[d]![Field.Name]!;
      fields[d]![Field.Name] = name.filter((t) => !shared.has(t));
      fields[d]![Field.Server] = [...fields[d]![Field.Server]!, ...name.filter((t) => shared.has(t))];
    }
  }
}

function checkEntry(entry: SearchEntry, at: number): void {
  if (!entry || typeof entry.name !== 'string' || entry.name === '') {
    throw new TypeError(`search index entry ${at} has no name: every tool needs its exposed name`);
  }
  if (typeof entry.server !== 'string') {
    throw new TypeError(`search index entry "${entry.name}" has no server: pass the server key it belongs to`);
  }
}

export function buildSearchIndex(entries: readonly SearchEntry[]): SearchIndex {
  const n = entries.length;
  const fields = entries.map((entry, i) => {
    checkEntry(entry, i);
    return fieldsOf(entry);
  });

  moveSharedNameWords(entries, fields);

  // Terms become small integers once, so the per-document counting below runs over typed arrays.
  const ids = new Map<string, number>();
  const terms: string[] = [];
  const idOf = (term: string) => {
    let id = ids.get(term);
    if (id === undefined) {
      ids.set(term, (id = terms.length));
      terms.push(term);
    }
    return id;
  };
  const docTerms = fields.map((doc) => doc.map((f) => f.map(idOf)));

  // Tool names glue words ("sequentialthinking"): split them where both halves are words of the catalog.
  const known = (t: string) => ids.has(t);
  const nameTerms = fields.map((doc) => [...doc[Field.Name]!]);
  entries.forEach((entry, i) => {
    for (const word of splitWords(splitExposedName(entry.name).tool)) {
      if (word.length < 7) continue;
      for (const part of splitCompound(word, known)) {
        docTerms[i]![Field.Name]!.push(idOf(part));
        nameTerms[i]!.push(part);
      }
    }
  });

  const postings = weightedPostings(terms, docTerms, FIELD_WEIGHT, FIELD_LENGTH_NORM);

  // One document per server: its name and tags, its tools' names and first sentences. Lets a request
  // that names what a server is about ("remember …", "in our CRM") favour that server's tools.
  const servers = [...new Set(entries.map((e) => e.server))];
  const serverOf = new Map(servers.map((name, i) => [name, i]));
  const serverDocs: number[][][] = servers.map(() => [[], [], []]);
  const toolServer = new Int32Array(n);
  entries.forEach((e, i) => {
    const k = serverOf.get(e.server)!;
    toolServer[i] = k;
    const doc = serverDocs[k]!;
    if (!doc[0]!.length) doc[0]!.push(...docTerms[i]![Field.Server]!);
    doc[1]!.push(...docTerms[i]![Field.Name]!);
    doc[2]!.push(...docTerms[i]![Field.Lead]!);
  });
  const serverPostings = weightedPostings(terms, serverDocs, SERVER_FIELD_WEIGHT, SERVER_FIELD_LENGTH_NORM);

  const tools = entries.map((e, i) => ({
    name: e.name,
    server: e.server,
    ...(e.title ? { title: e.title } : {}),
    summary: summaryOf(e.description),
    nameTerms: [...new Set(nameTerms[i])],
  }));
  return { tools, postings, servers, toolServer, serverPostings };
}

/**
 * BM25F postings: per term, the documents holding it and the term's score in each (idf × saturated,
 * weighted, length-normalised frequency summed over fields), computed once so queries only add.
 */
function weightedPostings(
  terms: readonly string[],
  docs: readonly (readonly (readonly number[])[])[],
  weights: readonly number[],
  lengthNorms: readonly number[],
): Map<string, Postings> {
  const n = docs.length;
  const fieldCount = weights.length;
  const averageLength = new Array<number>(fieldCount).fill(0);
  for (const doc of docs) doc.forEach((f, k) => (averageLength[k]! += f.length / Math.max(n, 1)));

  const postingDocs: number[][] = terms.map(() => []);
  const postingTf: number[][] = terms.map(() => []);
  const tf = new Float64Array(terms.length);
  const touched: number[] = [];
  docs.forEach((doc, i) => {
    doc.forEach((f, k) => {
      if (!f.length) return;
      const norm = 1 - lengthNorms[k]! + lengthNorms[k]! * (f.length / (averageLength[k]! || 1));
      const add = weights[k]! / norm;
      for (const id of f) {
        if (tf[id] === 0) touched.push(id);
        tf[id]! += add;
      }
    });
    for (const id of touched) {
      postingDocs[id]!.push(i);
      postingTf[id]!.push(tf[id]!);
      tf[id] = 0;
    }
    touched.length = 0;
  });

  const postings = new Map<string, Postings>();
  terms.forEach((term, id) => {
    const list = postingDocs[id]!;
    const df = list.length;
    if (!df) return;
    const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
    const scores = new Float32Array(df);
    for (let k = 0; k < df; k++) {
      const f = postingTf[id]![k]!;
      scores[k] = (idf * f * (K1 + 1)) / (K1 + f);
    }
    postings.set(term, { docs: Int32Array.from(list), scores });
  });
  return postings;
}
