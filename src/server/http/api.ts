/**
 * The JSON API behind the dashboard (docs/protocol.md): sessions, presets, tokens, OAuth clients, enabling and disabling
 * servers, the budget report per view, and the live log tail (server-sent events). Loaded on first use.
 *
 * Same access rules as the rest of /api (docs/security.md): the Host/Origin guard and the bearer token are
 * checked before a request gets here; every change needs "Content-Type: application/json" (a cross-site
 * form cannot send it). A tag-limited token sees only its servers and sessions and may not edit
 * the configuration (403). Files are written through the same safe writers as the CLI; serve picks
 * mcp.json and presets.json changes up through hot reload, and tokens.json through its watcher.
 */
import { join } from 'node:path';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import type { Backend } from '../../backends/backend.ts';
import type { Pool } from '../../backends/pool.ts';
import type { Catalog } from '../../catalog/catalog.ts';
import type { View, ViewRef } from '../../catalog/view.ts';
import { editMcpFile, requireServer } from '../../config/mcp-edit.ts';
import type { ConfigPaths } from '../../config/paths.ts';
import { editPresetsFile, storedPreset } from '../../config/preset-edit.ts';
import { PRESET_NAME, readPresetsFile, type Preset } from '../../config/presets.ts';
import { redactSecrets } from '../../config/redact.ts';
import { ownEntry, setOwnEntry } from '../../config/own.ts';
import { updateFile } from '../../config/safe-write.ts';
import { isExpired, parseTokensText, readTokensFile, type StoredToken } from '../../config/tokens.ts';
import { OAUTH_CLIENTS_FILE, readClientsFile } from '../../config/oauth-clients.ts';
import { isOneMcpError, OneMcpError } from '../../errors.ts';
import { evaluate, parseFilter, toExpression, tryParseFilter, type FilterAst } from '../../filter/index.ts';
import type { Logger, LogLine } from '../../log.ts';
import { estimateTokens } from '../../search/tokens.ts';
import { metaTools } from '../../search/meta-tools.ts';
import { oauthClientRows, revokeOAuthClient } from '../oauth/client-admin.ts';
import type { SessionTable } from '../sessions/table.ts';
import { compilePreset, presetAst } from '../view-compile.ts';
import type { PresetSource } from '../views.ts';
import type { Authenticator } from './auth.ts';
import { readBody } from './body.ts';
import { json } from './responses.ts';

/** What the API reads and writes of serve (server/serve.ts provides it). */
export interface ApiHost {
  readonly paths: Pick<ConfigPaths, 'dir' | 'mcpJson' | 'presetsJson' | 'tokensJson' | 'backups'>;
  /** `oauth`: serve --enable-auth oauth (OAuth clients can connect). */
  readonly options: { enableConfigReload: boolean; oauth?: boolean };
  readonly pool: Pick<Pool, 'all' | 'get'>;
  readonly catalog: Pick<Catalog, 'tools' | 'tool'>;
  readonly sessions: Pick<SessionTable, 'list'>;
  readonly presets: PresetSource;
  readonly log: Logger;
  readonly authenticator?: Authenticator;
  defaultView(): ViewRef;
}

/** Dashboard edits are small: a preset is a name, an expression and a sentence. */
const MAX_API_BODY = 64 * 1024;

interface Caller {
  /** No token, or a token without tags (bearer or OAuth): sees every server. */
  unrestricted: boolean;
  /**
   * Why this caller may not administer serve (edit the configuration, list tokens or OAuth clients, read the
   * whole log, see others' sessions); undefined when it may — no token, or a bearer token without tags. An
   * OAuth client never may, even one approved for all servers: the consent page grants servers, not serve.
   */
  notAdmin?: { why: string; needs: string };
  sees(tags: readonly string[]): boolean;
  owner?: string;
}

const TAG_LIMITED = { why: 'this token is limited to some servers (tags)', needs: 'a token without tags' };
const OAUTH_CLIENT = { why: "this is an OAuth client's token (OAuth clients use servers, they do not administer serve)", needs: 'a bearer token without tags (1mcp auth token create)' };

function callerOf(token: StoredToken | undefined): Caller {
  const tags = token?.tags?.map((t) => t.toLowerCase()) ?? [];
  const notAdmin = token?.oauthClient ? OAUTH_CLIENT : tags.length > 0 ? TAG_LIMITED : undefined;
  if (tags.length === 0) return { unrestricted: true, notAdmin, sees: () => true, owner: token?.hash };
  return { unrestricted: false, notAdmin, owner: token!.hash, sees: (own) => own.some((t) => tags.includes(t.toLowerCase())) };
}

const problem = (message: string, status: number) => json({ error: message }, status);
/** A fresh response each time: a Response's body can be sent only once. */
const readOnly = (c: Caller) => problem(`${c.notAdmin!.why}: changing the configuration needs ${c.notAdmin!.needs}`, 403);

/** Decode one path segment; undefined when its percent-encoding is malformed. */
function segment(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}

async function jsonBody(request: Request): Promise<Record<string, unknown> | Response> {
  const read = await readBody(request, { limit: MAX_API_BODY });
  if ('status' in read) return problem(read.message, read.status);
  if (read.text.trim() === '') return {};
  try {
    const value = JSON.parse(read.text);
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {}
  return problem('the body must be a JSON object, like {"filter": "web or api"}', 400);
}

/** A filter expression from a request: the parsed form, or a 400 naming the column. */
function filterOf(value: unknown): { expr: string; ast: FilterAst } | Response {
  if (typeof value !== 'string' || value.trim() === '') return problem('"filter" is required: a tag expression such as "web and not test"', 400);
  const parsed = tryParseFilter(value);
  if (!parsed.ok) return json({ error: `invalid filter: ${parsed.error.message}`, column: parsed.error.column }, 400);
  return { expr: value, ast: parsed.ast };
}

function optionalText(value: unknown, field: string): string | undefined | Response {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length > 500) return problem(`"${field}" must be text of at most 500 characters`, 400);
  return value;
}

/** A write that failed on the file's side (it is invalid on disk, locked, not ours) is a conflict the user must fix. */
function writeFailed(error: unknown): Response {
  if (isOneMcpError(error)) return problem(error.message, error.isClientError ? error.httpStatus : 409);
  throw error;
}

/** The expression of a preset: as the user typed it, else rebuilt from 1MCP's tagQuery; undefined when unreadable. */
function expressionOf(preset: Preset): string | undefined {
  try {
    return preset.filter ?? toExpression(presetAst(preset));
  } catch {
    return undefined;
  }
}

/** Tool count and estimated tokens of a view's tool list, in total and per server. */
function budgetOf(host: ApiHost, view: View) {
  const tools = host.catalog.tools(view);
  const byServer = new Map<string, Tool[]>();
  for (const tool of tools) {
    const server = host.catalog.tool(tool.name, view)?.backend.name ?? '?';
    const list = byServer.get(server);
    if (list) list.push(tool);
    else byServer.set(server, [tool]);
  }
  return {
    tools: tools.length,
    tokens: estimateTokens(tools),
    searchModeTokens: estimateTokens(metaTools()),
    servers: [...byServer].map(([name, list]) => ({ name, tools: list.length, tokens: estimateTokens(list) })),
  };
}

function serversMatching(host: ApiHost, ast: FilterAst, caller: Caller) {
  return host.pool
    .all()
    .filter((b) => caller.sees(b.config.tags) && evaluate(ast, b.config.tags))
    .map((b) => ({ name: b.name, tags: b.config.tags, disabled: b.state === 'disabled' }));
}

function sessionsOf(host: ApiHost, caller: Caller) {
  const now = Date.now();
  return host.sessions
    .list()
    .filter(([, e]) => !caller.notAdmin || e.session.owner === caller.owner)
    .map(([id, e]) => {
      const client = e.session.server.getClientVersion();
      return {
        id,
        transport: e.kind,
        era: e.session.labels.era,
        client: client ? `${client.name} ${client.version}` : undefined,
        app: e.session.labels.app,
        tokenName: e.session.labels.tokenName,
        view: e.session.view.label,
        ageSeconds: Math.round((now - (e.openedAt ?? now)) / 1000),
        idleSeconds: Math.round((now - e.session.lastActive) / 1000),
        busy: (e.inFlight ?? 0) > 0,
      };
    });
}

/** An open log stream and the token hash that opened it (auth on). */
interface Follower {
  owner?: string;
  end(): void;
}

/** The live log tail: the recent lines, then each new one, as server-sent events (secrets redacted). */
function logStream(host: ApiHost, request: Request, followers: Set<Follower>, owner?: string): Response {
  const subscribe = host.log.subscribe?.bind(host.log);
  if (!subscribe) return problem('this serve keeps no log to follow', 404);
  const encoder = new TextEncoder();
  let stop = () => {};
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      const write = (text: string) => {
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          stop(); // the reader went away
        }
      };
      const send = (line: LogLine) => write(`event: log\ndata: ${JSON.stringify({ ...line, message: redactSecrets(line.message) })}\n\n`);
      const following = subscribe(send);
      // A comment now and then keeps proxies and idle timers from closing a quiet stream.
      const keepAlive = setInterval(() => write(': keep-alive\n\n'), 15_000);
      keepAlive.unref?.();
      const follower: Follower = {
        owner,
        end: () => {
          stop();
          try {
            controller.close();
          } catch {}
        },
      };
      followers.add(follower);
      stop = () => {
        following.stop();
        clearInterval(keepAlive);
        followers.delete(follower);
      };
      write(': 1mcp log\n\n');
      for (const line of following.recent) send(line);
      request.signal?.addEventListener('abort', follower.end);
    },
    cancel() {
      stop();
    },
  });
  return new Response(stream, { headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-store', 'x-accel-buffering': 'no' } });
}

export function apiRoutes(host: ApiHost) {
  // A revoked or expired token stops receiving the log at once, like its MCP sessions end.
  const followers = new Set<Follower>();
  host.authenticator?.onInvalidated((valid) => {
    for (const f of followers) if (f.owner !== undefined && !valid(f.owner)) f.end();
  });
  const applied = () => (host.options.enableConfigReload ? 'serve applies it now (hot reload)' : 'hot reload is off: restart serve to apply it');

  async function setDisabled(name: string, disabled: boolean, caller: Caller): Promise<Response> {
    if (caller.notAdmin) return readOnly(caller);
    const backend = host.pool.get(name);
    if (!backend) return problem(`no server named "${name}"`, 404);
    try {
      const result = editMcpFile(host.paths.mcpJson, host.paths.backups, (raw) => {
        const server = requireServer(raw, name);
        if (disabled) server.disabled = true;
        else delete server.disabled;
        return { value: undefined, touched: [name] };
      });
      host.log.info(`dashboard: ${disabled ? 'disabled' : 'enabled'} ${name} in mcp.json`);
      return json({ server: name, disabled, changed: result.changed, message: `${name} ${disabled ? 'disabled' : 'enabled'} in mcp.json; ${applied()}`, notes: result.notes });
    } catch (error) {
      return writeFailed(error);
    }
  }

  function listPresets(caller: Caller) {
    let file;
    try {
      file = readPresetsFile(host.paths.presetsJson);
    } catch (error) {
      return writeFailed(error);
    }
    return json({
      presets: Object.values(file.presets).map((p) => {
        const expr = expressionOf(p);
        const ast = expr === undefined ? undefined : tryParseFilter(expr);
        return {
          name: p.name,
          description: p.description,
          filter: expr,
          created: p.created,
          lastModified: p.lastModified,
          servers: ast?.ok ? serversMatching(host, ast.ast, caller).map((s) => s.name) : [],
          invalid: !ast?.ok,
        };
      }),
    });
  }

  async function savePreset(request: Request, name: string | undefined, caller: Caller): Promise<Response> {
    if (caller.notAdmin) return readOnly(caller);
    const body = await jsonBody(request);
    if (body instanceof Response) return body;
    const creating = name === undefined;
    const presetName = creating ? body.name : name;
    if (typeof presetName !== 'string' || !PRESET_NAME.test(presetName)) return problem(`invalid preset name ${JSON.stringify(presetName ?? '')}: use 1-50 letters, digits, '_' or '-'`, 400);
    const description = optionalText(body.description, 'description');
    if (description instanceof Response) return description;
    const filter = creating || body.filter !== undefined ? filterOf(body.filter) : undefined;
    if (filter instanceof Response) return filter;
    try {
      editPresetsFile(host.paths, (presets) => {
        const current = ownEntry(presets, presetName);
        if (creating && current) throw new OneMcpError(`preset "${presetName}" already exists; edit it instead`, { httpStatus: 409 });
        if (!creating && !current) throw new OneMcpError(`no preset named "${presetName}"`, { httpStatus: 404 });
        const expr = filter?.expr ?? expressionOf(current!) ?? '';
        const ast = filter?.ast ?? parseFilter(expr);
        setOwnEntry(presets, presetName, { ...(current ?? {}), ...storedPreset(presetName, expr, ast, description ?? current?.description, current?.created) });
      });
    } catch (error) {
      return writeFailed(error);
    }
    host.log.info(`dashboard: ${creating ? 'created' : 'updated'} preset ${presetName}`);
    return json({ preset: presetName, message: `preset ${presetName} ${creating ? 'created' : 'updated'}; open sessions using it see the change at once` }, creating ? 201 : 200);
  }

  function deletePreset(name: string, caller: Caller): Response {
    if (caller.notAdmin) return readOnly(caller);
    let found = false;
    try {
      editPresetsFile(host.paths, (presets) => {
        found = !!ownEntry(presets, name);
        if (found) delete presets[name];
      });
    } catch (error) {
      return writeFailed(error);
    }
    if (!found) return problem(`no preset named "${name}"`, 404);
    host.log.info(`dashboard: deleted preset ${name}`);
    return json({ deleted: name });
  }

  function listTokens(caller: Caller): Response {
    if (caller.notAdmin) return problem(`${caller.notAdmin.why}: listing tokens needs ${caller.notAdmin.needs}`, 403);
    try {
      const tokens = Object.values(readTokensFile(host.paths.tokensJson).tokens).map((t) => ({
        name: t.name,
        tags: t.tags,
        created: t.created,
        expires: t.expires,
        expired: isExpired(t),
        current: t.hash === caller.owner,
      }));
      return json({ tokens });
    } catch (error) {
      return writeFailed(error);
    }
  }

  function revokeToken(name: string, caller: Caller): Response {
    if (caller.notAdmin) return readOnly(caller);
    let found = false;
    try {
      updateFile(host.paths.tokensJson, host.paths.backups, (text) => {
        const file = parseTokensText(text, host.paths.tokensJson);
        found = !!ownEntry(file.tokens, name);
        if (!found) return undefined;
        delete file.tokens[name];
        return `${JSON.stringify(file, null, 2)}\n`;
      });
    } catch (error) {
      return writeFailed(error);
    }
    if (!found) return problem(`no token named "${name}"`, 404);
    host.log.info(`dashboard: revoked token ${name}`);
    return json({ revoked: name, message: `token ${name} revoked; serve refuses it from now on and its sessions are closed` });
  }

  // OAuth clients (serve --enable-auth oauth): listed and revoked like tokens. Pending consent requests and their
  // approval codes are never shown here: the code proves the person reads serve's own log (docs/security.md).
  const oauthOff = 'serve runs without --enable-auth oauth, so no OAuth client can connect; start it with --enable-auth oauth to accept them';

  function listOAuthClients(caller: Caller): Response {
    if (caller.notAdmin) return problem(`${caller.notAdmin.why}: listing OAuth clients needs ${caller.notAdmin.needs}`, 403);
    if (!host.options.oauth) return json({ clients: [], hint: oauthOff });
    try {
      return json({ clients: oauthClientRows(readClientsFile(join(host.paths.dir, OAUTH_CLIENTS_FILE))) });
    } catch (error) {
      return writeFailed(error);
    }
  }

  function revokeOAuth(clientId: string, caller: Caller): Response {
    if (caller.notAdmin) return readOnly(caller);
    if (!host.options.oauth) return problem(`${oauthOff}; "1mcp auth clients revoke" edits the file without it`, 409);
    let removed;
    try {
      removed = revokeOAuthClient(join(host.paths.dir, OAUTH_CLIENTS_FILE), host.paths.backups, clientId, { exactId: true });
    } catch (error) {
      return writeFailed(error);
    }
    host.log.info(`dashboard: revoked OAuth client ${clientId} (${removed.grants} approval${removed.grants === 1 ? '' : 's'})`);
    return json({ revoked: clientId, approvals: removed.grants, message: `OAuth client ${clientId} revoked; serve refuses its tokens from now on and its sessions are closed` });
  }

  function budget(caller: Caller): Response {
    const views: { name: string; kind: string; view: View }[] = [{ name: 'all servers', kind: 'all', view: { key: '*', label: 'all servers', includes: () => true } }];
    const fallback = host.defaultView().current();
    if (fallback.key !== '*') views.push({ name: fallback.label, kind: 'default', view: fallback });
    for (const name of host.presets.names()) {
      const preset = host.presets.get(name);
      if (!preset) continue;
      try {
        views.push({ name, kind: 'preset', view: compilePreset(preset) });
      } catch {}
    }
    // A tag-limited token's views are narrowed to its servers, as its sessions are.
    const narrowed = views.map((v) => ({ ...v, view: caller.unrestricted ? v.view : { ...v.view, key: `${v.view.key}|scoped`, includes: (tags: readonly string[]) => caller.sees(tags) && v.view.includes(tags) } }));
    return json({ views: narrowed.map((v) => ({ name: v.name, kind: v.kind, ...budgetOf(host, v.view) })) });
  }

  function resources(backend: Backend): Response {
    return json({
      server: backend.name,
      resources: backend.lists.resources.map((r) => ({ uri: r.uri, name: r.name, mimeType: r.mimeType })),
      templates: backend.lists.resourceTemplates.map((t) => ({ uriTemplate: t.uriTemplate, name: t.name })),
    });
  }

  return {
    /** The answer to an /api request these routes own, or undefined for the others. */
    async route(request: Request, path: string, token?: StoredToken): Promise<Response | undefined> {
      const caller = callerOf(token);
      const method = request.method;
      // Any change needs the JSON type (POST is also checked at the edge; PUT and DELETE here).
      if (method !== 'GET' && method !== 'HEAD' && !(request.headers.get('content-type') ?? '').toLowerCase().includes('application/json')) {
        return problem(`Unsupported Media Type: ${method} /api/* requires "Content-Type: application/json"`, 415);
      }
      if (path === '/api/sessions' && method === 'GET') return json({ sessions: sessionsOf(host, caller) });
      if (path === '/api/budget' && method === 'GET') return budget(caller);
      if (path === '/api/logs/stream' && method === 'GET') {
        if (caller.notAdmin) return problem(`${caller.notAdmin.why}: the log covers all servers and needs ${caller.notAdmin.needs}`, 403);
        return logStream(host, request, followers, caller.owner);
      }
      if (path === '/api/filter-preview' && method === 'GET') {
        // An expression being typed is often incomplete: that is an answer (ok: false), not a failed request.
        const parsed = tryParseFilter(new URL(request.url).searchParams.get('filter') ?? '');
        if (!parsed.ok) return json({ ok: false, error: `invalid filter: ${parsed.error.message}`, column: parsed.error.column });
        return json({ ok: true, filter: toExpression(parsed.ast), servers: serversMatching(host, parsed.ast, caller) });
      }
      if (path === '/api/presets') {
        if (method === 'GET') return listPresets(caller);
        if (method === 'POST') return savePreset(request, undefined, caller);
        return problem('Method not allowed: GET or POST', 405);
      }
      const preset = /^\/api\/presets\/([^/]+)$/.exec(path);
      if (preset) {
        const name = segment(preset[1]!);
        if (name === undefined) return problem('malformed percent-encoding in the preset name', 400);
        if (method === 'PUT') return savePreset(request, name, caller);
        if (method === 'DELETE') return deletePreset(name, caller);
        return problem('Method not allowed: PUT or DELETE', 405);
      }
      if (path === '/api/tokens' && method === 'GET') return listTokens(caller);
      const revoke = /^\/api\/tokens\/([^/]+)\/revoke$/.exec(path);
      if (revoke) {
        if (method !== 'POST') return problem('Method not allowed: POST', 405);
        const name = segment(revoke[1]!);
        return name === undefined ? problem('malformed percent-encoding in the token name', 400) : revokeToken(name, caller);
      }
      if (path === '/api/oauth/clients' && method === 'GET') return listOAuthClients(caller);
      const oauthRevoke = /^\/api\/oauth\/clients\/([^/]+)\/revoke$/.exec(path);
      if (oauthRevoke) {
        if (method !== 'POST') return problem('Method not allowed: POST', 405);
        const id = segment(oauthRevoke[1]!);
        return id === undefined ? problem('malformed percent-encoding in the client ID', 400) : revokeOAuth(id, caller);
      }
      const toggle = /^\/api\/servers\/([^/]+)\/(enable|disable)$/.exec(path);
      if (toggle) {
        if (method !== 'POST') return problem('Method not allowed: POST', 405);
        const name = segment(toggle[1]!);
        return name === undefined ? problem('malformed percent-encoding in the server name', 400) : setDisabled(name, toggle[2] === 'disable', caller);
      }
      const listed = /^\/api\/servers\/([^/]+)\/resources$/.exec(path);
      if (listed && method === 'GET') {
        const backend = host.pool.get(segment(listed[1]!) ?? '');
        return backend && caller.sees(backend.config.tags) ? resources(backend) : problem(`no server named "${segment(listed[1]!) ?? listed[1]}"`, 404);
      }
      return undefined;
    },
  };
}
