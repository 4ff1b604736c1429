/**
 * DNS-rebinding protection (SPEC §3.3): on a loopback bind, only local Host/Origin values (and the
 * --external-url host) may reach us.
 */
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

export function isLoopbackBind(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

export function makeHostGuard(bindHost: string, port: () => number, externalUrl?: string): (request: Request) => string | undefined {
  const external = externalUrl ? new URL(externalUrl) : undefined;
  const loopback = isLoopbackBind(bindHost);
  const hostAllowed = (hostHeader: string) => {
    if (external && hostHeader.toLowerCase() === external.host.toLowerCase()) return true;
    if (!loopback) return true;
    const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(hostHeader.toLowerCase());
    if (!m) return false;
    const [, name, p] = m;
    return LOOPBACK_HOSTS.has(name!) || (bindHost.startsWith('127.') && name === bindHost) ? p === undefined || Number(p) === port() : false;
  };
  return (request) => {
    const host = request.headers.get('host');
    if (host && !hostAllowed(host)) return `Host "${host}" is not allowed (DNS-rebinding protection); use http://127.0.0.1:${port()} or set --external-url`;
    const origin = request.headers.get('origin');
    if (origin && origin !== 'null') {
      let originHost: string;
      try {
        originHost = new URL(origin).host;
      } catch {
        return `Origin "${origin}" is not a valid origin`;
      }
      if (!hostAllowed(originHost)) return `Origin "${origin}" is not allowed (DNS-rebinding protection)`;
    }
    return undefined;
  };
}
