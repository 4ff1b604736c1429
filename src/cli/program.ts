/**
 * The shared shape of every command group: a cac program with the global options (SPEC §1.1),
 * `ONE_MCP_*` twins for every flag (flag > env > default), one-line errors, exit code 2 for usage.
 */
import { cac, type CAC, type Command } from 'cac';
import { isOneMcpError } from '../errors.ts';
import { VERSION } from '../version.ts';
import { nearest } from './nearest.ts';

export type OptionType = 'string' | 'number' | 'boolean' | 'list';

export interface OptionSpec {
  /** cac raw name, e.g. '-P, --port <n>'. */
  flags: string;
  description: string;
  type?: OptionType;
  default?: unknown;
  /**
   * Whether ONE_MCP_<FLAG> may supply it. Off for the fields of a server definition (`mcp add
   * --url`): a ONE_MCP_URL exported for the proxy must not leak into every server added.
   */
  env?: boolean;
}

export const GLOBAL_OPTIONS: OptionSpec[] = [
  { flags: '-c, --config <file>', description: 'Path to mcp.json (its folder becomes the config dir)' },
  { flags: '-d, --config-dir <dir>', description: 'Config directory' },
  { flags: '--log-level <level>', description: 'debug, info, warn or error', default: 'info' },
  { flags: '--log-file <path>', description: 'Also write logs to this file' },
];

export class UsageError extends Error {}

export function longName(flags: string): string {
  const m = /--([a-z0-9-]+)/i.exec(flags);
  return m ? m[1]! : flags;
}

function camel(name: string): string {
  return name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

export function envName(flag: string): string {
  return `ONE_MCP_${flag.replace(/-/g, '_').toUpperCase()}`;
}

function coerce(value: unknown, type: OptionType | undefined, flag: string): unknown {
  if (value === undefined) return undefined;
  switch (type) {
    case 'number': {
      const n = Number(Array.isArray(value) ? value.at(-1) : value);
      if (!Number.isFinite(n)) throw new UsageError(`--${flag} expects a number, got "${value}"`);
      return n;
    }
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (/^(true|1|yes|on)$/i.test(String(value))) return true;
      if (/^(false|0|no|off)$/i.test(String(value))) return false;
      throw new UsageError(`--${flag} expects true or false, got "${value}"`);
    case 'list':
      return (Array.isArray(value) ? value : [value]).map(String);
    case 'string':
      if (typeof value === 'boolean') throw new UsageError(`--${flag} needs a value`);
      return String(Array.isArray(value) ? value.at(-1) : value);
    default:
      return value;
  }
}

export function addOptions(target: Command | CAC, specs: OptionSpec[]): void {
  for (const spec of specs) {
    const def = spec.default !== undefined ? ` (default: ${JSON.stringify(spec.default)})` : '';
    (target as Command).option(spec.flags, `${spec.description}${def}`);
  }
}

/** Fill options left unset on the command line from ONE_MCP_* variables, then from defaults. */
export function resolveOptions(raw: Record<string, unknown>, specs: OptionSpec[], env: NodeJS.ProcessEnv = process.env): Record<string, any> {
  const out: Record<string, any> = { ...raw };
  for (const spec of specs) {
    const flag = longName(spec.flags);
    const key = camel(flag);
    let value = raw[key];
    if (value === undefined && spec.env !== false && env[envName(flag)] !== undefined) value = env[envName(flag)];
    value = coerce(value, spec.type ?? inferType(spec), flag);
    out[key] = value !== undefined ? value : spec.default;
  }
  return out;
}

function inferType(spec: OptionSpec): OptionType {
  if (typeof spec.default === 'number') return 'number';
  return spec.flags.includes('<') || spec.flags.includes('[') ? 'string' : 'boolean';
}

export interface CommandDef {
  /** cac command text, e.g. 'add <name>'. */
  name: string;
  description: string;
  options?: OptionSpec[];
  allowUnknownOptions?: boolean;
  examples?: string[];
  action: (args: string[], options: Record<string, any>) => unknown | Promise<unknown>;
}

/**
 * Build and run one command group. `prefix` is how the group is named in help ("1mcp mcp").
 * Resolves with the exit code.
 */
export async function runGroup(prefix: string, argv: string[], commands: CommandDef[]): Promise<number> {
  const cli = cac(prefix);
  addOptions(cli, GLOBAL_OPTIONS);
  cli.help();
  let pending: Promise<unknown> | undefined;
  const byCommand = new Map<Command, CommandDef>();
  for (const def of commands) {
    const command = cli.command(def.name, def.description);
    if (def.allowUnknownOptions) command.allowUnknownOptions();
    addOptions(command, def.options ?? []);
    for (const e of def.examples ?? []) command.example(e);
    byCommand.set(command, def);
    command.action((...actionArgs: unknown[]) => {
      const options = actionArgs.pop() as Record<string, unknown>;
      const args = actionArgs.flatMap((a) => (Array.isArray(a) ? a.map(String) : a === undefined ? [] : [String(a)]));
      const resolved = resolveOptions(options, [...GLOBAL_OPTIONS, ...(def.options ?? [])]);
      pending = Promise.resolve(def.action(args, resolved));
    });
  }
  try {
    cli.parse(['node', prefix, ...argv], { run: false });
    if (cli.options.help) {
      return 0;
    }
    if (!cli.matchedCommand) {
      const wanted = cli.args[0];
      const names = commands.map((c) => c.name.split(' ')[0]!).filter(Boolean);
      if (wanted === undefined) {
        cli.outputHelp();
        return 2;
      }
      const hint = nearest(String(wanted), names);
      throw new UsageError(`unknown command "${prefix} ${wanted}"${hint ? `; did you mean "${prefix} ${hint}"?` : `; try "${prefix} --help"`}`);
    }
    cli.runMatchedCommand();
    const result = await pending;
    return typeof result === 'number' ? result : 0;
  } catch (e) {
    return reportError(e, cli, byCommand, argv);
  }
}

/** Stack traces only with --log-level debug (or its environment twin). */
function wantsDebug(argv: string[]): boolean {
  const i = argv.indexOf('--log-level');
  return argv.includes('--log-level=debug') || (i >= 0 && argv[i + 1] === 'debug') || process.env.ONE_MCP_LOG_LEVEL === 'debug';
}

function reportError(e: unknown, cli: CAC, byCommand: Map<Command, CommandDef>, argv: string[]): number {
  const message = (e as Error)?.message ?? String(e);
  if (e instanceof UsageError) {
    printError(message);
    return 2;
  }
  if ((e as Error)?.name === 'CACError') {
    const unknown = /Unknown option `(-{1,2}[^`]+)`/.exec(message);
    if (unknown) {
      const def = cli.matchedCommand ? byCommand.get(cli.matchedCommand) : undefined;
      const flags = [...GLOBAL_OPTIONS, ...(def?.options ?? [])].map((s) => `--${longName(s.flags)}`);
      const hint = nearest(unknown[1]!, flags);
      printError(`unknown option ${unknown[1]}${hint ? `; did you mean ${hint}?` : '; see --help'}`);
    } else {
      const missing = /missing required args for command `([^`]+)`/.exec(message);
      printError(missing ? `missing an argument; usage: ${cli.name} ${missing[1]} (see --help)` : message.replace(/`/g, '"'));
    }
    return 2;
  }
  if (isOneMcpError(e)) {
    printError(message);
    if (wantsDebug(argv)) console.error(e.stack);
    return e.exitCode;
  }
  // Not one of ours: a bug. Say so plainly; the stack helps whoever reports it.
  printError(`${message} (unexpected; rerun with --log-level debug for details)`);
  if (wantsDebug(argv)) console.error((e as Error)?.stack ?? '');
  return 1;
}

export function printError(message: string): void {
  process.stderr.write(`1mcp: ${message}\n`);
}

export { VERSION };
