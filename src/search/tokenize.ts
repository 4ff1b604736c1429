/**
 * Text → search terms. Tool names are identifiers (`create_issue`, `getPullRequest`, `hubspot-list-objects`,
 * `github_1mcp_search_code`); requests are prose. Both go through the same steps so they meet:
 * split on anything that is not a letter or digit, then at camelCase and letter/digit boundaries,
 * lowercase, drop stop words and bare numbers, stem.
 */
import { stem } from './stem.ts';

/** The separator between a server prefix and the tool's own name in exposed names. */
export const NAME_SEPARATOR = '_1mcp_';

/**
 * Words that carry no meaning for picking a tool. Short on purpose: verbs such as "get", "list", "show"
 * and "open" stay, since tool names are built from them.
 */
const STOP_WORDS = new Set(
  (
    'a an the and or but if then than so of in on at to for from by with without into onto about as is are was were be ' +
    'been being am do does did doing have has had i me my mine we us our you your it its this that these those there here ' +
    'what which who whom whose when where why how can could would should will shall may might must please just some any ' +
    'all each every also too very really again want wants need needs like let lets tell via up out over under them they ' +
    'their he she his her one thing things stuff something anything currently'
  ).split(' '),
);

const CACHE_LIMIT = 50_000;
const stemCache = new Map<string, string>();

/** Stems with a bounded memo: the same few thousand words recur across tools and queries. */
export function stemWord(word: string): string {
  let s = stemCache.get(word);
  if (s === undefined) {
    s = stem(word);
    if (stemCache.size < CACHE_LIMIT) stemCache.set(word, s);
  }
  return s;
}

const OTHER = 0;
const LOWER = 1;
const UPPER = 2;
const DIGIT = 3;

const UNICODE_WORD = /[\p{L}\p{N}\p{M}]/u;

function kindOf(code: number): number {
  if (code >= 97 && code <= 122) return LOWER;
  if (code >= 65 && code <= 90) return UPPER;
  if (code >= 48 && code <= 57) return DIGIT;
  // Letters of other scripts ("café", "地图") are part of words; their case does not split them.
  if (code > 127 && UNICODE_WORD.test(String.fromCharCode(code))) return LOWER;
  return OTHER;
}

/**
 * Whether two lowercase letters start at `at`: the end of an acronym before a word (HTTP|Server), not a
 * plural acronym (PRs, URLs, IDs), which stays one word.
 */
function startsWord(text: string, at: number): boolean {
  return at + 1 < text.length && kindOf(text.charCodeAt(at)) === LOWER && kindOf(text.charCodeAt(at + 1)) === LOWER;
}

/**
 * Calls `visit` with each lowercase word of an identifier or a sentence. Splits at anything that is not
 * a letter or digit, at fooBar, at HTTPServer (→ http server), at page2 (→ page 2); PRs stays prs. One pass over
 * the characters: this runs over every description of every tool at each index build.
 */
function eachWord(text: string, visit: (word: string) => void): void {
  const lower = text.toLowerCase();
  // Some characters change length when lowercased; then slice the original and lowercase each word.
  const aligned = lower.length === text.length;
  let start = -1;
  let prev = OTHER;
  const emit = (end: number) => visit(aligned ? lower.slice(start, end) : text.slice(start, end).toLowerCase());
  for (let i = 0; i <= text.length; i++) {
    const kind = i < text.length ? kindOf(text.charCodeAt(i)) : OTHER;
    if (kind === OTHER) {
      if (start >= 0) emit(i);
      start = -1;
    } else if (start < 0) {
      start = i;
    } else if (
      (prev === LOWER && kind === UPPER) ||
      (prev === DIGIT) !== (kind === DIGIT) ||
      (prev === UPPER && kind === UPPER && startsWord(text, i + 1))
    ) {
      emit(i);
      start = i;
    }
    prev = kind;
  }
}

/** Lowercase words of an identifier or a sentence, stop words kept, nothing stemmed. */
export function splitWords(text: string): string[] {
  const out: string[] = [];
  eachWord(text, (word) => out.push(word));
  return out;
}

export function isStopWord(word: string): boolean {
  return STOP_WORDS.has(word);
}

/** Whether a word is worth searching for: not a stop word, not a bare number, not a single letter. */
export function isContentWord(word: string): boolean {
  return word.length > 1 && !STOP_WORDS.has(word) && !(word.charCodeAt(0) <= 57 && /^[0-9]+$/.test(word));
}

/** The memo holds at most this many characters of text; then it starts over. A few catalogs' worth. */
const TEXT_CACHE_CHARS = 8_000_000;
const textCache = new Map<string, readonly string[]>();
let textCacheChars = 0;

/**
 * Search terms of a text: split, stop words and numbers dropped, stemmed. Memoised by text: a gateway
 * rebuilds its index on every catalog change, and nearly all descriptions are the same as last time.
 */
export function tokenize(text: string): readonly string[] {
  const cached = textCache.get(text);
  if (cached) return cached;
  const out: string[] = [];
  eachWord(text, (word) => {
    if (isContentWord(word)) out.push(stemWord(word));
  });
  if (textCacheChars + text.length > TEXT_CACHE_CHARS) {
    textCache.clear();
    textCacheChars = 0;
  }
  textCache.set(text, out);
  textCacheChars += text.length;
  return out;
}

/** Forgets memoised stems and texts; for measurements of a cold build. */
export function clearTokenCaches(): void {
  textCache.clear();
  textCacheChars = 0;
  stemCache.clear();
}

/**
 * Splits an exposed tool name into the server prefix and the tool's own name:
 * `github_1mcp_create_issue` → { prefix: 'github', tool: 'create_issue' }. A bare name has no prefix.
 */
export function splitExposedName(name: string): { prefix: string; tool: string } {
  const at = name.indexOf(NAME_SEPARATOR);
  if (at < 0) return { prefix: '', tool: name };
  return { prefix: name.slice(0, at), tool: name.slice(at + NAME_SEPARATOR.length) };
}
