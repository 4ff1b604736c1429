/**
 * The Porter stemmer (M. F. Porter, 1980), as published by its author: "directories" and "directory"
 * both become "directori", "creating" and "created" become "creat". Written here rather than imported:
 * it is ~100 lines, has no state, and the npm packages that carry it bring whole NLP toolkits.
 * Only lowercase ASCII words are stemmed; anything else is returned as it is.
 */
const STEP2: Record<string, string> = {
  ational: 'ate', tional: 'tion', enci: 'ence', anci: 'ance', izer: 'ize', bli: 'ble', alli: 'al',
  entli: 'ent', eli: 'e', ousli: 'ous', ization: 'ize', ation: 'ate', ator: 'ate', alism: 'al',
  iveness: 'ive', fulness: 'ful', ousness: 'ous', aliti: 'al', iviti: 'ive', biliti: 'ble', logi: 'log',
};
const STEP3: Record<string, string> = { icate: 'ic', ative: '', alize: 'al', iciti: 'ic', ical: 'ic', ful: '', ness: '' };

const c = '[^aeiou]';
const v = '[aeiouy]';
const C = `${c}[^aeiouy]*`;
const V = `${v}[aeiou]*`;
/** measure > 0 */
const MGR0 = new RegExp(`^(${C})?${V}${C}`);
/** measure = 1 */
const MEQ1 = new RegExp(`^(${C})?${V}${C}(${V})?$`);
/** measure > 1 */
const MGR1 = new RegExp(`^(${C})?${V}${C}${V}${C}`);
/** the stem holds a vowel */
const HAS_VOWEL = new RegExp(`^(${C})?${v}`);
/** consonant-vowel-consonant ending, the last not w, x or y */
const CVC = new RegExp(`^${C}${v}[^aeiouwxy]$`);

const STEP2_RE = /^(.+?)(ational|tional|enci|anci|izer|bli|alli|entli|eli|ousli|ization|ation|ator|alism|iveness|fulness|ousness|aliti|iviti|biliti|logi)$/;
const STEP3_RE = /^(.+?)(icate|ative|alize|iciti|ical|ful|ness)$/;
const STEP4_RE = /^(.+?)(al|ance|ence|er|ic|able|ible|ant|ement|ment|ent|ou|ism|ate|iti|ous|ive|ize)$/;
const STEP4_ION = /^(.+?)(s|t)(ion)$/;
const ASCII_WORD = /^[a-z]+$/;

export function stem(word: string): string {
  if (word.length < 3 || !ASCII_WORD.test(word)) return word;
  const startsWithY = word[0] === 'y';
  // A leading y is a consonant; mark it so the vowel patterns skip it.
  let w = startsWithY ? `Y${word.slice(1)}` : word;
  let m: RegExpExecArray | null;

  // Step 1a: plurals.
  if ((m = /^(.+?)(ss|i)es$/.exec(w))) w = m[1] + m[2];
  else if ((m = /^(.+?)([^s])s$/.exec(w))) w = m[1] + m[2];

  // Step 1b: -eed, -ed, -ing.
  if ((m = /^(.+?)eed$/.exec(w))) {
    if (MGR0.test(m[1]!)) w = w.slice(0, -1);
  } else if ((m = /^(.+?)(ed|ing)$/.exec(w))) {
    const base = m[1]!;
    if (HAS_VOWEL.test(base)) {
      w = base;
      if (/(at|bl|iz)$/.test(w)) w += 'e';
      else if (/([^aeiouylsz])\1$/.test(w)) w = w.slice(0, -1);
      else if (CVC.test(w)) w += 'e';
    }
  }

  // Step 1c: y → i after a vowel-holding stem.
  if ((m = /^(.+?)y$/.exec(w)) && HAS_VOWEL.test(m[1]!)) w = `${m[1]}i`;

  // Steps 2–4: derivational suffixes.
  if ((m = STEP2_RE.exec(w)) && MGR0.test(m[1]!)) w = m[1]! + STEP2[m[2]!];
  if ((m = STEP3_RE.exec(w)) && MGR0.test(m[1]!)) w = m[1]! + STEP3[m[2]!];
  if ((m = STEP4_RE.exec(w))) {
    if (MGR1.test(m[1]!)) w = m[1]!;
  } else if ((m = STEP4_ION.exec(w))) {
    const base = m[1]! + m[2]!;
    if (MGR1.test(base)) w = base;
  }

  // Step 5: final -e and -ll.
  if ((m = /^(.+?)e$/.exec(w))) {
    const base = m[1]!;
    if (MGR1.test(base) || (MEQ1.test(base) && !CVC.test(base))) w = base;
  }
  if (/ll$/.test(w) && MGR1.test(w)) w = w.slice(0, -1);

  return startsWithY ? `y${w.slice(1)}` : w;
}
