/**
 * The shared shape of every command group: a cac program with the global options (README.md),
 * `ONE_MCP_*` twins for every flag (flag > env > default), one-line errors, exit code 2 for usage.
 */
import { cac, type CAC, type Command } from 'cac';
import { isOneMcpError, UsageError } from '../errors.ts';
import { VERSION } from '../version.ts';
import { protectArgv, type FlagTable } from './argv.ts';
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
  /** For 'number' options: the allowed range, and whether only whole numbers make sense. */
  min?: number;
  max?: number;
  integer?: boolean;
  /** For string and list options: an empty value means something (`--args ""`). Otherwise it is refused. */
  allowEmpty?: boolean;
}

export const GLOBAL_OPTIONS: OptionSpec[] = [
  { flags: '-c, --config <file>', description: 'Path to mcp.json (its folder becomes the config dir)' },
  { flags: '-d, --config-dir <dir>', description: 'Config directory' },
  { flags: '--log-level <level>', description: 'debug, info, warn or error', default: 'info' },
  { flags: '--log-file <path>', description: 'Also write logs to this file' },
];

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

/** A decimal number as typed (no hex, no exponent, no empty string), checked against the spec's range. */
function parseNumber(text: string, spec: OptionSpec, label: string): number {
  const t = text.trim();
  const n = /^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(t) ? Number(t) : NaN;
  const { min, max, integer } = spec;
  const ok = Number.isFinite(n) && (!integer || Number.isInteger(n)) && (min === undefined || n >= min) && (max === undefined || n <= max);
  if (ok) return n;
  const range = min !== undefined && max !== undefined ? ` from ${min} to ${max}` : min !== undefined ? ` ≥ ${min}` : max !== undefined ? ` ≤ ${max}` : '';
  throw new UsageError(`${label} must be ${integer ? 'a whole number' : 'a number'}${range} (got "${text}")`);
}

function coerce(value: unknown, type: OptionType | undefined, spec: OptionSpec, label: string): unknown {
  if (value === undefined) return undefined;
  const last = Array.isArray(value) ? value.at(-1) : value;
  const nonEmpty = (s: string) => {
    if (s === '' && !spec.allowEmpty) throw new UsageError(`${label} needs a value (it was empty)`);
    return s;
  };
  switch (type) {
    case 'number':
      if (typeof last === 'boolean') throw new UsageError(`${label} needs a value`);
      return parseNumber(String(last), spec, label);
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (/^(true|1|yes|on)$/i.test(String(value))) return true;
      if (/^(false|0|no|off)$/i.test(String(value))) return false;
      throw new UsageError(`${label} expects true or false, got "${value}"`);
    case 'list':
      return (Array.isArray(value) ? value : [value]).map((v) => {
        if (typeof v === 'boolean') throw new UsageError(`${label} needs a value`);
        return nonEmpty(String(v));
      });
    case 'string':
      // `--flag [value]`: given bare, it is simply on (true); the command decides what that means.
      if (typeof last === 'boolean' && spec.flags.includes('[')) return last;
      if (typeof last === 'boolean') throw new UsageError(`${label} needs a value`);
      return nonEmpty(String(last));
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
    let label = `--${flag}`;
    // An empty variable counts as unset, as shells treat `ONE_MCP_PORT=`.
    if (value === undefined && spec.env !== false && env[envName(flag)]) {
      value = env[envName(flag)];
      label = envName(flag);
    }
    value = coerce(value, spec.type ?? inferType(spec), spec, label);
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
  /** Usage line(s) in --help when the command text alone does not say it (after "$ 1mcp <group> "). */
  usage?: string;
  /** Extra paragraph at the end of --help: exit codes, notes. */
  help?: string;
  options?: OptionSpec[];
  allowUnknownOptions?: boolean;
  examples?: string[];
  action: (args: string[], options: Record<string, any>) => unknown | Promise<unknown>;
}

const VERSION_FLAGS = '-v, --version';

/** Every flag spelling of the command that `argv` names (or of the whole group), and whether it takes a value. */
function flagTable(argv: string[], commands: CommandDef[]): FlagTable {
  const table = (specs: OptionSpec[]): FlagTable => {
    const out: FlagTable = new Map();
    for (const spec of [...GLOBAL_OPTIONS, ...specs, { flags: '-h, --help', description: '' }, { flags: VERSION_FLAGS, description: '' }]) {
      const takesValue = /[<[]/.test(spec.flags);
      for (const part of spec.flags.replace(/\s*[<[].*$/, '').split(',')) {
        const flag = part.trim();
        out.set(flag, takesValue);
        if (!takesValue && flag.startsWith('--')) out.set(`--no-${flag.slice(2)}`, false);
      }
    }
    return out;
  };
  const all = table(commands.flatMap((c) => c.options ?? []));
  // The command is the first plain word; the flags of that command decide what takes a value.
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (token === '--') break;
    if (token.startsWith('-')) {
      if (all.get(token) === true) i++;
      continue;
    }
    const def = commands.find((c) => c.name.split(' ')[0] === token);
    return def ? table(def.options ?? []) : all;
  }
  return all;
}

/**
 * Build and run one command group. `prefix` is how the group is named in help ("1mcp mcp").
 * Resolves with the exit code.
 */
export async function runGroup(prefix: string, argv: string[], commands: CommandDef[]): Promise<number> {
  const cli = cac(prefix);
  addOptions(cli, GLOBAL_OPTIONS);
  cli.option(VERSION_FLAGS, 'Print the version');
  let pending: Promise<unknown> | undefined;
  const byCommand = new Map<Command, CommandDef>();
  // Sub-command help: what the command does under its name, and its notes (exit codes…) at the end.
  cli.help((sections) => {
    const def = cli.matchedCommand && byCommand.get(cli.matchedCommand);
    if (!def) return sections;
    const out = [...sections];
    out.splice(1, 0, { body: def.description });
    if (def.help) out.push({ body: def.help });
    return out;
  });
  const input = protectArgv(argv, flagTable(argv, commands));
  for (const def of commands) {
    const command = cli.command(def.name, def.description);
    if (def.allowUnknownOptions) command.allowUnknownOptions();
    if (def.usage) command.usage(def.usage);
    addOptions(command, def.options ?? []);
    for (const e of def.examples ?? []) command.example(e);
    byCommand.set(command, def);
    command.action((...actionArgs: unknown[]) => {
      const options = input.restore(actionArgs.pop() as Record<string, unknown>);
      const args = input.restore(actionArgs).flatMap((a) => (Array.isArray(a) ? a.map(String) : a === undefined ? [] : [String(a)]));
      const resolved = resolveOptions(options, [...GLOBAL_OPTIONS, ...(def.options ?? [])]);
      pending = Promise.resolve(def.action(args, resolved));
    });
  }
  try {
    if (input.strays.length > 0) {
      const stray = input.strays[0]!;
      throw new UsageError(`"${stray}" is not an option (one-dash options are single letters), and a name cannot start with "-"; see "${prefix} --help"`);
    }
    cli.parse(['node', prefix, ...input.argv], { run: false });
    if (cli.options.help) {
      return 0;
    }
    if (cli.options.version) {
      // The bare version, as `1mcp --version` prints it (cac would add platform and runtime).
      process.stdout.write(`${VERSION}\n`);
      return 0;
    }
    if (!cli.matchedCommand) {
      const wanted = input.restore(cli.args[0]);
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
    const error = (e as Error)?.name === 'CACError' ? usageErrorOfCac(e as Error, input.restore((e as Error).message), cli, byCommand) : e;
    const report = errorReport(error, wantsDebug(argv));
    process.stderr.write(report.text);
    return report.exitCode;
  }
}

/** Stack traces only with --log-level debug (or its environment twin). */
function wantsDebug(argv: string[]): boolean {
  const i = argv.indexOf('--log-level');
  return argv.includes('--log-level=debug') || (i >= 0 && argv[i + 1] === 'debug') || process.env.ONE_MCP_LOG_LEVEL === 'debug';
}

/** cac's own complaints (unknown option, missing argument) said as we say usage errors. */
function usageErrorOfCac(e: Error, message: string, cli: CAC, byCommand: Map<Command, CommandDef>): UsageError {
  const unknown = /Unknown option `(-{1,2}[^`]+)`/.exec(message);
  if (unknown) {
    // cac names the option by its camelCase key; say it as it is typed.
    unknown[1] = unknown[1]!.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    const def = cli.matchedCommand ? byCommand.get(cli.matchedCommand) : undefined;
    const flags = [...GLOBAL_OPTIONS, ...(def?.options ?? [])].map((s) => `--${longName(s.flags)}`);
    const hint = nearest(unknown[1]!, flags);
    return new UsageError(`unknown option ${unknown[1]}${hint ? `; did you mean ${hint}?` : '; see --help'}`, { cause: e });
  }
  const missing = /missing required args for command `([^`]+)`/.exec(message);
  return new UsageError(missing ? `missing an argument; usage: ${cli.name} ${missing[1]} (see --help)` : message.replace(/`/g, '"'), { cause: e });
}

/**
 * The one place an error that ends a command becomes output and an exit code: one line on stderr
 * ("1mcp: <message>"), the stack only when debugging. An error that is not ours is a bug: it says so.
 */
export function errorReport(e: unknown, debug: boolean): { text: string; exitCode: number } {
  const message = (e as Error)?.message ?? String(e);
  const stack = debug ? `${(e as Error)?.stack ?? ''}\n` : '';
  if (isOneMcpError(e)) return { text: `${errorLine(message)}${stack}`, exitCode: e.exitCode };
  return { text: `${errorLine(`${message} (unexpected; rerun with --log-level debug for details)`)}${stack}`, exitCode: 1 };
}

function errorLine(message: string): string {
  return `1mcp: ${message}\n`;
}
