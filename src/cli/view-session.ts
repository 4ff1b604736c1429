/**
 * An MCP client session to the running serve, bound to a view — what a client of that view sees,
 * exposed names included. Shared by the agent commands (instructions, inspect, run) and the budget
 * report (preset test, mcp tokens). The SDK is imported only when a session is opened.
 *
 * Sessions ask for `discovery=off`: these commands are the shell's alternative to search mode and
 * report the view's own tools, whatever the view's default discovery is.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import type { ConfigPaths } from '../config/paths.ts';
import { findProjectRc, type ProjectRc } from '../config/rc.ts';
import { UsageError } from '../errors.ts';
import { home } from '../runtime/home.ts';
import { VERSION } from '../version.ts';
import { commandContext } from './context.ts';
import type { OptionSpec } from './program.ts';
import { authHeaders, authProblem, findServeTarget, ServeUnreachableError, START_HINT, TOKEN_OPTION, type ServeTarget } from './serve-client.ts';

/** --url, the view selectors and --token: what every command talking to a view takes. */
export const VIEW_OPTIONS: OptionSpec[] = [
  { flags: '-u, --url <url>', description: 'serve endpoint (/mcp appended when missing); discovered when omitted' },
  { flags: '-P, --preset <name>', description: 'View by preset (default: from .1mcprc)' },
  { flags: '-f, --filter <expr>', description: 'View by filter expression (default: from .1mcprc)' },
  { flags: '--tags <a,b>', description: 'View by tags, any of (default: from .1mcprc)' },
  TOKEN_OPTION,
];

export interface ViewChoice {
  preset?: string;
  filter?: string;
  tags?: string;
}

/** flag > .1mcprc; within one source preset > filter > tags (as the proxy chooses). */
export function chooseView(options: ViewChoice, rc: ProjectRc | undefined): ViewChoice {
  const from = options.preset || options.filter || options.tags ? options : rc ? { preset: rc.preset, filter: rc.filter, tags: rc.tags?.join(',') } : {};
  if (from.preset) return { preset: from.preset };
  if (from.filter) return { filter: from.filter };
  if (from.tags) return { tags: from.tags };
  return {};
}

/** How the view is named in output: `preset dev`, `filter "a and b"`, `tags a,b`, or `default view`. */
export function viewLabel(view: ViewChoice): string {
  if (view.preset) return `preset ${view.preset}`;
  if (view.filter) return `filter "${view.filter}"`;
  if (view.tags) return `tags ${view.tags}`;
  return 'default view';
}

export function viewQuery(view: ViewChoice): URLSearchParams {
  const q = new URLSearchParams();
  if (view.preset) q.set('preset', view.preset);
  else if (view.filter) q.set('filter', view.filter);
  else if (view.tags) q.set('tags', view.tags);
  q.set('discovery', 'off');
  q.set('app', '1mcp-cli');
  return q;
}

/** The URL a client of the view would use (the selector only). */
export function clientUrl(vt: ViewTarget): string {
  const url = new URL(vt.url);
  url.searchParams.delete('discovery');
  url.searchParams.delete('app');
  return url.toString();
}

/** The running serve and the view a command works on. */
export interface ViewTarget {
  paths: ConfigPaths;
  target: ServeTarget;
  view: ViewChoice;
  /** The session URL, view included. */
  url: string;
  /** `.1mcprc` pins, when the view came from it (the proxy sends them as ?pin=, over a preset's). */
  rcPins?: string[];
}

/** Find serve like the proxy does (--url > .1mcprc url > server.pid > ports); none ⇒ exit 3. */
export async function resolveViewTarget(options: Record<string, any>, view?: ViewChoice): Promise<ViewTarget> {
  const { paths } = commandContext(options);
  const rc = findProjectRc(process.cwd(), home());
  // --token (or ONE_MCP_TOKEN) > the ONE_MCP_* variable .1mcprc names.
  const token = options.token || (rc?.token_env ? process.env[rc.token_env] : undefined) || undefined;
  const target = await findServeTarget(paths, token, { url: options.url, rc });
  if (!target) throw new ServeUnreachableError(`no running 1mcp serve found for ${paths.dir}; ${START_HINT}, or pass --url`);
  const chosen = view ?? chooseView(options, rc);
  const url = new URL(target.mcpUrl);
  url.search = viewQuery(chosen).toString();
  const fromRc = !view && !options.preset && !options.filter && !options.tags;
  return { paths, target, view: chosen, url: url.toString(), ...(fromRc && rc?.pin ? { rcPins: rc.pin } : {}) };
}

/** The message inside serve's JSON error body, if the SDK error carries one. */
function serveMessage(text: string): string | undefined {
  const start = text.indexOf('{');
  if (start < 0) return undefined;
  try {
    const body = JSON.parse(text.slice(start)) as { error?: string | { message?: string } };
    return typeof body.error === 'string' ? body.error : body.error?.message;
  } catch {
    return undefined;
  }
}

/** Open the session; a refused view is a usage error (2), anything that keeps us from serve is exit 3. */
export async function openViewSession(vt: ViewTarget, timeoutMs = 10_000): Promise<Client> {
  const [{ Client }, { StreamableHTTPClientTransport }] = await Promise.all([
    import('@modelcontextprotocol/sdk/client/index.js'),
    import('@modelcontextprotocol/sdk/client/streamableHttp.js'),
  ]);
  const client = new Client({ name: '1mcp-cli', version: VERSION });
  try {
    await client.connect(new StreamableHTTPClientTransport(new URL(vt.url), { requestInit: { headers: authHeaders(vt.target) } }), { timeout: timeoutMs });
    return client;
  } catch (error) {
    await client.close().catch(() => {});
    const message = (error as Error).message ?? String(error);
    const status = (error as { code?: unknown }).code;
    const detail = serveMessage(message);
    if (status === 401 || status === 403) throw new ServeUnreachableError(authProblem(vt.target, status, detail)!);
    if (status === 400) throw new UsageError(`serve refused the view (${viewLabel(vt.view)}): ${detail ?? message}`);
    throw new ServeUnreachableError(`could not reach serve at ${vt.url}: ${detail ?? message}`);
  }
}

/**
 * End the session on serve (HTTP DELETE), then close. A CLI command is one short session: left open,
 * each `1mcp run` would hold a session on serve until its idle timeout.
 */
export async function closeViewSession(client: Client): Promise<void> {
  const transport = client.transport as { terminateSession?: () => Promise<void> } | undefined;
  await transport?.terminateSession?.().catch(() => {});
  await client.close().catch(() => {});
}

/** Every tool of the session's view, all pages. */
export async function listAllTools(client: Client): Promise<Tool[]> {
  const tools: Tool[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.listTools(cursor ? { cursor } : {});
    tools.push(...page.tools);
    cursor = page.nextCursor;
  } while (cursor);
  return tools;
}
