/**
 * Ranking a request against a SearchIndex. Each concept of the request (expand.ts) adds, per tool, the
 * best BM25F score among its terms, weighted by how close the term is to the request's word. Tools that
 * match more of the request's concepts are preferred: with short requests ("close issue 17") one
 * concept matching very well should not beat a tool that matches every concept reasonably.
 */
import { analyzeQuery } from './expand.ts';
import type { SearchIndex } from './index.ts';

export const DEFAULT_LIMIT = 8;
export const MAX_LIMIT = 50;
/** The share of a score kept by a tool that matches none but one of many concepts (Lucene's "coord"). */
export const COVERAGE_FLOOR = 0.5;

export interface SearchHit {
  name: string;
  server: string;
  title?: string;
  /** The first sentence of the description. */
  description: string;
  score: number;
}

export function search(index: SearchIndex, query: string, limit: number = DEFAULT_LIMIT): SearchHit[] {
  if (typeof query !== 'string' || query.trim() === '') {
    throw new TypeError('search query is empty: describe the tool you need in a few words, e.g. "read a file"');
  }
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw new RangeError(`search limit must be a whole number from 1 to ${MAX_LIMIT}, got ${limit}`);
  }
  const n = index.tools.length;
  const concepts = analyzeQuery(query, (term) => index.postings.has(term));
  if (!n || !concepts.length) return [];

  const total = new Float64Array(n);
  const matched = new Uint16Array(n);
  const best = new Float64Array(n);
  const touched: number[] = [];
  for (const concept of concepts) {
    touched.length = 0;
    for (const [term, weight] of concept.terms) {
      const list = index.postings.get(term);
      if (!list) continue;
      for (let k = 0; k < list.docs.length; k++) {
        const doc = list.docs[k]!;
        const score = weight * list.scores[k]!;
        if (best[doc] === 0) touched.push(doc);
        if (score > best[doc]!) best[doc] = score;
      }
    }
    for (const doc of touched) {
      total[doc]! += best[doc]!;
      matched[doc]!++;
      best[doc] = 0;
    }
  }

  const hits: { doc: number; score: number }[] = [];
  for (let doc = 0; doc < n; doc++) {
    if (total[doc] === 0) continue;
    const coverage = COVERAGE_FLOOR + (1 - COVERAGE_FLOOR) * (matched[doc]! / concepts.length);
    hits.push({ doc, score: total[doc]! * coverage });
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

function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
