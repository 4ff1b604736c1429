/**
 * Turns a request into weighted concepts. Each meaningful word of the request (or a two-word phrase the
 * vocabulary knows, such as "sea level") becomes one concept; a concept has alternatives: the word's own
 * stem at full weight and the related words or phrases of vocabulary.ts at lower weights. A tool scores
 * the best alternative of each concept, never their sum, so a tool that uses both "folder" and
 * "directory" is not counted twice for one word of the request. A phrase alternative ("pull request")
 * scores the mean of its words, so it weighs like one word.
 */
import { isContentWord, splitWords, stemWord, tokenize } from './tokenize.ts';
import { FILE_EXTENSIONS, HINTS, SYNONYMS } from './vocabulary.ts';

/** How much a related word counts next to the word the request used. */
export const SYNONYM_WEIGHT = 0.7;
export const HINT_WEIGHT = 0.7;
/** A number in a request is likely a value for a numeric parameter: a weak hint, never required. */
export const NUMBER_WEIGHT = 0.3;

export interface Alternative {
  terms: readonly string[];
  weight: number;
}

export interface Concept {
  /** The stem (or stems) of what the request wrote; identifies the concept. */
  key: string;
  alternatives: Alternative[];
  /** Optional concepts add to a score but do not count when measuring how much of the request a tool covers. */
  optional?: boolean;
}

/** stem or "stem stem" → alternatives (each a list of stems) with weights. */
type Table = Map<string, Map<string, Alternative>>;
let table: Table | undefined;
const EMPTY: Table = new Map();

function addAlternatives(into: Map<string, Alternative>, items: string, weight: number): void {
  for (const item of items.split(',')) {
    const terms = tokenize(item);
    if (!terms.length) continue;
    const key = terms.join(' ');
    const known = into.get(key);
    if (!known || known.weight < weight) into.set(key, { terms, weight });
  }
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
    const members = group.split(',').map((m) => tokenize(m).join(' ')).filter(Boolean);
    for (const key of members) {
      addAlternatives(entry(key), members.filter((m) => m !== key).join(','), SYNONYM_WEIGHT);
    }
  }
  for (const [words, related] of Object.entries(HINTS)) {
    const key = tokenize(words).join(' ');
    if (key) addAlternatives(entry(key), related, HINT_WEIGHT);
  }
  return (table = t);
}

/** Things a request can name without saying what they are. */
const FILE_NAME = new RegExp(
  `(^|[\\s"'\`(])[\\w./-]*\\w\\.(${FILE_EXTENSIONS.join('|')})(?=$|[\\s"'\`),:;!?])`,
  'gi',
);
const URL = /\b(https?:\/\/|www\.)\S+/i;
const COORDINATES = /-?\d{1,3}\.\d+\s*,\s*-?\d{1,3}\.\d+/;
const NUMBER = /(^|\s|#)\d+(\.\d+)?\b/;

/** Concepts a request implies by its shape: a file name, a URL, a pair of coordinates, a number. */
function shapeConcepts(query: string): Concept[] {
  const out: Concept[] = [];
  const implied = (key: string, items: string, weight: number, optional = false) => {
    const alternatives = new Map<string, Alternative>();
    addAlternatives(alternatives, items, weight);
    out.push({ key, alternatives: [...alternatives.values()], ...(optional ? { optional } : {}) });
  };
  const withoutUrls = query.replace(URL, ' ');
  if (URL.test(query)) implied('<url>', 'url, navigate, page', HINT_WEIGHT);
  else if (withoutUrls.search(FILE_NAME) >= 0) implied('<file>', 'file', HINT_WEIGHT);
  if (COORDINATES.test(query)) implied('<coordinates>', 'coordinates, latitude, longitude', HINT_WEIGHT);
  else if (NUMBER.test(withoutUrls)) implied('<number>', 'number', NUMBER_WEIGHT, true);
  return out;
}

/**
 * The concepts of a request, in order. `known` tells whether a term occurs in the index: a word the
 * catalog never uses ("filesystem") is tried as two words it does use. `useVocabulary: false` leaves
 * out vocabulary.ts (to measure what it adds).
 */
export function analyzeQuery(query: string, known: (term: string) => boolean, useVocabulary = true): Concept[] {
  const vocab = useVocabulary ? vocabulary() : EMPTY;
  // A URL or a file name says which thing, not which tool: only its kind counts (shapeConcepts), and
  // of a file name its extension ("png" hints at media).
  const words = splitWords(query.replace(URL, ' ').replace(FILE_NAME, '$1 $2 ')).filter(isContentWord);
  const stems = words.map(stemWord);
  const concepts: Concept[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < stems.length; i++) {
    const phrase = i + 1 < stems.length ? `${stems[i]} ${stems[i + 1]}` : '';
    if (phrase && vocab.has(phrase) && !seen.has(phrase)) {
      seen.add(phrase);
      concepts.push(conceptOf(phrase, [stems[i]!, stems[i + 1]!], vocab, known));
      i++;
      continue;
    }
    const base = stems[i]!;
    if (seen.has(base)) continue;
    seen.add(base);
    const concept = conceptOf(base, [base], vocab, known);
    if (!known(base)) {
      const parts = splitCompound(words[i]!, known);
      if (parts.length) concept.alternatives.push({ terms: parts, weight: 1 });
    }
    concepts.push(concept);
  }
  for (const implied of shapeConcepts(query)) if (!seen.has(implied.key)) concepts.push(implied);
  return concepts;
}

function conceptOf(key: string, own: string[], vocab: Table, known: (term: string) => boolean): Concept {
  // A phrase's own words count together at full weight, and one by one at a little less.
  const alternatives: Alternative[] = [{ terms: own, weight: 1 }];
  if (own.length > 1) for (const t of own) alternatives.push({ terms: [t], weight: SYNONYM_WEIGHT });
  for (const alt of vocab.get(key)?.values() ?? []) {
    if (alt.terms.some(known)) alternatives.push(alt);
  }
  return { key, alternatives };
}

const SPLIT_CACHE_LIMIT = 20_000;
const splitCandidates = new Map<string, [string, string][]>();

/** "filesystem" → ["file", "system"] when both halves are terms of the index; otherwise nothing. */
export function splitCompound(word: string, known: (term: string) => boolean): string[] {
  if (word.length < 6) return [];
  let candidates = splitCandidates.get(word);
  if (!candidates) {
    candidates = [];
    for (let i = 3; i <= word.length - 3; i++) candidates.push([stemWord(word.slice(0, i)), stemWord(word.slice(i))]);
    if (splitCandidates.size >= SPLIT_CACHE_LIMIT) splitCandidates.clear();
    splitCandidates.set(word, candidates);
  }
  for (const [left, right] of candidates) if (known(left) && known(right)) return [left, right];
  return [];
}
