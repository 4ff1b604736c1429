/**
 * GET/POST /oauth/authorize (docs/security.md). GET checks the request and shows the consent page; the
 * form's POST carries the approval code and the chosen tags. Problems found before the redirect URI is
 * known to be the client's are shown as a page, never redirected (an open redirector helps phishing).
 */
import type { Logger } from '../../log.ts';
import type { ClientInfo } from './cimd.ts';
import { consentPage, errorPage } from './consent-page.ts';
import { readForm } from './http.ts';
import type { IssuedTokens } from './issued.ts';
import { sameResource, type PublicUrls } from './metadata.ts';
import { MAX_WRONG_CODES, normalizeApprovalCode, type AuthorizationParams, type PendingRequests } from './pending.ts';
import { isRegisteredRedirectUri } from './redirect-uris.ts';

export interface AuthorizeDeps {
  resolveClient(clientId: string): Promise<ClientInfo | string>;
  pending: PendingRequests;
  issued: IssuedTokens;
  knownTags(): string[];
  log: Logger;
}

const CHALLENGE = /^[A-Za-z0-9._~-]{43,128}$/;
const TAG_SCOPE = /^tag:(.+)$/;

/** 302 back to the client with `iss` (RFC 9207) and its state. */
export function redirectTo(redirectUri: string, params: Record<string, string | undefined>): Response {
  const url = new URL(redirectUri);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
  return new Response(null, { status: 302, headers: { location: url.toString(), 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' } });
}

export function authorizeEndpoint(deps: AuthorizeDeps) {
  async function show(request: Request, urls: PublicUrls): Promise<Response> {
    const q = new URL(request.url).searchParams;
    for (const key of ['client_id', 'redirect_uri', 'response_type', 'state', 'code_challenge', 'code_challenge_method', 'scope']) {
      if (q.getAll(key).length > 1) return errorPage(`the parameter "${key}" is repeated`);
    }
    const clientId = q.get('client_id');
    if (!clientId) return errorPage('the request has no client_id');
    const client = await deps.resolveClient(clientId);
    if (typeof client === 'string') return errorPage(client);
    let redirectUri = q.get('redirect_uri');
    if (!redirectUri) {
      if (client.redirectUris.length !== 1) return errorPage('the request has no redirect_uri, and the client has several');
      redirectUri = client.redirectUris[0]!;
    }
    if (!isRegisteredRedirectUri(client.redirectUris, redirectUri)) return errorPage(`the redirect_uri ${redirectUri} is not registered for this client`);
    // From here on the redirect URI is the client's own: errors go back to it (RFC 6749 §4.1.2.1).
    const state = q.get('state') ?? undefined;
    const fail = (error: string, description: string) => redirectTo(redirectUri!, { error, error_description: description, state, iss: urls.issuer });
    if (q.get('response_type') !== 'code') return fail('unsupported_response_type', 'response_type must be "code"');
    const challenge = q.get('code_challenge');
    if (!challenge) return fail('invalid_request', 'PKCE is required: send code_challenge with code_challenge_method=S256');
    if (q.get('code_challenge_method') !== 'S256') return fail('invalid_request', 'code_challenge_method must be S256 (plain is not accepted)');
    if (!CHALLENGE.test(challenge)) return fail('invalid_request', 'code_challenge must be 43-128 characters of [A-Za-z0-9._~-]');
    const resources = q.getAll('resource');
    if (resources.length > 1 || (resources.length === 1 && !sameResource(resources[0]!, urls.resource))) {
      return fail('invalid_target', `this server protects only ${urls.resource}`);
    }
    const scope = q.get('scope')?.trim();
    let requestedTags: string[] | undefined;
    if (scope) {
      const known = new Set(deps.knownTags());
      requestedTags = [];
      for (const s of scope.split(/\s+/)) {
        if (s === 'offline_access') continue; // refresh tokens are always issued
        const m = TAG_SCOPE.exec(s);
        if (!m || !known.has(m[1]!)) return fail('invalid_scope', `unknown scope "${s}"; scopes are tag:<name> for the tags of configured servers`);
        requestedTags.push(m[1]!);
      }
      if (requestedTags.length === 0) requestedTags = undefined;
    }
    const params: AuthorizationParams = {
      clientId: client.clientId,
      clientName: client.name ?? client.clientId,
      clientUri: client.uri,
      redirectUri,
      state,
      codeChallenge: challenge,
      resource: urls.resource,
      issuer: urls.issuer,
      requestedTags,
    };
    const pending = deps.pending.add(params);
    deps.log.warn(
      `OAuth: "${oneLine(params.clientName)}" asks to connect${requestedTags ? ` (tags ${requestedTags.join(', ')})` : ''} — approval code ${pending.approvalCode} (valid 10 min; or run: 1mcp auth approve ${pending.approvalCode})`,
    );
    return consentPage(pending, deps.knownTags());
  }

  async function answer(request: Request): Promise<Response> {
    const read = await readForm(request);
    if ('response' in read) return errorPage('the consent form could not be read');
    const form = read.form;
    const pending = deps.pending.get(form.get('request') ?? '');
    if (!pending) return errorPage('this request expired or was already answered');
    const p = pending.params;
    const back = (params: Record<string, string | undefined>) => redirectTo(p.redirectUri, { ...params, state: p.state, iss: p.issuer });
    if (form.get('action') === 'deny') {
      deps.pending.remove(pending.id);
      deps.log.info(`OAuth: denied "${oneLine(p.clientName)}"`);
      return back({ error: 'access_denied', error_description: 'the user denied the request' });
    }
    if (form.get('action') !== 'allow') return consentPage(pending, deps.knownTags(), 'press Allow or Deny');
    if (!pending.approvedLocally) {
      if (deps.pending.codeEntryLocked()) {
        return consentPage(pending, deps.knownTags(), `too many wrong approval codes on this serve lately: approve from a terminal with "1mcp auth approve <code>", then press Allow`);
      }
      const typed = form.get('approval_code') ?? '';
      const code = normalizeApprovalCode(typed);
      if (code !== pending.approvalCode) {
        if (typed.trim()) deps.pending.noteWrongCode();
        pending.wrongCodes++;
        if (pending.wrongCodes >= MAX_WRONG_CODES) {
          deps.pending.remove(pending.id);
          deps.log.warn(`OAuth: request of "${oneLine(p.clientName)}" cancelled after ${MAX_WRONG_CODES} wrong approval codes`);
          return errorPage(`too many wrong approval codes: the request is cancelled`, 403);
        }
        const left = MAX_WRONG_CODES - pending.wrongCodes;
        return consentPage(pending, deps.knownTags(), `wrong approval code (${left} ${left === 1 ? 'try' : 'tries'} left); it is on serve's log (stderr or serve.log)`);
      }
    }
    let tags: string[] | undefined;
    if (pending.approvedLocally?.tags) tags = pending.approvedLocally.tags;
    else if (form.get('all') === '1') {
      if (p.requestedTags) return consentPage(pending, deps.knownTags(), 'the client asked for specific tags: tick those you allow');
      tags = undefined;
    } else {
      const allowed = new Set([...(p.requestedTags ?? []), ...deps.knownTags()]);
      tags = [...new Set(form.getAll('tag'))];
      const bad = tags.find((t) => !allowed.has(t));
      if (bad !== undefined) return consentPage(pending, deps.knownTags(), `unknown tag "${bad}"`);
      if (tags.length === 0) return consentPage(pending, deps.knownTags(), p.requestedTags ? 'tick at least one tag, or press Deny' : 'tick at least one tag or "all servers", or press Deny');
    }
    deps.pending.remove(pending.id);
    const code = deps.issued.newCode({ clientId: p.clientId, clientName: p.clientName, redirectUri: p.redirectUri, codeChallenge: p.codeChallenge, resource: p.resource, tags });
    deps.log.info(`OAuth: approved "${oneLine(p.clientName)}" for ${tags ? `tags ${tags.join(', ')}` : 'all servers'}`);
    return back({ code });
  }

  return { show, answer };
}

/** A client's name goes into a log line: no line breaks or control characters from it. */
export function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]+/g, ' ').slice(0, 120);
}
