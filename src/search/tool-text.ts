/**
 * The searchable text of one tool, split into the fields the index weighs differently. Memoised by
 * description text and by schema object: a gateway rebuilds its index on every catalog change, and
 * nearly every tool is the same as last time.
 */
import type { SearchEntry } from './index.ts';
import { firstSentence, splitLead } from './summary.ts';
import { clearTokenCaches, splitExposedName, tokenize } from './tokenize.ts';

/** The cap on text taken from one parameter's description: long enums and examples add noise, not recall. */
const PARAM_TEXT_LIMIT = 300;
/** The memo holds at most this many characters of descriptions; then it starts over. */
const DESCRIPTION_CACHE_CHARS = 8_000_000;
let descriptionChars = 0;

interface DescriptionText {
  lead: readonly string[];
  rest: readonly string[];
  summary: string;
}

const descriptions = new Map<string, DescriptionText>();
let schemas = new WeakMap<object, readonly string[]>();

function descriptionText(description: string | undefined): DescriptionText {
  const key = description ?? '';
  let text = descriptions.get(key);
  if (!text) {
    const { lead, rest } = splitLead(key);
    text = { lead: tokenize(lead), rest: tokenize(rest), summary: firstSentence(key) };
    if (descriptionChars + key.length > DESCRIPTION_CACHE_CHARS) {
      descriptions.clear();
      descriptionChars = 0;
    }
    descriptions.set(key, text);
    descriptionChars += key.length;
  }
  return text;
}

/** The first sentence of a description, as search results show it. */
export function summaryOf(description: string | undefined): string {
  return descriptionText(description).summary;
}

/** Words of a JSON schema's parameter names and descriptions, one level of nesting deep. */
function parameterText(schema: unknown, depth = 0): string[] {
  const out: string[] = [];
  if (!schema || typeof schema !== 'object' || depth > 2) return out;
  const s = schema as { properties?: unknown; items?: unknown };
  if (s.properties && typeof s.properties === 'object') {
    for (const [key, prop] of Object.entries(s.properties as Record<string, unknown>)) {
      out.push(key);
      if (prop && typeof prop === 'object') {
        const description = (prop as { description?: unknown }).description;
        if (typeof description === 'string') out.push(description.slice(0, PARAM_TEXT_LIMIT));
        if (depth < 1) out.push(...parameterText(prop, depth + 1));
      }
    }
  }
  if (s.items && depth < 1) out.push(...parameterText(s.items, depth + 1));
  return out;
}

function parameterTerms(schema: unknown): readonly string[] {
  if (!schema || typeof schema !== 'object') return [];
  let terms = schemas.get(schema);
  if (!terms) {
    terms = tokenize(parameterText(schema).join(' '));
    schemas.set(schema, terms);
  }
  return terms;
}

/**
 * The terms of each field of one tool, in the order of `Field` (index.ts). Arrays may be shared with
 * the memo: never mutate them.
 */
export function fieldsOf(entry: SearchEntry): (readonly string[])[] {
  const { prefix, tool } = splitExposedName(entry.name);
  const { lead, rest } = descriptionText(entry.description);
  return [
    tokenize(tool),
    tokenize(entry.title ?? ''),
    lead,
    rest,
    parameterTerms(entry.inputSchema),
    tokenize([entry.server, prefix === entry.server ? '' : prefix, ...(entry.serverTags ?? [])].join(' ')),
  ];
}

/** Forgets every memo (texts, schemas, stems); for measurements of a cold build. */
export function clearSearchCaches(): void {
  descriptions.clear();
  descriptionChars = 0;
  schemas = new WeakMap();
  clearTokenCaches();
}
