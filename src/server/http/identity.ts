/**
 * `GET /.well-known/1mcp/runtime-identity`: who this serve is, for discovery. With `?nonce=&url=` it
 * also proves it knows the config dir's identity key — but only for a URL that is really its own, so
 * a fake server elsewhere cannot relay a proxy's challenge here and pass our answer off as its own.
 */
import { ensureIdentitySecret, identityProof, NONCE_PATTERN } from '../../config/identity-secret.ts';
import { canonicalServeUrl } from '../../config/trust.ts';

export interface IdentitySource {
  version: string;
  configDir: string;
  /** The URL serve advertises (--external-url when set). */
  url: string;
  port: number;
  options: { host: string };
}

/** The URLs this serve answers at: the advertised one and the address it is bound to. */
function ownUrls(rt: IdentitySource): Set<string> {
  const bind = rt.options.host === '0.0.0.0' || rt.options.host === '::' ? '127.0.0.1' : rt.options.host.includes(':') ? `[${rt.options.host}]` : rt.options.host;
  const urls = new Set<string>();
  for (const u of [rt.url, `http://${bind}:${rt.port}/mcp`]) {
    try {
      urls.add(canonicalServeUrl(u));
    } catch {}
  }
  return urls;
}

export function runtimeIdentity(rt: IdentitySource, query: URLSearchParams): Record<string, unknown> {
  const body: Record<string, unknown> = { name: '1mcp', version: rt.version, pid: process.pid, configDir: rt.configDir };
  const nonce = query.get('nonce');
  const url = query.get('url');
  if (nonce && url && NONCE_PATTERN.test(nonce)) {
    let canonical: string | undefined;
    try {
      canonical = canonicalServeUrl(url);
    } catch {}
    if (canonical && ownUrls(rt).has(canonical)) body.proof = identityProof(ensureIdentitySecret(rt.configDir), nonce, canonical);
  }
  return body;
}
