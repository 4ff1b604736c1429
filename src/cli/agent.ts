/**
 * Agent commands (docs/configuration.md, "Agent commands"): a running serve from the shell, for agents
 * that prefer a shell to MCP. `instructions` and `inspect` live here; `run` and `wait` in their own files.
 * Output is compact enough to paste into a model's context; `--json` for scripts.
 * Exit codes scripts can rely on: 0 ok, 1 tool error, 2 usage, 3 serve not reachable / not ready.
 */
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { UsageError } from '../errors.ts';
import { firstSentence } from '../search/summary.ts';
import { nearest } from './nearest.ts';
import { print, printJson } from './output.ts';
import { runGroup, type CommandDef, type OptionSpec } from './program.ts';
import { parameterLines, typeOf } from './schema-summary.ts';
import { splitToolRef } from './tool-ref.ts';
import type { ViewCatalog, ViewServer } from './view-catalog.ts';
import { clientUrl, closeViewSession, openViewSession, resolveViewTarget, viewLabel, VIEW_OPTIONS, type ViewTarget } from './view-session.ts';

const JSON_OPTION: OptionSpec = { flags: '--json', description: 'Machine-readable output', env: false };

export const EXIT_CODES = 'Exit code: 0 ok; 1 tool error (run); 2 usage (bad arguments, unknown server or tool, a view serve refuses);\n3 serve not reachable or not ready (none running, auth refused, wait timed out).';

async function loadCatalog(options: Record<string, any>): Promise<{ vt: ViewTarget; catalog: ViewCatalog }> {
  const vt = await resolveViewTarget(options);
  // Loaded here, not at the top: `1mcp run` and `wait` share this module and need none of it.
  const [{ viewCatalog }, client] = await Promise.all([import('./view-catalog.ts'), openViewSession(vt)]);
  try {
    return { vt, catalog: await viewCatalog(vt, client) };
  } finally {
    await closeViewSession(client);
  }
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function serverLine(s: ViewServer): string {
  const state = s.state === 'connected' ? '' : `${s.state}${s.lastError ? `: ${firstSentence(s.lastError)}` : ''}; `;
  return `${s.name} (${state}${plural(s.tools.length, 'tool')})${s.about ? ` — ${s.about}` : ''}`;
}

function serverJson(s: ViewServer) {
  return { name: s.name, state: s.state, tools: s.tools.length, ...(s.about ? { about: s.about } : {}), ...(s.lastError ? { lastError: s.lastError } : {}) };
}

/** `1mcp instructions`: what the serve offers in this view and how to use it from a shell. */
async function instructions(args: string[], options: Record<string, any>): Promise<number> {
  if (args.length) throw new UsageError(`"1mcp instructions" takes no arguments (got "${args[0]}"); see "1mcp instructions --help"`);
  const { vt, catalog } = await loadCatalog(options);
  if (options.json) {
    printJson({ url: clientUrl(vt), view: viewLabel(vt.view), tools: catalog.tools.length, servers: catalog.servers.map(serverJson) });
    return 0;
  }
  print(`1mcp serve (${viewLabel(vt.view)}): ${plural(catalog.servers.length, 'server')}, ${plural(catalog.tools.length, 'tool')}.`);
  print(`Use from a shell: "1mcp inspect <server>" lists its tools, "1mcp inspect <server>/<tool>" shows parameters, "1mcp run <server>/<tool> --args '<json>'" calls it (exit 1 on a tool error).`);
  for (const s of catalog.servers) print(`- ${serverLine(s)}`);
  return 0;
}

function findServer(catalog: ViewCatalog, vt: ViewTarget, name: string): ViewServer {
  const server = catalog.servers.find((s) => s.name === name);
  if (!server) throw new UsageError(`no server named "${name}" in the ${viewLabel(vt.view)} (servers: ${catalog.servers.map((s) => s.name).join(', ') || 'none'}); see "1mcp inspect"`);
  return server;
}

/** A tool of the server by its own name or its exposed name. */
function findTool(server: ViewServer, name: string): Tool {
  const tool = server.tools.find((t) => t.name === name || server.originals.get(t.name) === name);
  if (!tool) {
    const hint = nearest(name, server.tools.map((t) => server.originals.get(t.name) ?? t.name));
    throw new UsageError(`${server.name} has no tool "${name}" in this view${hint ? `; did you mean "${server.name}/${hint}"?` : ''} (see "1mcp inspect ${server.name}")`);
  }
  return tool;
}

function toolDetail(server: ViewServer, tool: Tool): string[] {
  const original = server.originals.get(tool.name) ?? tool.name;
  const hints = [tool.annotations?.readOnlyHint ? 'read-only' : '', tool.annotations?.destructiveHint ? 'destructive' : ''].filter(Boolean);
  const lines = [`${tool.name} (${server.name}/${original})${tool.title ?? tool.annotations?.title ? ` "${tool.title ?? tool.annotations?.title}"` : ''}${hints.length ? ` [${hints.join(', ')}]` : ''}`];
  if (tool.description) lines.push(tool.description.trim());
  const params = parameterLines(tool.inputSchema);
  lines.push(params.length ? 'Parameters:' : 'Parameters: none');
  lines.push(...params.map((p) => `  ${p}`));
  if (tool.outputSchema) lines.push(`Returns: ${typeOf(tool.outputSchema)}`);
  lines.push(`Call: 1mcp run ${server.name}/${original} --args '<json>'`);
  return lines;
}

/** `1mcp inspect` (servers) / `inspect <server>` (its tools) / `inspect <server>/<tool>` (schema summary). */
async function inspect(args: string[], options: Record<string, any>): Promise<number> {
  if (args.length > 1) throw new UsageError(`"1mcp inspect" takes at most one <server> or <server>/<tool> (got ${args.length})`);
  const ref = args[0] !== undefined ? splitToolRef(args[0]) : undefined;
  const { vt, catalog } = await loadCatalog(options);
  if (!ref) {
    if (options.json) printJson({ url: clientUrl(vt), view: viewLabel(vt.view), servers: catalog.servers.map(serverJson) });
    else if (catalog.servers.length === 0) print(`No servers in the ${viewLabel(vt.view)}.`);
    else for (const s of catalog.servers) print(serverLine(s));
    return 0;
  }
  const server = findServer(catalog, vt, ref.server);
  if (ref.tool === undefined) {
    if (options.json) {
      printJson({
        server: server.name,
        state: server.state,
        tools: server.tools.map((t) => ({ name: server.originals.get(t.name) ?? t.name, exposedName: t.name, ...(t.title ? { title: t.title } : {}), description: firstSentence(t.description) })),
      });
      return 0;
    }
    print(serverLine(server));
    for (const t of server.tools) print(`${t.name}${t.description ? ` — ${firstSentence(t.description)}` : ''}`);
    if (server.tools.length) print(`Parameters: 1mcp inspect ${server.name}/<tool>; call: 1mcp run ${server.name}/<tool> --args '<json>'`);
    return 0;
  }
  const tool = findTool(server, ref.tool);
  if (options.json) printJson({ server: server.name, ...tool, name: server.originals.get(tool.name) ?? tool.name, exposedName: tool.name });
  else print(toolDetail(server, tool).join('\n'));
  return 0;
}

const COMMANDS: Record<string, CommandDef> = {
  instructions: {
    name: 'instructions',
    description: 'What the running serve offers in this view, per server, compact (for a model\'s context)',
    help: EXIT_CODES,
    options: [...VIEW_OPTIONS, JSON_OPTION],
    action: instructions,
  },
  inspect: {
    name: 'inspect [ref]',
    usage: 'inspect [<server> | <server>/<tool>]',
    description: 'Servers of the view; a server\'s tools (one line each); a tool\'s parameters',
    help: EXIT_CODES,
    options: [...VIEW_OPTIONS, JSON_OPTION],
    examples: ['1mcp inspect', '1mcp inspect files', '1mcp inspect files/read_file'],
    action: inspect,
  },
  run: {
    name: 'run [ref]',
    usage: "run <server>/<tool> [--args '<json>']   (or the arguments as JSON on stdin)",
    description: 'Call a tool: its result text on stdout; a tool error on stderr with exit 1',
    help: EXIT_CODES,
    options: [
      ...VIEW_OPTIONS,
      { flags: '--args <json>', description: 'The arguments, a JSON object ("-" or omitted with a pipe on stdin: read from stdin)', env: false, allowEmpty: true },
      { flags: '-t, --timeout <ms>', description: 'How long the call may take (progress notifications reset it)', default: 60_000, type: 'number', integer: true, min: 1 },
      JSON_OPTION,
    ],
    examples: [`1mcp run files/read_file --args '{"path":"README.md"}'`, `echo '{"path":"README.md"}' | 1mcp run files/read_file`],
    action: async (args, options) => (await import('./agent-run.ts')).run(args, options),
  },
  wait: {
    name: 'wait [server]',
    description: 'Wait until serve is up and the server (or, without one, every server of the view) is ready',
    help: 'Exit code: 0 when ready; 3 when not ready before --timeout (or auth is refused); 2 usage.',
    options: [
      ...VIEW_OPTIONS,
      { flags: '-t, --timeout <ms>', description: 'How long to wait', default: 30_000, type: 'number', integer: true, min: 0 },
      JSON_OPTION,
    ],
    action: async (args, options) => (await import('./agent-wait.ts')).wait(args, options),
  },
};

export function command(name: string): { run(argv: string[]): Promise<number> } {
  const def = COMMANDS[name]!;
  return { run: (argv) => runGroup('1mcp', [name, ...argv], [def]) };
}
