/**
 * Hide secrets in text that is shown to people or other clients: backend stderr tails, last errors,
 * URLs in listings. Used by serve's status/health output and by `mcp list` (see docs/security.md).
 *
 *   redactSecrets(text)  bearer tokens, 1mcp tokens, `key=value` / `"key": "value"` pairs whose key
 *                        sounds secret, URL passwords and query values, well-known API key shapes and
 *                        long random-looking strings → `***`
 *   redactUrl(url)       the same URL with its password and every query value replaced by `***`
 */
export const MASK = '***';

/** Key names whose value is a secret: api_key, apiKey, X-Api-Key, access_token, password, client_secret, … */
const SECRET_KEY = String.raw`[A-Za-z0-9_.-]*(?:api[_-]?key|apikey|token|secret|passw(?:or)?d|pwd|auth(?:orization)?|credential|private[_-]?key|session[_-]?id|signature|sig)[A-Za-z0-9_.-]*`;

const RULES: [RegExp, string | ((...m: string[]) => string)][] = [
  // Authorization: Basic xyz / Bearer xyz (the scheme stays, the credential goes)
  [/\b(authorization\s*[:=]\s*)(Bearer\s+|Basic\s+|Token\s+)?[^\s"']+/gi, (_m, head, scheme = '') => `${head}${scheme}${MASK}`],
  // A credential has a digit or punctuation, or is long; "a Bearer token" in prose stays.
  [/\b(Bearer)\s+(?:[A-Za-z-]*[0-9._~+/=][A-Za-z0-9._~+/=-]*|[A-Za-z-]{20,})/gi, (_m, scheme) => `${scheme} ${MASK}`],
  // Our own tokens wherever they appear
  [/\b1mcp_[A-Za-z0-9_-]{8,}/g, `1mcp_${MASK}`],
  // Passwords in URLs: scheme://user:pass@host
  [/\b([a-z][a-z0-9+.-]*:\/\/[^\s/:@]*):[^\s/@]+@/gi, (_m, head) => `${head}:${MASK}@`],
  // "api_key": "value" and 'token': 'value' (JSON-ish)
  [new RegExp(String.raw`(["']${SECRET_KEY}["']\s*:\s*)(["'])(?:\\.|(?!\2).)*\2`, 'gi'), (_m, head, q) => `${head}${q}${MASK}${q}`],
  // KEY=value, key: value, ?token=value (up to whitespace, quote, & or ;)
  [new RegExp(String.raw`\b(${SECRET_KEY})(\s*[=:]\s*)(?!\*\*\*|(?:Bearer|Basic|Token)\s)([^\s"'&;,]+)`, 'gi'), (_m, key, sep) => `${key}${sep}${MASK}`],
  // --api-key value
  [new RegExp(String.raw`(--${SECRET_KEY})(\s+)(?!\*\*\*|-)([^\s"'&;,]+)`, 'gi'), (_m, key, sep) => `${key}${sep}${MASK}`],
  // Well-known API key shapes: OpenAI/Anthropic sk-…, Stripe sk_live_…, GitHub, GitLab, Slack, AWS, Google, JWTs
  [/\b(?:sk|pk|rk)[-_](?:live_|test_|proj-|ant-)?[A-Za-z0-9_-]{16,}/g, MASK],
  [/\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|glpat-[A-Za-z0-9_-]{20,}|xox[abposr]-[A-Za-z0-9-]{10,})/g, MASK],
  [/\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g, MASK],
  [/\bAIza[0-9A-Za-z_-]{35}\b/g, MASK],
  [/\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, MASK],
];

/** Long runs of letters and digits mixed, as random keys are (paths and words rarely are). */
const LONG_RANDOM = /(?<![A-Za-z0-9_/.-])[A-Za-z0-9_+/=-]{32,}(?![A-Za-z0-9_/.-])/g;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function looksRandom(s: string): boolean {
  if (s.includes(MASK) || UUID.test(s)) return false;
  const digits = (s.match(/[0-9]/g) ?? []).length;
  const letters = (s.match(/[A-Za-z]/g) ?? []).length;
  return digits >= 4 && letters >= 8;
}

export function redactSecrets(text: string): string {
  let out = text;
  for (const [pattern, replacement] of RULES) out = out.replace(pattern, replacement as string);
  return out.replace(LONG_RANDOM, (m) => (looksRandom(m) ? MASK : m));
}

/** A URL with its password and query values hidden; not a URL → the text with secrets redacted. */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return redactSecrets(url);
  }
  if (parsed.password) parsed.password = MASK;
  if (!parsed.search) return parsed.password ? decodeMask(parsed.toString()) : url;
  const query = [...parsed.searchParams.keys()].map((k) => `${encodeURIComponent(k)}=${MASK}`).join('&');
  parsed.search = '';
  return `${decodeMask(parsed.toString())}?${query}${parsed.hash}`;
}

/** URL serialisation escapes nothing in `***`, but keep it literal whatever the runtime does. */
function decodeMask(text: string): string {
  return text.replace(/%2A%2A%2A/gi, MASK);
}
