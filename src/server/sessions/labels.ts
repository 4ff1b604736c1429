/**
 * Who opened a session, as shown by /metrics, the audit log and status: the transport, the protocol
 * era, the client's `?app=` label and the name (never the secret) of the bearer token it used.
 */
export interface SessionLabels {
  transport: 'streamable-http' | 'sse';
  /** Protocol era: "legacy" up to 2025-11-25 (sessions), "modern" for stateless 2026-07-28 requests (docs/protocol.md). */
  era: 'legacy' | 'modern';
  /** `?app=<name>`, cut to APP_MAX characters of a safe set. */
  app?: string;
  tokenName?: string;
}

const APP_MAX = 64;

/** The labels of a session opened by this request. */
export function sessionLabels(url: URL, transport: SessionLabels['transport'], token?: { name: string }, era: SessionLabels['era'] = 'legacy'): SessionLabels {
  const app = appLabel(url.searchParams.get('app'));
  return { transport, era, ...(app ? { app } : {}), ...(token ? { tokenName: token.name } : {}) };
}

/** `?app=` as a label: letters, digits and `._-@/ ` kept, anything else becomes `_`, at most APP_MAX characters. */
export function appLabel(raw: string | null): string | undefined {
  if (!raw) return undefined;
  const clean = raw.slice(0, APP_MAX).replace(/[^A-Za-z0-9._@/ -]/g, '_').trim();
  return clean || undefined;
}
