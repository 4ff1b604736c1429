/**
 * `1mcp auth approve <code>` and `1mcp auth clients list|revoke` (docs/security.md): the terminal side of
 * `serve --enable-auth oauth`.
 */
import { join } from 'node:path';
import { OAUTH_CLIENTS_FILE, readClientsFile } from '../config/oauth-clients.ts';
import { readIdentitySecret } from '../config/identity-secret.ts';
import { OneMcpError, UsageError } from '../errors.ts';
import { parseTagList } from '../filter/index.ts';
import { approvalProof } from '../server/oauth/approval-proof.ts';
import { revokeOAuthClient } from '../server/oauth/client-admin.ts';
import { normalizeApprovalCode } from '../server/oauth/pending.ts';
import { commandContext } from './context.ts';
import { color, print, printJson, table } from './output.ts';
import { runningServe } from './serve-running.ts';
import { START_HINT, ServeUnreachableError } from './serve-client.ts';

export async function approve([code]: string[], options: Record<string, any>): Promise<number> {
  const { paths } = commandContext(options);
  if (!code) throw new UsageError('usage: 1mcp auth approve <code> [--tags a,b] (the code is on serve\'s log)');
  const normalized = normalizeApprovalCode(code);
  if (!/^\d{3}-\d{3}$/.test(normalized)) throw new UsageError(`"${code}" is not an approval code; it looks like 493-118 and is printed by serve`);
  const tags = options.tags !== undefined ? parseTagList(String(options.tags)) : undefined;
  if (tags !== undefined && tags.length === 0) throw new UsageError(`--tags needs at least one tag (got "${options.tags}")`);
  const info = await runningServe(paths.pidFile);
  if (!info) throw new ServeUnreachableError(`no serve is running on ${paths.dir}; ${START_HINT}`);
  const key = readIdentitySecret(paths.dir);
  if (!key) throw new OneMcpError(`cannot read the identity key in ${paths.dir}; run this as the user who runs serve`);
  // The address serve is bound to: its advertised URL may be a reverse proxy's.
  const bound = info.host ?? '';
  const host = bound === '0.0.0.0' || bound === '' ? '127.0.0.1' : bound === '::' ? '[::1]' : bound.includes(':') ? `[${bound}]` : bound;
  const base = typeof info.port === 'number' ? `http://${host}:${info.port}` : new URL(info.url).origin;
  let response: Response;
  try {
    response = await fetch(`${base}/oauth/approve`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: normalized, ...(tags ? { tags } : {}), proof: approvalProof(key, normalized, tags) }),
      signal: AbortSignal.timeout(10_000),
    });
  } catch (error) {
    throw new ServeUnreachableError(`serve at ${base} did not answer: ${(error as Error).message}`);
  }
  const body = (await response.json().catch(() => ({}))) as { error?: string; client?: string; tags?: string[] };
  if (response.status === 404 && !body.error) throw new OneMcpError(`serve at ${base} does not take OAuth approvals: start it with --enable-auth oauth`);
  if (!response.ok) throw new OneMcpError(body.error ?? `serve answered ${response.status}`);
  print(`Approved ${color.bold(body.client ?? 'the client')} for servers tagged ${(body.tags ?? []).join(', ')}. Press Allow on the consent page to finish.`);
  return 0;
}

export async function clients([action, who]: string[], options: Record<string, any>): Promise<number> {
  const { paths } = commandContext(options);
  const path = join(paths.dir, OAUTH_CLIENTS_FILE);
  switch (action) {
    case 'list': {
      const file = readClientsFile(path);
      const rows = Object.values(file.grants).map((g) => ({ client: g.clientName, clientId: g.clientId, tags: g.tags ?? null, created: g.created, lastUsed: g.lastUsed, grant: g.id }));
      const waiting = Object.values(file.clients).filter((c) => !rows.some((r) => r.clientId === c.clientId));
      if (options.json) {
        printJson({ approved: rows, registered: waiting.map((c) => ({ client: c.name ?? c.clientId, clientId: c.clientId, redirectUris: c.redirectUris, created: c.created })) });
        return 0;
      }
      if (rows.length === 0 && waiting.length === 0) {
        print('No OAuth clients. They appear here once you approve one (serve --enable-auth oauth).');
        return 0;
      }
      if (rows.length) print(table(['CLIENT', 'TAGS', 'APPROVED', 'LAST USED', 'CLIENT ID'], rows.map((r) => [r.client, r.tags?.join(',') ?? '(all)', r.created.slice(0, 19), r.lastUsed.slice(0, 19), r.clientId])));
      if (waiting.length) print(`${rows.length ? '\n' : ''}Registered, not approved: ${waiting.map((c) => `${c.name ?? c.clientId} (${c.clientId})`).join(', ')}`);
      return 0;
    }
    case 'revoke': {
      if (!who) throw new UsageError('usage: 1mcp auth clients revoke <client name or client id>');
      const removed = revokeOAuthClient(path, paths.backups, who);
      print(`Revoked ${color.bold(who)} (${removed.grants} approval${removed.grants === 1 ? '' : 's'}). A running serve refuses its tokens and closes its sessions now.`);
      return 0;
    }
    default:
      throw new UsageError('usage: 1mcp auth clients list [--json] | revoke <client>');
  }
}
