/** `1mcp preset …` (README.md, docs/configuration.md): named views stored in presets.json, in 1MCP's format. */
import { readMcpFile, validateMcpConfig } from '../config/mcp-config.ts';
import type { ServerConfig } from '../config/mcp-schema.ts';
import type { ConfigPaths } from '../config/paths.ts';
import { ownEntry, setOwnEntry } from '../config/own.ts';
import { editPresetsFile, storedPreset } from '../config/preset-edit.ts';
import { PRESET_NAME, readPresetsFile, type Preset } from '../config/presets.ts';
import { OneMcpError, UsageError } from '../errors.ts';
import { evaluate, FilterSyntaxError, fromTagQuery, parseFilter, strategyOf, toExpression, type FilterAst } from '../filter/index.ts';
import { commandContext } from './context.ts';
import { color, note, print, printJson, table } from './output.ts';
import { runGroup } from './program.ts';
import { findServeTarget, ServeUnreachableError, TOKEN_OPTION, type ServeTarget } from './serve-client.ts';

/** Parse an expression, or fail with the expression, a caret under the problem, and the reason. */
function parseOrExplain(expr: string): FilterAst {
  try {
    return parseFilter(expr);
  } catch (error) {
    if (error instanceof FilterSyntaxError) {
      throw new UsageError(`invalid filter: ${error.message}\n  ${expr}\n  ${' '.repeat(error.column - 1)}^\nNothing was saved.`);
    }
    throw error;
  }
}

function expressionOf(preset: Preset): string {
  return preset.filter ?? toExpression(fromTagQuery(preset.tagQuery, `preset "${preset.name}"`));
}

function requirePreset(paths: ConfigPaths, name: string): Preset {
  const presets = readPresetsFile(paths.presetsJson).presets;
  const preset = ownEntry(presets, name);
  if (!preset) {
    const known = Object.keys(presets);
    throw new OneMcpError(`no preset named "${name}"${known.length ? ` (known: ${known.join(', ')})` : ''}; create it with "1mcp preset create ${name} --filter <expr>"`);
  }
  return preset;
}

function matchingServers(paths: ConfigPaths, ast: FilterAst): ServerConfig[] {
  const servers = validateMcpConfig(readMcpFile(paths.mcpJson).raw, paths.mcpJson, { substitute: false });
  return servers.filter((s) => !s.disabled && evaluate(ast, s.tags));
}

/** The running serve's URL for the preset; with none running, the one `serve --port` (or ONE_MCP_PORT) would have. */
async function presetUrl(paths: ConfigPaths, name: string, options: Record<string, any>): Promise<{ url: string; live: boolean; target?: ServeTarget }> {
  const target = await findServeTarget(paths, options.token);
  const origin = target?.origin ?? `http://127.0.0.1:${options.port ?? 3050}`;
  return { url: `${origin}/mcp?preset=${encodeURIComponent(name)}`, live: !!target, target };
}

async function create([name]: string[], options: Record<string, any>) {
  if (!PRESET_NAME.test(name!)) throw new UsageError(`invalid preset name "${name}": use 1-50 letters, digits, '_' or '-'`);
  if (!options.filter) throw new UsageError(`give the view: 1mcp preset create ${name} --filter "<expression>"`);
  const ast = parseOrExplain(options.filter);
  const { paths } = commandContext(options);
  editPresetsFile(paths, (presets) => {
    if (ownEntry(presets, name!)) throw new OneMcpError(`preset "${name}" already exists; change it with "1mcp preset edit ${name} --filter …"`);
    setOwnEntry(presets, name!, storedPreset(name!, options.filter, ast, options.description, undefined));
  });
  const { url } = await presetUrl(paths, name!, options);
  const servers = matchingServers(paths, ast);
  print(`Created preset ${color.bold(name!)}: ${toExpression(ast)}`);
  print(`URL: ${url}`);
  print(`Matches now: ${servers.length ? servers.map((s) => s.name).join(', ') : color.yellow('no server (check the tags in "1mcp mcp list")')}`);
}

async function edit([name]: string[], options: Record<string, any>) {
  if (options.filter === undefined && options.description === undefined) throw new UsageError('nothing to change: give --filter and/or --description');
  const ast = options.filter !== undefined ? parseOrExplain(options.filter) : undefined;
  const { paths } = commandContext(options);
  requirePreset(paths, name!);
  editPresetsFile(paths, (presets) => {
    const current = ownEntry(presets, name!);
    if (!current) throw new OneMcpError(`no preset named "${name}"`);
    const expr = options.filter ?? expressionOf(current);
    const description = options.description ?? current.description;
    setOwnEntry(presets, name!, { ...current, ...storedPreset(name!, expr, ast ?? parseFilter(expr), description, current.created) });
  });
  print(`Updated preset ${color.bold(name!)}. Open sessions using it see the change at once.`);
}

async function remove([name]: string[], options: Record<string, any>) {
  const { paths } = commandContext(options);
  requirePreset(paths, name!);
  editPresetsFile(paths, (presets) => {
    delete presets[name!];
  });
  print(`Deleted preset ${color.bold(name!)}.`);
}

async function list(_args: string[], options: Record<string, any>) {
  const { paths } = commandContext(options);
  const presets = Object.values(readPresetsFile(paths.presetsJson).presets);
  if (options.json) return printJson(presets.map((p) => ({ ...p, filter: expressionOf(p) })));
  if (presets.length === 0) return print(`No presets yet. Create one: 1mcp preset create <name> --filter "web or api"`);
  print(table(['NAME', 'FILTER', 'DESCRIPTION', 'MODIFIED'], presets.map((p) => [p.name, expressionOf(p), p.description ?? '', p.lastModified?.slice(0, 19).replace('T', ' ') ?? ''])));
}

async function show([name]: string[], options: Record<string, any>) {
  const { paths } = commandContext(options);
  const preset = requirePreset(paths, name!);
  const expr = expressionOf(preset);
  const servers = matchingServers(paths, parseFilter(expr));
  const { url } = await presetUrl(paths, name!, options);
  if (options.json) return printJson({ ...preset, filter: expr, url, servers: servers.map((s) => s.name) });
  print(`${color.bold(preset.name)}${preset.description ? ` — ${preset.description}` : ''}`);
  print(`filter:    ${expr}`);
  print(`strategy:  ${preset.strategy ?? strategyOf(parseFilter(expr))}`);
  print(`created:   ${preset.created ?? '-'}`);
  print(`modified:  ${preset.lastModified ?? '-'}`);
  print(`url:       ${url}`);
  print(`servers:   ${servers.map((s) => s.name).join(', ') || '(none)'}`);
}

async function url([name]: string[], options: Record<string, any>) {
  const { paths } = commandContext(options);
  requirePreset(paths, name!);
  print((await presetUrl(paths, name!, options)).url);
}

/**
 * Which servers the preset matches (from mcp.json), then the budget report of its view from the running
 * serve (tools, tokens direct and in search mode, client limits crossed). No serve: exit 3, saying so.
 */
async function testPreset([name]: string[], options: Record<string, any>): Promise<number> {
  const { paths } = commandContext(options);
  const preset = requirePreset(paths, name!);
  const filter = expressionOf(preset);
  const servers = matchingServers(paths, parseFilter(filter)).map((s) => s.name);
  if (!options.json) print(`Servers in ${color.bold(name!)}: ${servers.join(', ') || '(none)'}`);
  const { measureView, printBudget } = await import('./tokens.ts');
  let budget;
  try {
    budget = await measureView(options, { preset: name! });
  } catch (error) {
    if (!(error instanceof ServeUnreachableError)) throw error;
    if (options.json) printJson({ preset: name, filter, servers, budget: null, problem: error.message });
    throw error;
  }
  if (options.json) printJson({ preset: name, filter, servers, budget });
  else printBudget(budget);
  return 0;
}

export function run(argv: string[]): Promise<number> {
  const json = { flags: '--json', description: 'Machine-readable output', env: false };
  // Where the printed URL points when no serve is running (ONE_MCP_PORT is its twin, as for serve).
  const port = { flags: '--port <n>', description: 'Port for the printed URL when no serve is running (default 3050)', type: 'number', integer: true, min: 0, max: 65535 } as const;
  return runGroup('1mcp preset', argv, [
    { name: 'create <name>', description: 'Create a preset from a filter expression', action: create, options: [
      { flags: '-f, --filter <expr>', description: 'Tag-filter expression, e.g. "web and not test"', env: false },
      { flags: '--description <text>', description: 'What the preset is for', env: false, allowEmpty: true },
      port,
    ] },
    { name: 'list', description: 'List presets', action: list, options: [json] },
    { name: 'show <name>', description: 'Show a preset', action: show, options: [json, port] },
    { name: 'edit <name>', description: 'Change the filter or description of a preset', action: edit, options: [
      { flags: '-f, --filter <expr>', description: 'New expression', env: false },
      { flags: '--description <text>', description: 'New description', env: false, allowEmpty: true },
    ] },
    { name: 'delete <name>', description: 'Delete a preset', action: remove },
    { name: 'url <name>', description: 'Print the client URL of a preset (from the running serve, else from --port / ONE_MCP_PORT)', action: url, options: [port] },
    { name: 'test <name>', description: 'Which servers a preset matches; from the running serve: its tools, estimated tokens (direct and in search mode), client limits exceeded', action: testPreset,
      help: 'Exit code: 0 with the report; 3 when no serve is running or it cannot be reached (the matching servers are still printed).',
      options: [json, { flags: '-u, --url <url>', description: 'serve endpoint; discovered when omitted' }, TOKEN_OPTION] },
  ]);
}
