/**
 * Host and Origin checks (docs/security.md).
 * - Host: on a loopback bind only local names (and the --external-url host) pass — DNS-rebinding protection.
 * - Origin: whenever a request carries one, it must equal one of ours exactly (scheme, host and port):
 *   the loopback names on our port, the bound address, the --external-url origin, or an --allow-origin.
 *   `Origin: null` (sandboxed iframes, file: pages) never passes.
 */
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

export function isLoopbackBind(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || host.startsWith('127.');
}

/** `--allow-origin` values: a scheme and host (and port), nothing else. Throws a one-line message. */
export function normalizeOrigin(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`--allow-origin "${value}" is not an origin; write it like http://localhost:5173`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`--allow-origin "${value}" must start with http:// or https://`);
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash || url.username) {
    throw new Error(`--allow-origin "${value}" must be only scheme, host and port (like ${url.origin})`);
  }
  return url.origin;
}

export function makeHostGuard(bindHost: string, port: () => number, externalUrl?: string, allowOrigins: string[] = []): (request: Request) => string | undefined {
  const external = externalUrl ? new URL(externalUrl) : undefined;
  const loopback = isLoopbackBind(bindHost);
  const extra = new Set(allowOrigins.map((o) => normalizeOrigin(o)));
  const hostAllowed = (hostHeader: string) => {
    if (external && hostHeader.toLowerCase() === external.host.toLowerCase()) return true;
    if (!loopback) return true;
    const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(hostHeader.toLowerCase());
    if (!m) return false;
    const [, name, p] = m;
    return LOOPBACK_HOSTS.has(name!) || (bindHost.startsWith('127.') && name === bindHost) ? p === undefined || Number(p) === port() : false;
  };
  const originAllowed = (origin: string, hostHeader: string | null) => {
    if (extra.has(origin)) return true;
    if (external && origin === external.origin) return true;
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      return false;
    }
    // Exact: serve speaks plain http, on our port; "http://localhost" (port 80) is another site.
    if (url.protocol !== 'http:' || url.origin !== origin || (url.port || '80') !== String(port())) return false;
    const name = url.hostname.toLowerCase();
    if (LOOPBACK_HOSTS.has(name) || name === bindHost.toLowerCase() || `[${bindHost.toLowerCase()}]` === name) return true;
    // Exposed beyond loopback: a page served from the very address the request came to is same-origin.
    return !loopback && hostHeader !== null && url.host === hostHeader.toLowerCase();
  };
  // Every request of a client carries the same Host: remember the last one that passed (and the port it
  // passed for) instead of matching it again.
  let passedHost = '';
  let passedPort = -1;
  return (request) => {
    const host = request.headers.get('host');
    if (host && (host !== passedHost || passedPort !== port())) {
      if (!hostAllowed(host)) return `Host "${host}" is not allowed (DNS-rebinding protection); use http://127.0.0.1:${port()} or set --external-url`;
      passedHost = host;
      passedPort = port();
    }
    const origin = request.headers.get('origin');
    if (origin === null) return undefined;
    if (!originAllowed(origin, host)) {
      return `Origin "${origin}" is not allowed: cross-site requests are refused; to let a browser app in, start serve with --allow-origin <its exact origin, e.g. http://localhost:5173>`;
    }
    return undefined;
  };
}
