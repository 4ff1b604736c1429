/**
 * `1mcp wait [server] [--timeout ms]`: returns 0 as soon as serve answers and the server is connected —
 * or, without a server, once no server of the view is still starting (as /health/ready). Keeps looking
 * for serve meanwhile, so `1mcp start & 1mcp wait` works. Not ready in time: exit 3, saying what was seen.
 */
import { findProjectRc } from '../config/rc.ts';
import { home } from '../runtime/home.ts';
import { UsageError } from '../errors.ts';
import { commandContext } from './context.ts';
import { print, printJson } from './output.ts';
import { authHeaders, authProblem, findServeTarget, ServeApiError, serveApi, ServeUnreachableError, START_HINT, type ServeTarget } from './serve-client.ts';
import { viewMembership } from './view-catalog.ts';
import { chooseView, viewLabel, type ViewChoice } from './view-session.ts';
import type { ConfigPaths } from '../config/paths.ts';

const POLL_MS = 200;

interface Check {
  ready: boolean;
  /** What was seen: for the message when time runs out, and the line printed when ready. */
  seen: string;
  state?: string;
}

async function get(target: ServeTarget, path: string): Promise<Response> {
  const response = await fetch(`${target.origin}${path}`, { headers: authHeaders(target), signal: AbortSignal.timeout(2_000) });
  if (response.status === 401 || response.status === 403) {
    const body = (await response.json().catch(() => ({}))) as { error?: string };
    // Waiting will not fix a refused token.
    throw new ServeUnreachableError(authProblem(target, response.status, body.error)!);
  }
  return response;
}

async function checkServer(target: ServeTarget, server: string): Promise<Check> {
  const response = await get(target, `/health/mcp/${encodeURIComponent(server)}`);
  if (response.status === 404) return { ready: false, seen: `serve at ${target.origin} has no server named "${server}"` };
  const body = (await response.json()) as { state: string; lastError?: string };
  if (body.state === 'connected') return { ready: true, seen: `${server} is connected (serve at ${target.origin})`, state: body.state };
  return { ready: false, seen: `${server} is ${body.state}${body.lastError ? ` (${body.lastError})` : ''}`, state: body.state };
}

async function checkView(target: ServeTarget, view: ViewChoice, paths: ConfigPaths): Promise<Check> {
  if (!view.preset && !view.filter && !view.tags) {
    const response = await get(target, '/health/ready');
    const body = (await response.json().catch(() => ({}))) as { waitingFor?: string[]; waiting?: number };
    if (response.ok) return { ready: true, seen: `serve at ${target.origin} is ready` };
    return { ready: false, seen: `serve at ${target.origin} is still starting ${body.waitingFor?.join(', ') ?? `${body.waiting ?? 'some'} server(s)`}` };
  }
  let status: { configDir?: string; servers: { name: string; state: string; tags?: string[] }[] };
  try {
    status = await serveApi(target, '/api/status');
  } catch (error) {
    if (error instanceof ServeApiError && (error.status === 401 || error.status === 403)) throw new ServeUnreachableError(error.message);
    throw error;
  }
  const member = viewMembership(view, paths, status.configDir);
  const members = status.servers.filter((s) => s.state !== 'disabled' && (!member || member(s.tags ?? [])));
  const pending = members.filter((s) => s.state === 'starting' || s.state === 'restarting').map((s) => s.name);
  if (pending.length === 0) return { ready: true, seen: `every server of the view (${viewLabel(view)}) is ready (serve at ${target.origin})` };
  return { ready: false, seen: `the view (${viewLabel(view)}) is still starting ${pending.join(', ')}` };
}

export async function wait(args: string[], options: Record<string, any>): Promise<number> {
  if (args.length > 1) throw new UsageError(`"1mcp wait" takes at most one server (got ${args.length})`);
  const server = args[0];
  const { paths } = commandContext(options);
  const rc = findProjectRc(process.cwd(), home());
  const token = options.token || (rc?.token_env ? process.env[rc.token_env] : undefined) || undefined;
  const view = chooseView(options, rc);
  const deadline = Date.now() + options.timeout;
  let seen = `no running 1mcp serve found for ${paths.dir}`;
  for (;;) {
    const target = await findServeTarget(paths, token, { url: options.url, rc });
    if (target) {
      try {
        const check = server !== undefined ? await checkServer(target, server) : await checkView(target, view, paths);
        if (check.ready) {
          if (options.json) printJson({ ready: true, url: target.mcpUrl, ...(server !== undefined ? { server, state: check.state } : { view: viewLabel(view) }) });
          else print(`ready: ${check.seen}`);
          return 0;
        }
        seen = check.seen;
      } catch (error) {
        if (error instanceof ServeUnreachableError) throw error;
        seen = `serve at ${target.origin} does not answer (${(error as Error).message})`;
      }
    }
    const left = deadline - Date.now();
    if (left <= 0) break;
    await new Promise((r) => setTimeout(r, Math.min(POLL_MS, left)));
  }
  if (options.json) printJson({ ready: false, reason: seen });
  const hint = seen.startsWith('no running') ? `; ${START_HINT}` : '';
  throw new ServeUnreachableError(`not ready after ${options.timeout} ms: ${seen}${hint}`);
}
