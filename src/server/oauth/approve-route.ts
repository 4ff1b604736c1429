/**
 * POST /oauth/approve — what `1mcp auth approve <code> [--tags a,b]` calls. Without a valid proof of the
 * identity key nothing is revealed, not even whether the code exists, so it cannot be used to guess codes.
 */
import { ensureIdentitySecret } from '../../config/identity-secret.ts';
import type { Logger } from '../../log.ts';
import { oneLine } from './authorize.ts';
import { oauthJson, readJson } from './http.ts';
import { normalizeApprovalCode, type PendingRequests } from './pending.ts';
import { checkApprovalProof } from './approval-proof.ts';

export function approveRoute(configDir: string, pending: PendingRequests, knownTags: () => string[], log: Logger) {
  return async (request: Request): Promise<Response> => {
    const read = await readJson(request);
    if ('response' in read) return oauthJson({ error: 'send {"code", "tags"?, "proof"} as JSON' }, 400);
    const body = read.value as { code?: unknown; tags?: unknown; proof?: unknown } | null;
    const code = typeof body?.code === 'string' ? normalizeApprovalCode(body.code) : '';
    const tags = body?.tags === undefined || body.tags === null ? undefined : body.tags;
    if (!code || (tags !== undefined && (!Array.isArray(tags) || tags.length === 0 || tags.some((t) => typeof t !== 'string')))) {
      return oauthJson({ error: 'send {"code", "tags"?, "proof"} as JSON; tags, when given, a non-empty list of names' }, 400);
    }
    if (!checkApprovalProof(ensureIdentitySecret(configDir), code, tags as string[] | undefined, body?.proof)) {
      return oauthJson({ error: 'the approval proof is wrong: run "1mcp auth approve" as the user who runs serve, with the same config dir' }, 403);
    }
    const found = pending.byCode(code);
    if (!found) return oauthJson({ error: `no pending request has the approval code ${code} (it expires after 10 minutes, and a denied or answered one is gone)` }, 404);
    const asked = found.params.requestedTags;
    const known = new Set([...(asked ?? []), ...knownTags()]);
    const unknown = (tags as string[] | undefined)?.find((t) => !known.has(t));
    if (unknown !== undefined) return oauthJson({ error: `unknown tag "${unknown}"; known: ${[...known].sort().join(', ') || '(none)'}` }, 400);
    // Without --tags, the terminal approves what the client asked for; a client that asked for nothing needs --tags.
    const granted = (tags as string[] | undefined) ?? asked;
    if (!granted) return oauthJson({ error: `"${found.params.clientName}" asked for no particular servers: choose with --tags a,b (or tick them on the consent page)` }, 400);
    found.approvedLocally = { tags: granted };
    log.info(`OAuth: approval code ${code} confirmed from the terminal for "${oneLine(found.params.clientName)}" (tags ${granted.join(', ')})`);
    return oauthJson({ client: found.params.clientName, clientId: found.params.clientId, tags: granted });
  };
}
