/**
 * Ranking a request against a SearchIndex. Each concept of the request (expand.ts) adds, per tool, the
 * best BM25F score among its alternatives. Two corrections follow, both about short requests where one
 * word matching very well should not beat a tool that matches the whole request reasonably:
 * - coverage: tools that match more of the request's concepts keep more of their score (Lucene's "coord");
 * - name fit: a tool whose own name is made of the request's words ("list commits" → list_commits) is
 *   preferred to one that only mentions them in its description.
 */
import { analyzeQuery, type Concept } from './expand.ts';
import type { Postings, SearchIndex } from './index.ts';

export const DEFAULT_LIMIT = 8;
export const MAX_LIMIT = 50;
/** The share of its score a tool keeps when it matches only one of many concepts. */
export const COVERAGE_FLOOR = 0.5;
/** How much a tool whose name is entirely the request's words gains (× 1 + NAME_FIT). */
export const NAME_FIT = 0.3;

/** How much the tools of the server that best matches the request gain (× 1 + SERVER_FIT). */
export const SERVER_FIT = 0.2;

export interface SearchHit {
  name: string;
  server: string;
  title?: string;
  /** The first sentence of the description. */
  description: string;
  score: number;
}

export interface SearchOptions {
  /** false leaves out the request/tool vocabulary (vocabulary.ts); for measuring what it adds. */
  vocabulary?: boolean;
}

export function search(index: SearchIndex, query: string, limit: number = DEFAULT_LIMIT, options: SearchOptions = {}): SearchHit[] {
  if (typeof query !== 'string' || query.trim() === '') {
    throw new TypeError('search query is empty: describe the tool you need in a few words, e.g. "read a file"');
  }
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw new RangeError(`search limit must be a whole number from 1 to ${MAX_LIMIT}, got ${limit}`);
  }
  const n = index.tools.length;
  const concepts = analyzeQuery(query, (term) => index.postings.has(term), options.vocabulary !== false);
  if (!n || !concepts.length) return [];

  const { total, matched, required } = scoreConcepts(index.postings, n, concepts);
  const server = scoreConcepts(index.serverPostings, index.servers.length, concepts).total;
  let topServer = 0;
  for (const v of server) if (v > topServer) topServer = v;

  const termWeight = queryTermWeights(concepts);
  const hits: { doc: number; score: number }[] = [];
  for (let doc = 0; doc < n; doc++) {
    if (total[doc] === 0) continue;
    const coverage = required ? COVERAGE_FLOOR + (1 - COVERAGE_FLOOR) * (matched[doc]! / required) : 1;
    const fit = nameFit(index.tools[doc]!.nameTerms, termWeight);
    const serverFit = topServer ? server[index.toolServer[doc]!]! / topServer : 0;
    hits.push({ doc, score: total[doc]! * coverage * (1 + NAME_FIT * fit) * (1 + SERVER_FIT * serverFit) });
  }
  hits.sort((a, b) => b.score - a.score || compareNames(index.tools[a.doc]!.name, index.tools[b.doc]!.name));
  return hits.slice(0, limit).map(({ doc, score }) => {
    const tool = index.tools[doc]!;
    return {
      name: tool.name,
      server: tool.server,
      ...(tool.title ? { title: tool.title } : {}),
      description: tool.summary,
      score: Math.round(score * 1000) / 1000,
    };
  });
}

/**
 * Per document: the sum over concepts of the best alternative's score, and how many required concepts
 * matched at all.
 */
function scoreConcepts(postings: ReadonlyMap<string, Postings>, n: number, concepts: readonly Concept[]) {
  const total = new Float64Array(n);
  const matched = new Uint16Array(n);
  const best = new Float64Array(n);
  const current = new Float64Array(n);
  const touched: number[] = [];
  const seenInAlt: number[] = [];
  let required = 0;
  for (const concept of concepts) {
    if (!concept.optional) required++;
    touched.length = 0;
    for (const alt of concept.alternatives) {
      seenInAlt.length = 0;
      const share = alt.weight / alt.terms.length;
      for (const term of alt.terms) {
        const list = postings.get(term);
        if (!list) continue;
        for (let k = 0; k < list.docs.length; k++) {
          const doc = list.docs[k]!;
          if (current[doc] === 0) seenInAlt.push(doc);
          current[doc]! += share * list.scores[k]!;
        }
      }
      for (const doc of seenInAlt) {
        if (best[doc] === 0) touched.push(doc);
        if (current[doc]! > best[doc]!) best[doc] = current[doc]!;
        current[doc] = 0;
      }
    }
    for (const doc of touched) {
      total[doc]! += best[doc]!;
      if (!concept.optional) matched[doc]!++;
      best[doc] = 0;
    }
  }
  return { total, matched, required };
}

/** Each term the request reaches, with the weight of the closest alternative that holds it. */
function queryTermWeights(concepts: readonly Concept[]): Map<string, number> {
  const weights = new Map<string, number>();
  for (const c of concepts) {
    if (c.optional) continue;
    for (const alt of c.alternatives) for (const t of alt.terms) if ((weights.get(t) ?? 0) < alt.weight) weights.set(t, alt.weight);
  }
  return weights;
}

/** The weighted share of a tool's name words that the request reaches, 0 to 1. */
function nameFit(nameTerms: readonly string[], weights: ReadonlyMap<string, number>): number {
  if (!nameTerms.length) return 0;
  let sum = 0;
  for (const t of nameTerms) sum += weights.get(t) ?? 0;
  return sum / nameTerms.length;
}

function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
