/**
 * The baseline that scripts/eval.ts compares against: plain BM25 (k1 1.2, b 0.75) over one field made
 * of the tool name and its description — what MCP gateways commonly ship. Names are split at `_`, `-`
 * and camelCase, words lowercased, English stop words dropped; no stemming, no synonyms, no field weights.
 */
import type { SearchEntry } from '../src/search/index.ts';
import { isStopWord, splitWords } from '../src/search/tokenize.ts';

const K1 = 1.2;
const B = 0.75;

const terms = (text: string) => splitWords(text).filter((w) => w.length > 1 && !isStopWord(w));

export function buildBaseline(entries: readonly SearchEntry[]): (query: string, limit: number) => string[] {
  const docs = entries.map((e) => {
    const tf = new Map<string, number>();
    const words = terms(`${e.name} ${e.description ?? ''}`);
    for (const w of words) tf.set(w, (tf.get(w) ?? 0) + 1);
    return { name: e.name, tf, length: words.length };
  });
  const n = docs.length;
  const avg = docs.reduce((s, d) => s + d.length, 0) / Math.max(n, 1);
  const df = new Map<string, number>();
  for (const d of docs) for (const t of d.tf.keys()) df.set(t, (df.get(t) ?? 0) + 1);
  const idf = (t: string) => Math.log(1 + (n - (df.get(t) ?? 0) + 0.5) / ((df.get(t) ?? 0) + 0.5));

  return (query, limit) => {
    const q = [...new Set(terms(query))];
    return docs
      .map((d) => {
        let score = 0;
        for (const t of q) {
          const f = d.tf.get(t);
          if (f) score += (idf(t) * f * (K1 + 1)) / (f + K1 * (1 - B + (B * d.length) / avg));
        }
        return { name: d.name, score };
      })
      .filter((h) => h.score > 0)
      .sort((a, b) => b.score - a.score || (a.name < b.name ? -1 : 1))
      .slice(0, limit)
      .map((h) => h.name);
  };
}
