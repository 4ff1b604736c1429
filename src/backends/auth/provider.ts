/**
 * The SDK's OAuthClientProvider backed by `<config>/oauth/<server>.json` (config/oauth-store.ts).
 * Two modes share it:
 *  - "serve": uses and refreshes stored tokens; it never starts a login (that needs a person), so
 *    wherever the SDK would send a browser to the authorization server it throws AwaitingAuthError;
 *  - "login" (`1mcp mcp auth`): runs the authorization-code flow with PKCE on a loopback redirect.
 */
import { statSync } from 'node:fs';
import { auth, type OAuthClientProvider, type OAuthDiscoveryState } from '@modelcontextprotocol/sdk/client/auth.js';
import type { OAuthClientInformationMixed, OAuthClientMetadata, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { OAuthSettings } from '../../config/mcp-schema.ts';
import { readOAuthRecord, writeOAuthRecord, type OAuthRecord } from '../../config/oauth-store.ts';
import { VERSION } from '../../version.ts';
import { coversScope, scopeUnion, watchChallenges, type Challenge } from './challenge.ts';
import { AwaitingAuthError, NotOAuthError, ScopeRefusedError } from './errors.ts';
import { refreshOnce } from './refresh-once.ts';

/** Refresh this long before the access token expires (at most a third of its lifetime). */
const REFRESH_MARGIN_MS = 60_000;

export interface LoginMode {
  kind: 'login';
  redirectUrl: string;
  /** The `state` sent with the authorization request; the callback must bring it back. */
  state: string;
  /** The SDK built the authorization URL: show it to the user (and open a browser). */
  onAuthorizationUrl(url: URL): void;
}

export type ProviderMode = { kind: 'serve' } | LoginMode;

export interface ProviderTarget {
  name: string;
  url: string;
  oauthFile: string;
  oauth?: OAuthSettings;
}

export class StoredOAuthProvider implements OAuthClientProvider {
  private record: OAuthRecord;
  /** mtime of the file when we last read or wrote it: a newer file is a login made since. */
  private seen = -1;
  private verifier?: string;
  private refreshing?: Promise<void>;
  /** The stored login was refused by the authorization server in this process. */
  private lost = false;
  /** The server's latest 401/403 challenge (serve), kept for the next login. */
  private challenge?: Challenge;
  /** Discovery ran in this process (a login uses only that, never what an earlier login found). */
  private discoveredNow = false;

  constructor(
    private readonly target: ProviderTarget,
    private readonly mode: ProviderMode,
  ) {
    this.record = this.load() ?? { url: target.url };
  }

  /** The record on disk, when it is for this server's URL (a login for another URL is not sent here). */
  private load(): OAuthRecord | undefined {
    this.seen = mtime(this.target.oauthFile);
    return readOAuthRecord(this.target.oauthFile, this.target.url);
  }

  /** Serve: pick up a login that `1mcp mcp auth` saved since we read the file. */
  private sync(): void {
    if (this.mode.kind !== 'serve' || mtime(this.target.oauthFile) === this.seen) return;
    this.record = this.load() ?? { url: this.target.url };
  }

  private save(): void {
    writeOAuthRecord(this.target.oauthFile, this.record);
    this.seen = mtime(this.target.oauthFile);
  }

  get redirectUrl(): string {
    if (this.mode.kind === 'login') return this.mode.redirectUrl;
    // Serve never redirects, but the SDK reads a missing redirect URL as a non-interactive grant.
    const registered = (this.record.client?.redirect_uris as string[] | undefined)?.[0];
    return registered ?? 'http://127.0.0.1/callback';
  }

  get clientMetadataUrl(): string | undefined {
    return this.target.oauth?.clientMetadataUrl;
  }

  get clientMetadata(): OAuthClientMetadata {
    const secret = this.target.oauth?.clientSecret;
    const metadata: OAuthClientMetadata & { application_type: 'native' } = {
      // A native app (RFC 8252: loopback redirect), as dynamic registration must say (MCP 2026-07-28).
      application_type: 'native',
      client_name: '1mcp',
      software_id: '1mcp',
      software_version: VERSION,
      redirect_uris: [this.redirectUrl],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: secret ? 'client_secret_basic' : 'none',
      ...(this.target.oauth?.scopes?.length ? { scope: this.target.oauth.scopes.join(' ') } : {}),
    };
    return metadata;
  }

  state(): string {
    if (this.mode.kind !== 'login') throw this.awaiting(this.loginReason());
    return this.mode.state;
  }

  clientInformation(): OAuthClientInformationMixed | undefined {
    this.sync();
    // A step-up (403 insufficient_scope) needs a new login; a refresh would only bring the same scope back.
    if (this.mode.kind === 'serve' && this.challenge?.status === 403 && this.challenge.error === 'insufficient_scope') throw this.awaiting(this.loginReason());
    const { clientId, clientSecret } = this.target.oauth ?? {};
    const stored = this.record.client as OAuthClientInformationMixed | undefined;
    if (clientId) {
      // Pre-registered in mcp.json: that client, bound to the authorization server it was first used with.
      const issuer = stored?.client_id === clientId ? stored.issuer : undefined;
      return { client_id: clientId, ...(clientSecret ? { client_secret: clientSecret } : {}), ...(issuer ? { issuer } : {}) };
    }
    if (stored) return stored;
    // Registering a client is part of a login, which only `1mcp mcp auth` does.
    if (this.mode.kind === 'serve') throw this.awaiting(this.loginReason());
    return undefined;
  }

  saveClientInformation(info: OAuthClientInformationMixed): void {
    // A pre-registered secret stays in mcp.json (or its ${VAR}); only the binding to the issuer is kept here.
    const { client_secret: _secret, ...rest } = info as OAuthClientInformationMixed & { client_secret?: string };
    this.record.client = (this.target.oauth?.clientId ? rest : info) as OAuthRecord['client'];
    this.save();
  }

  async tokens(): Promise<OAuthTokens | undefined> {
    // `mcp auth` is asked for a new login: the old tokens are neither used nor refreshed.
    if (this.mode.kind === 'login') return undefined;
    this.sync();
    if (this.mode.kind === 'serve' && !this.refreshing && this.dueForRefresh()) {
      this.refreshing = this.refreshNow().finally(() => (this.refreshing = undefined));
      await this.refreshing;
    }
    // (While refreshing, auth() itself reads the tokens: they are handed over as they are.)
    return this.record.tokens as OAuthTokens | undefined;
  }

  saveTokens(tokens: OAuthTokens): void {
    const obtained = Date.now();
    this.record.tokens = tokens as OAuthRecord['tokens'];
    this.record.obtainedAt = obtained;
    this.record.expiresAt = typeof tokens.expires_in === 'number' ? obtained + tokens.expires_in * 1000 : undefined;
    delete this.record.challenge;
    this.save();
  }

  redirectToAuthorization(url: URL): void {
    if (this.mode.kind !== 'login') throw this.awaiting(this.loginReason());
    // Kept with the tokens: what was granted when the token answer does not say.
    this.record.requestedScope = url.searchParams.get('scope') ?? undefined;
    this.mode.onAuthorizationUrl(url);
  }

  /** Serve: a fetch for the server's transport that notes the server's Bearer challenges. */
  watch(inner: FetchLike): FetchLike {
    return watchChallenges(this.target.url, inner, (challenge) => (this.challenge = challenge));
  }

  saveCodeVerifier(verifier: string): void {
    this.verifier = verifier;
  }

  codeVerifier(): string {
    if (!this.verifier) throw new Error('no PKCE code verifier: the authorization was not started by this process');
    return this.verifier;
  }

  invalidateCredentials(scope: 'all' | 'client' | 'tokens' | 'verifier' | 'discovery'): void {
    if (scope === 'verifier') {
      this.verifier = undefined;
      return;
    }
    if (scope === 'all' || scope === 'client') delete this.record.client;
    if (scope === 'tokens' && this.mode.kind === 'serve' && this.replacedMeanwhile()) return;
    if (scope === 'all' || scope === 'tokens') {
      // The authorization server refused them (revoked, expired refresh token): say so, not "log in".
      if (this.record.tokens) this.lost = true;
      delete this.record.tokens;
      delete this.record.expiresAt;
      delete this.record.obtainedAt;
    }
    if (scope === 'all' || scope === 'discovery') delete this.record.discovery;
    this.save();
  }

  saveDiscoveryState(state: OAuthDiscoveryState): void {
    if (!state.authorizationServerMetadata && !state.resourceMetadata) {
      // Nothing says this server speaks OAuth: a login could not work, so don't send the user to one.
      throw new NotOAuthError(this.target.name);
    }
    checkIssuer(this.target.name, state);
    this.discoveredNow = true;
    this.record.discovery = state as unknown as Record<string, unknown>;
    // Serve keeps what it learned only next to a login; discovery alone is not worth a file.
    if (this.mode.kind === 'login' || this.record.tokens) this.save();
  }

  discoveryState(): OAuthDiscoveryState | undefined {
    // A login discovers afresh: the server may have moved to another authorization server since.
    if (this.mode.kind === 'login' && !this.discoveredNow) return undefined;
    return this.record.discovery as OAuthDiscoveryState | undefined;
  }

  private dueForRefresh(): boolean {
    const { tokens, expiresAt, obtainedAt } = this.record;
    if (!tokens?.refresh_token || !expiresAt || !this.record.discovery) return false;
    const lifetime = expiresAt - (obtainedAt ?? expiresAt);
    return Date.now() >= expiresAt - Math.min(REFRESH_MARGIN_MS, lifetime / 3);
  }

  /** Refresh ahead of expiry; when that fails the old token is used and a 401 leads to `awaiting-auth`. */
  private async refreshNow(): Promise<void> {
    try {
      await auth(this, { serverUrl: this.target.url, fetchFn: refreshOnce() });
    } catch {
      // Reported by the request that follows (401 → one more refresh attempt → awaiting-auth).
    }
  }

  /** Another process (`mcp auth`, another instance of this server) saved newer tokens than the refused ones: keep those. */
  private replacedMeanwhile(): boolean {
    try {
      const onDisk = readOAuthRecord(this.target.oauthFile, this.target.url);
      if (onDisk?.tokens && onDisk.tokens.access_token !== this.record.tokens?.access_token) {
        this.record = onDisk;
        this.seen = mtime(this.target.oauthFile);
        return true;
      }
    } catch {
      // A damaged file: decide on what we hold.
    }
    return false;
  }

  private loginReason(): string {
    return this.record.tokens || this.lost ? `the OAuth login of server "${this.target.name}" no longer works (the authorization server refused it)` : `server "${this.target.name}" needs an OAuth login`;
  }

  /**
   * Serve cannot log in: say what to run, and keep what the server asked for so the login asks for it
   * (the scopes granted so far plus the challenged ones). A 403 for a scope the login already grants
   * is no reason to log in again (that would loop): it is reported as the server's refusal.
   */
  private awaiting(reason: string): Error {
    const challenge = this.challenge;
    this.challenge = undefined;
    if (this.mode.kind === 'serve' && challenge) {
      const granted = this.grantedScope();
      if (challenge.status === 403 && challenge.error === 'insufficient_scope' && this.record.tokens && coversScope(granted, challenge.scope)) {
        return new ScopeRefusedError(this.target.name, challenge.scope);
      }
      const scope = challenge.status === 403 ? scopeUnion(granted, challenge.scope) : scopeUnion(this.record.challenge?.scope, challenge.scope);
      const kept = { ...(scope ? { scope } : {}), ...(challenge.resourceMetadataUrl ? { resourceMetadataUrl: challenge.resourceMetadataUrl } : {}) };
      if (JSON.stringify(kept) !== JSON.stringify(this.record.challenge ?? {})) {
        this.record.challenge = kept;
        this.save();
      }
      if (challenge.status === 403) return new AwaitingAuthError(this.target.name, `server "${this.target.name}" needs a login with more scope (${challenge.scope ?? 'unnamed'})`);
    }
    return new AwaitingAuthError(this.target.name, reason);
  }

  /** The scope the current tokens carry: as the token answer said, else as the login asked. */
  private grantedScope(): string | undefined {
    const fromTokens = this.record.tokens?.scope;
    return typeof fromTokens === 'string' && fromTokens ? fromTokens : this.record.requestedScope;
  }
}

/**
 * RFC 8414 §3.3: the metadata's `issuer` must be the issuer identifier its well-known URL was built from;
 * otherwise the endpoints in it may be an attacker's. For an origin-only identifier a trailing slash alone
 * is no mismatch (the SDK adds one when the server names no authorization server; the origin is the same).
 */
function checkIssuer(server: string, state: OAuthDiscoveryState): void {
  const issuer = (state.authorizationServerMetadata as { issuer?: unknown } | undefined)?.issuer;
  const expected = String(state.authorizationServerUrl);
  if (issuer === undefined || issuer === expected) return;
  const originOnly = (u: string) => (/^https?:\/\/[^/?#]+\/?$/.test(u) ? u.replace(/\/$/, '') : undefined);
  if (typeof issuer === 'string' && originOnly(issuer) !== undefined && originOnly(issuer) === originOnly(expected)) return;
  throw new Error(`the authorization server metadata for server "${server}" names issuer ${String(issuer)}, but it was fetched for ${expected}; they must be the same (RFC 8414), so it is not used`);
}

function mtime(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}
