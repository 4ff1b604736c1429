/**
 * `1mcp mcp auth <name>` — log in to an OAuth-protected remote server (authorization code + PKCE,
 * loopback redirect), save the tokens in `<config>/oauth/<name>.json` and have the running serve
 * reconnect that server. `--logout` forgets the login. See docs/security.md.
 */
import { randomBytes } from 'node:crypto';
import { auth, extractWWWAuthenticateParams } from '@modelcontextprotocol/sdk/client/auth.js';
import { listenForCallback } from '../backends/auth/callback.ts';
import { scopeUnion } from '../backends/auth/challenge.ts';
import { StoredOAuthProvider } from '../backends/auth/provider.ts';
import { readMcpFile, validateMcpConfig } from '../config/mcp-config.ts';
import type { ServerConfig } from '../config/mcp-schema.ts';
import { deleteOAuthRecord, readOAuthRecord, type OAuthRecord } from '../config/oauth-store.ts';
import type { ConfigPaths } from '../config/paths.ts';
import { OneMcpError } from '../errors.ts';
import { openBrowser } from '../runtime/open-browser.ts';
import { VERSION } from '../version.ts';
import { commandContext } from './context.ts';
import { color, note, print } from './output.ts';
import { findServeTarget, serveApi, ServeApiError } from './serve-client.ts';

export async function mcpAuth([name]: string[], options: Record<string, any>): Promise<number> {
  const { paths } = commandContext(options);
  const server = remoteServer(paths, name!);
  if (options.logout) return logout(server, paths, options);
  return login(server, paths, options);
}

/** The server entry, as serve would run it (${VAR}s resolved); only remote servers log in. */
function remoteServer(paths: ConfigPaths, name: string): ServerConfig & { url: string; oauthFile: string } {
  const configs = validateMcpConfig(readMcpFile(paths.mcpJson).raw, paths.mcpJson, { resolveDisabled: true });
  const server = configs.find((c) => c.name === name);
  if (!server) throw new OneMcpError(`no server named "${name}" in ${paths.mcpJson}; "1mcp mcp list" shows the servers`);
  if (server.type === 'stdio' || !server.url || !server.oauthFile) {
    throw new OneMcpError(`server "${name}" runs a local command; OAuth logins are for remote (http or sse) servers`);
  }
  if (server.configProblem) throw new OneMcpError(server.configProblem);
  return server as ServerConfig & { url: string; oauthFile: string };
}

async function login(server: ServerConfig & { url: string; oauthFile: string }, paths: ConfigPaths, options: Record<string, any>): Promise<number> {
  if (Object.keys(server.headers).some((h) => h.toLowerCase() === 'authorization')) {
    throw new OneMcpError(`server "${server.name}" sends its own Authorization header ("headers" in ${paths.mcpJson}); remove it to use an OAuth login instead`);
  }
  const stored = readOAuthRecord(server.oauthFile, server.url);
  const storedRedirect = (stored?.client?.redirect_uris as string[] | undefined)?.[0];
  // The port of an earlier registration, so its redirect URI still matches (servers that compare ports).
  const preferredPort = options.port ?? (storedRedirect ? Number(new URL(storedRedirect).port) || 0 : 0);
  const callback = await listenForCallback(preferredPort, options.port === undefined);
  try {
    let authorizationUrl: URL | undefined;
    const state = randomBytes(24).toString('base64url');
    const provider = new StoredOAuthProvider(
      { name: server.name, url: server.url, oauthFile: server.oauthFile, oauth: server.oauth },
      { kind: 'login', redirectUrl: callback.redirectUrl, state, onAuthorizationUrl: (url) => (authorizationUrl = url) },
    );
    // A registration made for another redirect URI is of no use now: register again.
    if (!server.oauth?.clientId && storedRedirect && storedRedirect !== callback.redirectUrl) provider.invalidateCredentials('client');
    const challenge = withStoredChallenge(await probe(server), stored?.challenge);
    const started = await auth(provider, { serverUrl: server.url, ...challenge });
    if (started === 'REDIRECT') {
      const url = authorizationUrl!;
      print(`Open this link to log in to ${color.bold(server.name)}:\n\n  ${url.href}\n`);
      if (!options.browser || !openBrowser(url.href)) note(color.dim('(open it in a browser on this machine; the answer comes back to this command)'));
      note(color.dim(`Waiting for the login (callback on ${callback.redirectUrl}; Ctrl+C to stop)…`));
      const metadata = provider.discoveryState()?.authorizationServerMetadata as { issuer?: string; authorization_response_iss_parameter_supported?: boolean } | undefined;
      const code = await callback.code({
        state,
        issuer: metadata?.issuer,
        issRequired: metadata?.authorization_response_iss_parameter_supported === true,
        timeoutMs: (options.timeout ?? 300) * 1000,
      });
      await auth(provider, { serverUrl: server.url, authorizationCode: code, ...challenge });
    }
  } finally {
    await callback.close();
  }
  print(`Logged in to ${color.bold(server.name)}; the tokens are in ${server.oauthFile} (readable only by you).`);
  await reconnect(server.name, paths, options);
  return 0;
}

/** Ask the server once without a token: its 401 names the resource metadata and the scope it wants. */
async function probe(server: ServerConfig & { url: string }): Promise<{ resourceMetadataUrl?: URL; scope?: string }> {
  const initialize = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: '1mcp', version: VERSION } } };
  let response: Response;
  try {
    response = await fetch(server.url, {
      method: 'POST',
      headers: { ...server.headers, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify(initialize),
      signal: AbortSignal.timeout(server.connectionTimeout),
    });
  } catch (error) {
    throw new OneMcpError(`cannot reach server "${server.name}" at ${server.url}: ${(error as Error).message}`);
  }
  await response.body?.cancel().catch(() => {});
  if (response.status !== 401) return {};
  const { resourceMetadataUrl, scope } = extractWWWAuthenticateParams(response);
  return { resourceMetadataUrl, ...(scope ? { scope } : {}) };
}

/** Add what the server asked serve for (a step-up scope, a request after initialize): the login asks for that too. */
function withStoredChallenge(probed: { resourceMetadataUrl?: URL; scope?: string }, stored: OAuthRecord['challenge']): { resourceMetadataUrl?: URL; scope?: string } {
  const scope = scopeUnion(stored?.scope, probed.scope);
  const resourceMetadataUrl = probed.resourceMetadataUrl ?? (stored?.resourceMetadataUrl ? new URL(stored.resourceMetadataUrl) : undefined);
  return { ...(resourceMetadataUrl ? { resourceMetadataUrl } : {}), ...(scope ? { scope } : {}) };
}

async function logout(server: ServerConfig & { oauthFile: string }, paths: ConfigPaths, options: Record<string, any>): Promise<number> {
  const record = readOAuthRecord(server.oauthFile);
  if (record) await revokeAtServer(record).catch(() => {});
  // A file that holds only what the server asked for (kept by serve for the next login) is no login.
  const hadLogin = Boolean(record?.tokens || record?.client);
  if (!deleteOAuthRecord(server.oauthFile) || !hadLogin) {
    print(`No login saved for ${color.bold(server.name)}.`);
    return 0;
  }
  print(`Logged out of ${color.bold(server.name)}; ${server.oauthFile} is deleted.`);
  await reconnect(server.name, paths, options);
  return 0;
}

/** Best effort (RFC 7009): tell the authorization server the tokens are no longer wanted. */
async function revokeAtServer(record: NonNullable<ReturnType<typeof readOAuthRecord>>): Promise<void> {
  const endpoint = (record.discovery?.authorizationServerMetadata as { revocation_endpoint?: string } | undefined)?.revocation_endpoint;
  const clientId = record.client?.client_id;
  if (!endpoint || !clientId || !record.tokens) return;
  for (const token of [record.tokens.refresh_token, record.tokens.access_token]) {
    if (!token) continue;
    await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token, client_id: clientId }),
      signal: AbortSignal.timeout(5000),
    });
  }
}

/** The running serve reconnects this server now (no serve restart); without a serve, the next start uses the login. */
async function reconnect(name: string, paths: ConfigPaths, options: Record<string, any>): Promise<void> {
  const target = await findServeTarget(paths, options.token);
  if (!target) {
    note(color.dim(`No running 1mcp serve found for ${paths.dir}; serve uses this when it starts.`));
    return;
  }
  try {
    await serveApi(target, `/api/servers/${encodeURIComponent(name)}/restart`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    note(`serve at ${target.origin} is reconnecting ${name}.`);
  } catch (error) {
    if (error instanceof ServeApiError && error.status === 404) {
      note(color.dim(`serve at ${target.origin} does not run "${name}" (yet); it uses the login when it does.`));
      return;
    }
    throw new OneMcpError(`saved, but serve could not be told to reconnect "${name}": ${(error as Error).message}; run "1mcp mcp restart ${name}"`);
  }
}
