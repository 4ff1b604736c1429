/**
 * Which redirect URIs a client may register (docs/security.md): https anywhere; http only to this
 * machine (loopback, as native apps and CLIs listen there); a private scheme such as `cursor://` for
 * native apps. Never a fragment, never javascript:/data:/file: or other schemes a browser would act on.
 */
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);
const REFUSED_SCHEMES = new Set(['javascript:', 'data:', 'file:', 'blob:', 'vbscript:', 'about:', 'ftp:', 'ws:', 'wss:']);
export const MAX_REDIRECT_URIS = 10;
export const MAX_URI_LENGTH = 2000;

export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK.has(hostname.toLowerCase()) || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

/** Why this redirect URI is refused, or undefined when it is acceptable. */
export function redirectUriProblem(value: unknown): string | undefined {
  if (typeof value !== 'string' || value === '') return 'a redirect URI must be a non-empty string';
  if (value.length > MAX_URI_LENGTH) return `redirect URI longer than ${MAX_URI_LENGTH} characters`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `"${value}" is not an absolute URI`;
  }
  if (url.hash || value.includes('#')) return `"${value}" must not contain a fragment (#)`;
  if (url.protocol === 'https:') return url.hostname ? undefined : `"${value}" has no host`;
  if (url.protocol === 'http:') return isLoopbackHost(url.hostname) ? undefined : `"${value}": http is allowed only for loopback hosts (127.0.0.1, localhost, [::1]); use https`;
  if (REFUSED_SCHEMES.has(url.protocol)) return `"${value}": the scheme ${url.protocol} is not allowed for redirects`;
  // A private-use scheme of a native app: reverse-DNS style or a plain name such as cursor: / vscode:.
  return /^[a-z][a-z0-9+.-]*:$/.test(url.protocol) ? undefined : `"${value}" has an invalid scheme`;
}

/** The form-action source that lets the consent form's redirect reach this URI (CSP checks redirects too). */
export function cspSourceFor(redirectUri: string): string {
  const url = new URL(redirectUri);
  return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : url.protocol;
}

/**
 * Whether the client registered this redirect URI: exactly, except that http on a loopback host matches
 * on any port (RFC 8252 §7.3). Native apps and CLIs listen on a port picked at login, and their metadata
 * documents (Codex's, for one) list the URI without a port. Scheme, host, path and query still must match.
 */
export function isRegisteredRedirectUri(registered: readonly string[], requested: string): boolean {
  if (registered.includes(requested)) return true;
  const parse = (value: string) => {
    try {
      const url = new URL(value);
      return url.protocol === 'http:' && isLoopbackHost(url.hostname) && !url.hash && !url.username && !url.password ? url : undefined;
    } catch {
      return undefined;
    }
  };
  const want = parse(requested);
  if (!want || requested.includes('#')) return false;
  return registered.some((r) => {
    const have = parse(r);
    return have !== undefined && have.hostname === want.hostname && have.pathname === want.pathname && have.search === want.search;
  });
}
