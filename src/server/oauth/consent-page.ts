/**
 * The consent page (docs/security.md): plain server-rendered HTML, every value escaped, no script, a strict
 * Content-Security-Policy, and no framing (clickjacking). The form posts back to /oauth/authorize with the
 * hidden request id, the approval code and the chosen tags.
 */
import { randomBytes } from 'node:crypto';
import { escapeHtml } from './http.ts';
import type { PendingRequest } from './pending.ts';
import { cspSourceFor } from './redirect-uris.ts';

const STYLE = `body{font:15px/1.45 system-ui,sans-serif;max-width:34rem;margin:2rem auto;padding:0 1rem;color:#222}
h1{font-size:1.3rem}code{background:#f3f3f3;padding:0 .25rem;border-radius:3px}fieldset{border:1px solid #ccc;border-radius:6px;margin:1rem 0}
label{display:block;margin:.25rem 0}input[type=text]{font-size:1.1rem;width:8rem;letter-spacing:.1em}
.buttons{display:flex;gap:.75rem;margin-top:1rem}button{font-size:1rem;padding:.4rem 1.2rem}.note{color:#555;font-size:.9rem}.error{color:#a00}`;

/** Headers of every page the authorization endpoint shows. */
export function pageHeaders(nonce: string, formTarget?: string): Record<string, string> {
  const formAction = ["'self'", ...(formTarget ? [cspSourceFor(formTarget)] : [])].join(' ');
  return {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': `default-src 'none'; style-src 'nonce-${nonce}'; form-action ${formAction}; frame-ancestors 'none'; base-uri 'none'`,
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store',
  };
}

function page(title: string, body: string, nonce: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title><style nonce="${nonce}">${STYLE}</style></head><body>${body}</body></html>`;
}

/** An error the user sees instead of a redirect (the redirect URI is not trusted, or there is none). */
export function errorPage(message: string, status = 400): Response {
  const nonce = randomBytes(16).toString('base64');
  return new Response(page('Cannot connect', `<h1>This client cannot connect</h1><p class="error">${escapeHtml(message)}</p><p class="note">Nothing was approved. Start again from the client.</p>`, nonce), { status, headers: pageHeaders(nonce) });
}

export function consentPage(request: PendingRequest, knownTags: string[], problem?: string): Response {
  const nonce = randomBytes(16).toString('base64');
  const p = request.params;
  const redirectHost = (() => {
    const u = new URL(p.redirectUri);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.host : `${u.protocol}//`;
  })();
  const requested = new Set(p.requestedTags ?? []);
  const tags = [...new Set([...(p.requestedTags ?? []), ...knownTags])].sort();
  const tagBoxes = tags
    .map((t) => `<label><input type="checkbox" name="tag" value="${escapeHtml(t)}"${requested.has(t) ? ' checked' : ''}> servers tagged <code>${escapeHtml(t)}</code></label>`)
    .join('');
  const all = p.requestedTags === undefined ? `<label><input type="checkbox" name="all" value="1"> <strong>all servers</strong> (every tool of every configured server)</label>` : '';
  const codeField = request.approvedLocally
    ? `<p class="note">Approved from the terminal — press Allow to finish.</p>`
    : `<p><label>Approval code (printed by <code>1mcp serve</code> on its log):<br><input type="text" name="approval_code" autocomplete="off" inputmode="numeric" required pattern="[0-9 -]{6,8}" autofocus></label></p>
<p class="note">Or approve from a terminal: <code>1mcp auth approve &lt;code&gt;</code>, then press Allow.</p>`;
  const body = `<h1>Allow “${escapeHtml(p.clientName)}” to use your MCP servers?</h1>
${problem ? `<p class="error">${escapeHtml(problem)}</p>` : ''}
<p>Client: <strong>${escapeHtml(p.clientName)}</strong>${p.clientUri ? ` (<code>${escapeHtml(p.clientUri)}</code>)` : ''}<br>Client ID: <code>${escapeHtml(p.clientId)}</code><br>It will be sent back to: <code>${escapeHtml(redirectHost)}</code></p>
<form method="post" action="${escapeHtml(`${p.issuer}/oauth/authorize`)}">
<input type="hidden" name="request" value="${escapeHtml(request.id)}">
<fieldset><legend>What it may see</legend>${tagBoxes || '<p class="note">No server has a tag yet.</p>'}${all}</fieldset>
${codeField}
<div class="buttons"><button type="submit" name="action" value="allow">Allow</button><button type="submit" name="action" value="deny" formnovalidate>Deny</button></div>
</form>`;
  return new Response(page('Allow access?', body, nonce), { status: problem ? 400 : 200, headers: pageHeaders(nonce, p.redirectUri) });
}
