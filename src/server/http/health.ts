/**
 * /health*, the runtime identity, and the small JSON API used by `1mcp mcp status|restart` (docs/protocol.md).
 * With --enable-auth, everything that names servers is scoped by the request's token (docs/security.md):
 * a token with tags sees, and restarts, only servers carrying one of them; other servers answer 404
 * exactly as if they did not exist. Backend stderr and errors are shown with secrets redacted.
 */
import type { Backend } from '../../backends/backend.ts';
import type { Pool } from '../../backends/pool.ts';
import type { Catalog } from '../../catalog/catalog.ts';
import type { StoredToken } from '../../config/tokens.ts';
import { redactSecrets } from '../../config/redact.ts';
import { OneMcpError } from '../../errors.ts';
import { exposedName } from '../../catalog/names.ts';
import type { SessionTable } from '../sessions/table.ts';
import type { Authenticator } from './auth.ts';
import { runtimeIdentity, type IdentitySource } from './identity.ts';
import { json, text } from './responses.ts';

export type HealthLevel = 'minimal' | 'basic' | 'full';

/** What these routes read of serve (server/serve.ts provides it). */
export interface HealthSource extends IdentitySource {
  readonly startedAt: number;
  readonly options: { host: string; healthInfoLevel: HealthLevel };
  readonly pool: Pick<Pool, 'all' | 'get'>;
  readonly catalog: Pick<Catalog, 'problems'>;
  readonly sessions: Pick<SessionTable, 'size' | 'busy' | 'countOwnedBy'>;
  /** Why the last reload of mcp.json was rejected, if it was. */
  readonly configError?: string;
  readonly authenticator?: Authenticator;
}

/** What one request may see. */
interface Scope {
  /** A token without tags, or auth off: everything, config problems included. */
  unrestricted: boolean;
  sees(backend: Backend): boolean;
  /** The token's hash, to count its own sessions. */
  owner?: string;
}

const EVERYTHING_SCOPE: Scope = { unrestricted: true, sees: () => true };

function scopeOf(token: StoredToken | undefined): Scope {
  if (!token) return EVERYTHING_SCOPE;
  const tags = token.tags?.map((t) => t.toLowerCase()) ?? [];
  if (tags.length === 0) return { unrestricted: true, sees: () => true, owner: token.hash };
  return { unrestricted: false, owner: token.hash, sees: (b) => (b.config.tags ?? []).some((t) => tags.includes(t.toLowerCase())) };
}

function statusOf(backend: Backend) {
  const s = backend.status();
  return s.lastError ? { ...s, lastError: redactSecrets(s.lastError) } : s;
}

const stderrTail = (backend: Backend, lines: number) => backend.stderr.tail(lines).map(redactSecrets);

/** Decode a server name taken from the path; a malformed escape is the client's error (400). */
function serverName(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new OneMcpError(`Bad Request: malformed percent-encoding in "${raw}"`, { httpStatus: 400 });
  }
}

function healthBody(serve: HealthSource, level: HealthLevel, scope: Scope = EVERYTHING_SCOPE) {
  const backends = serve.pool.all().filter(scope.sees);
  const enabled = backends.filter((b) => b.state !== 'disabled');
  const count = (...states: string[]) => enabled.filter((b) => states.includes(b.state)).length;
  const connected = count('connected');
  const status = enabled.length === 0 || connected === enabled.length ? 'healthy' : connected === 0 && count('starting') === 0 ? 'unhealthy' : 'degraded';
  const body: Record<string, unknown> = {
    status,
    version: serve.version,
    uptimeSeconds: Math.round((Date.now() - serve.startedAt) / 1000),
    servers: { total: enabled.length, connected, failed: count('error', 'crash-loop', 'restarting'), starting: count('starting'), awaitingAuth: count('awaiting-auth') },
  };
  if (level !== 'minimal') {
    body.serverStates = Object.fromEntries(
      backends.map((b) => {
        const s = statusOf(b);
        return [b.name, level === 'full' ? { ...s, stderrTail: stderrTail(b, 20) } : { state: s.state, type: s.type, tools: s.tools }];
      }),
    );
  }
  if (level === 'full') {
    body.sessions = scope.unrestricted ? serve.sessions.size : serve.sessions.countOwnedBy(scope.owner ?? '');
    // Sessions with a call in progress: these are never evicted to make room (serve --max-sessions).
    if (scope.unrestricted) body.busySessions = serve.sessions.busy;
    body.memory = { rssBytes: process.memoryUsage().rss };
    body.pid = process.pid;
    body.configDir = serve.configDir;
    body.problems = problems(serve, scope);
  }
  return body;
}

/** Catalog problems of the servers in scope, and — for an unrestricted caller — why mcp.json is not loaded. */
function problems(serve: HealthSource, scope: Scope): { server?: string; message: string }[] {
  const visible = new Set(serve.pool.all().filter(scope.sees).map((b) => b.name));
  const list: { server?: string; message: string }[] = serve.catalog.problems.filter((p) => visible.has(p.server));
  if (serve.configError && scope.unrestricted) {
    list.unshift({ message: `mcp.json was not reloaded: ${redactSecrets(serve.configError)}; serve keeps running the previous configuration until the file is fixed` });
  }
  return list;
}

export function healthRoutes(serve: HealthSource) {
  const authOn = () => !!serve.authenticator;
  /** The backend named in the path, if it exists and the caller may see it. */
  const visibleBackend = (raw: string, scope: Scope) => {
    const backend = serve.pool.get(serverName(raw));
    return backend && scope.sees(backend) ? backend : undefined;
  };
  const noSuchServer = (raw: string) => json({ error: `no server named "${serverName(raw)}"` }, 404);
  return {
    live: () => json({ status: 'alive' }),
    /** `token`: the request's valid bearer token (auth on), if it sent one. */
    async route(request: Request, path: string, token?: StoredToken): Promise<Response | undefined> {
      const scope = scopeOf(token);
      if (request.method === 'GET' && path === '/health') {
        // With auth on, details (basic/full) are for token holders; monitors still get the minimal body.
        const level = authOn() && !token ? 'minimal' : serve.options.healthInfoLevel;
        const body = healthBody(serve, level, scope);
        return json(body, body.status === 'unhealthy' ? 503 : 200);
      }
      if (request.method === 'GET' && path === '/health/ready') {
        const pending = serve.pool.all().filter((b) => b.state === 'starting' || b.state === 'restarting');
        if (pending.length === 0) return json({ ready: true });
        // Server names are details: without auth they are shown, with auth they are not (this route is open).
        return json(authOn() ? { ready: false, waiting: pending.length } : { ready: false, waitingFor: pending.map((b) => b.name) }, 503);
      }
      if (request.method === 'GET' && path === '/health/mcp') {
        return json({ servers: serve.pool.all().filter(scope.sees).map(statusOf) });
      }
      const one = /^\/health\/mcp\/([^/]+)$/.exec(path);
      if (request.method === 'GET' && one) {
        const backend = visibleBackend(one[1]!, scope);
        return backend ? json(statusOf(backend)) : noSuchServer(one[1]!);
      }
      if (request.method === 'GET' && path === '/.well-known/1mcp/runtime-identity') {
        return json(runtimeIdentity(serve, new URL(request.url).searchParams));
      }
      if (request.method === 'GET' && path === '/api/status') {
        return json({
          ...healthBody(serve, 'full', scope),
          servers: serve.pool.all().filter(scope.sees).map((b) => ({ ...statusOf(b), stderrTail: stderrTail(b, 200) })),
        });
      }
      const tools = /^\/api\/servers\/([^/]+)\/tools$/.exec(path);
      if (tools && request.method === 'GET') {
        const backend = visibleBackend(tools[1]!, scope);
        if (!backend) return noSuchServer(tools[1]!);
        const hidden = new Set(backend.config.disabledTools);
        return json({
          server: backend.name,
          state: backend.state,
          tools: backend.lists.tools.map((t) => ({ name: t.name, exposedName: exposedName(backend.config.prefix, t.name), description: t.description, disabled: hidden.has(t.name) })),
        });
      }
      const restart = /^\/api\/servers\/([^/]+)\/restart$/.exec(path);
      if (restart) {
        if (request.method !== 'POST') return text('Method not allowed', 405);
        const backend = visibleBackend(restart[1]!, scope);
        if (!backend) return noSuchServer(restart[1]!);
        await backend.restart();
        return json({ restarted: backend.name, state: backend.state });
      }
      return undefined;
    },
  };
}
