/**
 * `1mcp proxy` (docs/design.md, "The proxy"): the stdio bridge Codex launches. Start-up is on the clock (Codex
 * drops servers that are not ready in about a second), so this file imports only what it uses:
 * no MCP SDK, no zod.
 */
import { UsageError } from '../errors.ts';
import { resolveConfigPaths } from '../config/paths.ts';
import { findProjectRc, type ProjectRc } from '../config/rc.ts';
import { createLogger, isLogLevel } from '../log.ts';
import { discoverServe } from '../proxy/discovery.ts';
import { Relay } from '../proxy/relay.ts';
import { home } from '../runtime/home.ts';
import { LineSplitter } from '../runtime/lines.ts';
import { VERSION } from '../version.ts';
import { runGroup, type OptionSpec } from './program.ts';

const PROXY_OPTIONS: OptionSpec[] = [
  { flags: '-u, --url <url>', description: 'serve endpoint (/mcp appended when missing); discovered when omitted' },
  { flags: '-P, --preset <name>', description: 'View by preset (default: from .1mcprc)' },
  { flags: '-f, --filter <expr>', description: 'View by filter expression (default: from .1mcprc)' },
  { flags: '--tags <a,b>', description: 'View by tags, any of (default: from .1mcprc)' },
  { flags: '--discovery <mode>', description: 'search, auto or off: list every tool, or search mode (default: from .1mcprc, else serve\'s --discovery)' },
  { flags: '-t, --timeout <ms>', description: 'How long serve may take to start answering; tool calls, prompts and reads run as long as they take', default: 30000, type: 'number' },
  { flags: '--token <t>', description: 'Bearer token when serve runs with --enable-auth (or ONE_MCP_TOKEN)' },
];

/**
 * flag > .1mcprc; within one source preset > filter > tags (docs/configuration.md, `.1mcprc`).
 * `discovery` and `pin` are chosen on their own (flag > .1mcprc) and travel as ?discovery= and ?pin=.
 */
export function viewQuery(flags: { preset?: string; filter?: string; tags?: string; discovery?: string }, rc: ProjectRc | undefined): string {
  const from = flags.preset || flags.filter || flags.tags ? flags : rc ? { preset: rc.preset, filter: rc.filter, tags: rc.tags?.join(',') } : {};
  const q = new URLSearchParams();
  if (from.preset) q.set('preset', from.preset);
  else if (from.filter) q.set('filter', from.filter);
  else if (from.tags) q.set('tags', from.tags);
  const discovery = flags.discovery ?? rc?.discovery;
  if (discovery) q.set('discovery', discovery);
  if (rc?.pin?.length) q.set('pin', rc.pin.join(','));
  return q.toString();
}

async function proxy(_args: string[], options: Record<string, any>): Promise<number> {
  if (!isLogLevel(options.logLevel)) throw new UsageError('--log-level must be one of debug, info, warn, error');
  if (options.discovery !== undefined && !['search', 'auto', 'off'].includes(options.discovery)) {
    throw new UsageError(`--discovery must be search, auto or off (got "${options.discovery}")`);
  }
  // stdout is the protocol: logs only ever go to --log-file.
  const logger = createLogger({ level: options.logLevel, file: options.logFile, stderr: false });
  const paths = resolveConfigPaths({ config: options.config, configDir: options.configDir });
  const rc = findProjectRc(process.cwd(), home());
  // --token (or ONE_MCP_TOKEN) > the ONE_MCP_* variable .1mcprc names. Where it may be sent is discovery's call.
  const token = options.token || (rc?.token_env ? process.env[rc.token_env] : undefined) || undefined;
  const relay = new Relay({
    discover: () => discoverServe({ flagUrl: options.url, rcUrl: rc?.url, rcPath: rc?.path, pidFile: paths.pidFile, configDir: paths.dir }),
    viewQuery: viewQuery(options, rc),
    token,
    timeoutMs: options.timeout,
    version: VERSION,
    write: (message) => process.stdout.write(`${JSON.stringify(message)}\n`),
    // stdout is the protocol; a person (or Codex's log) reads stderr.
    notice: (message) => process.stderr.write(`1mcp proxy: ${message}\n`),
    log: (level, message) => logger[level](message),
  });
  if (rc) logger.info(`using ${rc.path}`);

  return new Promise<number>((resolve) => {
    let exiting = false;
    const exit = (code: number) => {
      if (exiting) return;
      exiting = true;
      // Bounded: on SIGTERM, or stdin EOF with nothing pending, we are gone within 100 ms. The session's
      // DELETE gets 50 ms (relay.close); 60 ms is the hard cap, leaving room for the runtime to exit.
      setTimeout(() => resolve(code), 60).unref?.();
      void relay.close().finally(() => resolve(code));
    };
    // Messages read but not yet answered: `1mcp proxy < requests.jsonl` ends stdin at once, and
    // what was asked must still be answered before we go (bounded by --timeout).
    const pending = new Set<Promise<void>>();
    const endOfInput = () => {
      if (pending.size === 0) return exit(0);
      const deadline = setTimeout(() => {
        logger.warn(`stdin ended; ${pending.size} message(s) still unanswered after ${options.timeout} ms`);
        exit(0);
      }, options.timeout);
      const drain = (): Promise<void> => (pending.size === 0 ? Promise.resolve() : Promise.allSettled([...pending]).then(drain));
      void drain().then(() => {
        clearTimeout(deadline);
        exit(0);
      });
    };
    const splitter = new LineSplitter((line) => {
      let message: any;
      try {
        message = JSON.parse(line);
      } catch {
        process.stdout.write(`${JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error: stdin line is not JSON' } })}\n`);
        return;
      }
      const invalid = notAMessage(message);
      if (invalid) {
        const id = typeof message?.id === 'string' || typeof message?.id === 'number' ? message.id : null;
        process.stdout.write(`${JSON.stringify({ jsonrpc: '2.0', id, error: { code: -32600, message: `Invalid Request: ${invalid}` } })}\n`);
        return;
      }
      const handled = relay.handle(message).catch((error) => logger.error(`relay: ${error?.stack ?? error}`));
      pending.add(handled);
      void handled.finally(() => pending.delete(handled));
    });
    process.stdin.on('data', (chunk: Buffer) => splitter.push(chunk));
    process.stdin.on('end', () => {
      splitter.push(Buffer.from('\n')); // a last line without its newline still counts
      endOfInput();
    });
    process.stdin.on('error', () => exit(0));
    for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, () => exit(0));
  });
}

/**
 * Why a parsed stdin line is not a JSON-RPC message we can relay, or undefined when it is. A batch (an
 * array) passes: the legacy era of 2025-03-26 allows one, and serve answers it.
 */
function notAMessage(message: unknown): string | undefined {
  if (Array.isArray(message)) return undefined;
  if (!message || typeof message !== 'object') return 'each stdin line must be one JSON-RPC 2.0 message (a JSON object)';
  const m = message as Record<string, unknown>;
  if (m.jsonrpc !== '2.0') return 'the message lacks "jsonrpc": "2.0"';
  if (m.method === undefined ? m.id === undefined || (m.result === undefined && m.error === undefined) : typeof m.method !== 'string') {
    return 'expected a request or notification (a string "method") or a response (an "id" with "result" or "error")';
  }
  return undefined;
}

export function run(argv: string[]): Promise<number> {
  return runGroup('1mcp', ['proxy', ...argv], [{ name: 'proxy', description: 'STDIO bridge to a running 1mcp serve', options: PROXY_OPTIONS, action: proxy }]);
}
