/**
 * Turns a request into weighted concepts: each meaningful word of the query becomes one concept that
 * matches its own stem at full weight and, at lower weights, the related words of vocabulary.ts.
 * A document scores the best of a concept's terms, never their sum, so a tool that happens to use
 * both "folder" and "directory" is not counted twice for one word of the request.
 */
import { isContentWord, splitWords, stemWord, tokenize } from './tokenize.ts';
import { HINTS, SYNONYMS } from './vocabulary.ts';

/** How much a related word counts next to the word the request used. */
export const SYNONYM_WEIGHT = 0.7;
export const HINT_WEIGHT = 0.6;

export interface Concept {
  /** The stem of the word as the request wrote it. */
  stem: string;
  /** stem → weight; holds `stem` itself at 1. */
  terms: Map<string, number>;
}

type Table = Map<string, Map<string, number>>;
let table: Table | undefined;

function addAll(into: Map<string, number>, terms: readonly string[], weight: number): void {
  for (const term of terms) if ((into.get(term) ?? 0) < weight) into.set(term, weight);
}

/** Compiled on first use, not at import: stemming the table costs a little and most processes never search. */
function vocabulary(): Table {
  if (table) return table;
  const t: Table = new Map();
  const entry = (key: string) => {
    let m = t.get(key);
    if (!m) t.set(key, (m = new Map()));
    return m;
  };
  for (const group of SYNONYMS) {
    const members = group.split(' ').map((w) => stemWord(w));
    for (const key of members) addAll(entry(key), members.filter((m) => m !== key), SYNONYM_WEIGHT);
  }
  for (const [word, related] of Object.entries(HINTS)) {
    addAll(entry(stemWord(word)), tokenize(related), HINT_WEIGHT);
  }
  for (const [key, m] of t) m.delete(key);
  return (table = t);
}

/**
 * The concepts of a request, in order, one per distinct content word. `known` tells whether a term
 * occurs in the index: a word the catalog never uses ("filesystem") is tried as two words it does use.
 */
export function analyzeQuery(query: string, known: (term: string) => boolean): Concept[] {
  const vocab = vocabulary();
  const concepts: Concept[] = [];
  const seen = new Set<string>();
  for (const word of splitWords(query)) {
    if (!isContentWord(word)) continue;
    const base = stemWord(word);
    if (seen.has(base)) continue;
    seen.add(base);
    const terms = new Map<string, number>([[base, 1]]);
    for (const [term, weight] of vocab.get(base) ?? []) if (!terms.has(term)) terms.set(term, weight);
    if (!known(base)) for (const part of splitCompound(word, known)) if (!terms.has(part)) terms.set(part, 1);
    concepts.push({ stem: base, terms });
  }
  return concepts;
}

/** "filesystem" → ["file", "system"] when both halves are terms of the index; otherwise nothing. */
export function splitCompound(word: string, known: (term: string) => boolean): string[] {
  if (word.length < 6) return [];
  for (let i = 3; i <= word.length - 3; i++) {
    const left = stemWord(word.slice(0, i));
    const right = stemWord(word.slice(i));
    if (known(left) && known(right)) return [left, right];
  }
  return [];
}
