/** /health*, the runtime identity, and the small JSON API used by `1mcp mcp status|restart` (SPEC §3.1, §3.4). */
import type { ServeRuntime } from '../runtime.ts';
import { exposedName } from '../../catalog/names.ts';
import { runtimeIdentity } from './identity.ts';
import { json, text } from './responses.ts';

export type HealthLevel = 'minimal' | 'basic' | 'full';

export function healthBody(rt: ServeRuntime, level: HealthLevel) {
  const backends = rt.pool.all();
  const enabled = backends.filter((b) => b.state !== 'disabled');
  const count = (...states: string[]) => enabled.filter((b) => states.includes(b.state)).length;
  const connected = count('connected');
  const status = enabled.length === 0 || connected === enabled.length ? 'healthy' : connected === 0 && count('starting') === 0 ? 'unhealthy' : 'degraded';
  const body: Record<string, unknown> = {
    status,
    version: rt.version,
    uptimeSeconds: Math.round((Date.now() - rt.startedAt) / 1000),
    servers: { total: enabled.length, connected, failed: count('error', 'crash-loop', 'restarting'), starting: count('starting') },
  };
  if (level !== 'minimal') {
    body.serverStates = Object.fromEntries(
      backends.map((b) => {
        const s = b.status();
        return [b.name, level === 'full' ? { ...s, stderrTail: b.stderr.tail(20) } : { state: s.state, type: s.type, tools: s.tools }];
      }),
    );
  }
  if (level === 'full') {
    body.sessions = rt.sessions.size;
    body.memory = { rssBytes: process.memoryUsage().rss };
    body.pid = process.pid;
    body.configDir = rt.configDir;
    body.problems = rt.catalog.problems;
  }
  return body;
}

export function healthRoutes(rt: ServeRuntime) {
  return {
    live: () => json({ status: 'alive' }),
    async route(request: Request, path: string): Promise<Response | undefined> {
      if (request.method === 'GET' && path === '/health') {
        const body = healthBody(rt, rt.options.healthInfoLevel);
        return json(body, body.status === 'unhealthy' ? 503 : 200);
      }
      if (request.method === 'GET' && path === '/health/ready') {
        const pending = rt.pool.all().filter((b) => b.state === 'starting' || b.state === 'restarting');
        return pending.length === 0 ? json({ ready: true }) : json({ ready: false, waitingFor: pending.map((b) => b.name) }, 503);
      }
      if (request.method === 'GET' && path === '/health/mcp') {
        return json({ servers: rt.pool.all().map((b) => b.status()) });
      }
      const one = /^\/health\/mcp\/([^/]+)$/.exec(path);
      if (request.method === 'GET' && one) {
        const backend = rt.pool.get(decodeURIComponent(one[1]!));
        return backend ? json(backend.status()) : json({ error: `no server named "${one[1]}"` }, 404);
      }
      if (request.method === 'GET' && path === '/.well-known/1mcp/runtime-identity') {
        return json(runtimeIdentity(rt, new URL(request.url).searchParams));
      }
      if (request.method === 'GET' && path === '/api/status') {
        return json({
          ...healthBody(rt, 'full'),
          servers: rt.pool.all().map((b) => ({ ...b.status(), stderrTail: b.stderr.tail(200) })),
        });
      }
      const tools = /^\/api\/servers\/([^/]+)\/tools$/.exec(path);
      if (tools && request.method === 'GET') {
        const backend = rt.pool.get(decodeURIComponent(tools[1]!));
        if (!backend) return json({ error: `no server named "${tools[1]}"` }, 404);
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
        const backend = rt.pool.get(decodeURIComponent(restart[1]!));
        if (!backend) return json({ error: `no server named "${restart[1]}"` }, 404);
        await backend.restart();
        return json({ restarted: backend.name, state: backend.state });
      }
      return undefined;
    },
  };
}
