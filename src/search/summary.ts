/**
 * The first sentence of a tool description: what search results show, and the part of a description
 * that says what the tool is for (the rest tends to be usage notes, caveats and error tables).
 */
const MAX_SUMMARY = 160;
/** A sentence shorter than this is a label ("Purpose: 1.") rather than a summary: keep reading. */
const MIN_SENTENCE = 20;

/** The description cut after its first sentence; whitespace collapsed, leading emoji and bullets dropped. */
export function splitLead(description: string | undefined): { lead: string; rest: string } {
  if (!description) return { lead: '', rest: '' };
  const text = description.replace(/\s+/g, ' ').replace(/^[^A-Za-z0-9]+/, '').trim();
  const end = /[.!?](\s|$)/g;
  let match: RegExpExecArray | null;
  while ((match = end.exec(text))) {
    if (match.index + 1 >= MIN_SENTENCE) return { lead: text.slice(0, match.index + 1), rest: text.slice(match.index + 1) };
  }
  return { lead: text, rest: '' };
}

export function firstSentence(description: string | undefined): string {
  const { lead } = splitLead(description);
  return lead.length <= MAX_SUMMARY ? lead : `${lead.slice(0, MAX_SUMMARY - 1).trimEnd()}…`;
}
