/** `1mcp serve` (README.md) — also the default command. */
import { OneMcpError, UsageError } from '../errors.ts';
import { onShutdownSignal } from '../runtime/signals.ts';
import { normalizeOrigin } from '../server/http/guard.ts';
import { parseSize } from '../server/size.ts';
import { parseDuration } from '../config/tokens.ts';
import { resolve } from 'node:path';
import { commandContext } from './context.ts';
import { color } from './output.ts';
import { runGroup, type OptionSpec } from './program.ts';

export const SERVE_OPTIONS: OptionSpec[] = [
  { flags: '-P, --port <n>', description: 'TCP port (0 = any free port)', default: 3050, type: 'number', integer: true, min: 0, max: 65535 },
  { flags: '-H, --host <h>', description: 'Bind address', default: '127.0.0.1' },
  { flags: '-u, --external-url <url>', description: 'Public base URL (reverse proxy)' },
  { flags: '--enable-auth [mode]', description: 'Require a bearer token; "--enable-auth oauth" also lets OAuth clients connect (approved by you on a consent page)', type: 'string', default: false },
  { flags: '--enable-config-reload', description: 'Hot reload of mcp.json (--no-enable-config-reload to turn off)', type: 'boolean', default: true },
  { flags: '--config-reload-debounce <ms>', description: 'Debounce for reloads', default: 500, type: 'number', integer: true, min: 0 },
  { flags: '--enable-env-substitution', description: '${VAR} in config', type: 'boolean', default: true },
  { flags: '--health-info-level <l>', description: 'minimal, basic or full', default: 'minimal' },
  { flags: '-T, --instructions-template <file>', description: 'Template for aggregated instructions' },
  { flags: '-f, --filter <expr>', description: 'Default view: tag-filter expression' },
  { flags: '--preset <name>', description: 'Default view: preset' },
  { flags: '-p, --pagination', description: 'Page aggregated lists by default', type: 'boolean', default: false },
  { flags: '--discovery <mode>', description: 'How views list their tools unless they choose: off (every tool), search (pins + 3 meta-tools), auto (search above --discovery-threshold)', default: 'off' },
  { flags: '--discovery-threshold <n>', description: 'auto: search mode when a view has more tools than this', default: 40, type: 'number', integer: true, min: 0 },
  { flags: '--session-idle-timeout <min>', description: 'Close idle HTTP sessions after this many minutes (0 = never)', default: 30, type: 'number', min: 0 },
  { flags: '--force', description: 'Start even when a serve already runs on this config dir (that one keeps server.pid)', type: 'boolean', default: false, env: false },
  { flags: '--list-wait <ms>', description: 'How long a list request waits for starting backends', default: 5000, type: 'number', integer: true, min: 0 },
  { flags: '--allow-origin <origin>', description: 'Also accept requests from this browser origin, e.g. http://localhost:5173 (repeatable)', type: 'list' },
  { flags: '--max-sessions <n>', description: 'Open client sessions at most; beyond, the least recently active idle one is closed', default: 1000, type: 'number' },
  { flags: '--max-sessions-per-token <n>', description: 'Open sessions per bearer token at most (with --enable-auth)', default: 100, type: 'number' },
  { flags: '--body-timeout <s>', description: 'Seconds a client may take to send a request body', default: 30, type: 'number' },
  { flags: '--audit-log <file>', description: 'Append one JSON line per tools/call, prompts/get and resources/read to this file (0600, rotated by size)' },
  { flags: '--audit-args', description: 'Also record call arguments in the audit log, secrets redacted', type: 'boolean', default: false },
  { flags: '--audit-max-size <size>', description: 'Rotate the audit log at this size (e.g. 10MiB, 500k); 5 older files are kept', default: '10MiB' },
  { flags: '--oauth-token-ttl <duration>', description: 'With --enable-auth oauth: lifetime of the access tokens serve issues, 1s to 24h, e.g. 15m (default 1h; clients refresh them)' },
  { flags: '--log-max-size <size>', description: 'Rotate --log-file at this size (e.g. 5MiB, 500k); 3 older files are kept', default: '5MiB' },
  { flags: '--max-large-bodies <n>', description: 'Request bodies over 1 MiB received at the same time at most', default: 8, type: 'number' },
];

async function serve(_args: string[], options: Record<string, any>): Promise<number> {
  const { paths, log } = commandContext(options, { maxBytes: sizeOption(options.logMaxSize, '--log-max-size') });
  if (!['minimal', 'basic', 'full'].includes(options.healthInfoLevel)) throw new UsageError('--health-info-level must be minimal, basic or full');
  if (options.filter && options.preset) throw new UsageError('use either --filter or --preset, not both');
  if (!['search', 'auto', 'off'].includes(options.discovery)) throw new UsageError(`--discovery must be search, auto or off (got "${options.discovery}")`);
  // One clear outcome for a mistyped preset: refuse now, before anything listens.
  if (options.preset) (await import('../config/presets.ts')).assertPresetExists(paths.presetsJson, options.preset);
  const auth = authMode(options.enableAuth);
  const edge = edgeLimits(options);
  const audit = auditOptions(options);
  const oauthTokenTtlMs = oauthTokenTtl(options.oauthTokenTtl, auth);
  // One serve per config dir: a second one would take over server.pid and hide the first.
  const other = await (await import('./serve-running.ts')).runningServe(paths.pidFile);
  if (other && !options.force) {
    throw new OneMcpError(`a 1mcp serve is already running on ${paths.dir} (pid ${other.pid}, ${other.url}); use that one, stop it first, or pass --force to start a second one anyway`);
  }
  if (other) log.warn(`--force: the serve with pid ${other.pid} (${other.url}) keeps server.pid, so proxies and "1mcp mcp status" find that one, not this one`);
  // Listen first; the rest of serve (MCP SDK and all) loads while the socket already answers /health.
  const { listenFirst } = await import('../server/listen-first.ts');
  let listener: Awaited<ReturnType<typeof listenFirst>>;
  try {
    listener = await listenFirst({ port: options.port, host: options.host, externalUrl: options.externalUrl, allowOrigins: edge.allowOrigins, mcpJson: paths.mcpJson });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || /address already in use|EADDRINUSE|port .* in use/i.test(String((error as Error).message))) {
      throw new OneMcpError(`port ${options.port} on ${options.host} is already in use; is another 1mcp serve running? Stop it or choose --port`);
    }
    throw error;
  }
  const { Serve } = await import('../server/serve.ts');
  const rt = new Serve(
    {
      port: options.port,
      host: options.host,
      externalUrl: options.externalUrl,
      enableConfigReload: options.enableConfigReload,
      configReloadDebounce: options.configReloadDebounce,
      enableEnvSubstitution: options.enableEnvSubstitution,
      healthInfoLevel: options.healthInfoLevel,
      instructionsTemplate: options.instructionsTemplate,
      filter: options.filter,
      preset: options.preset,
      pagination: options.pagination,
      discovery: options.discovery,
      discoveryThreshold: options.discoveryThreshold,
      sessionIdleTimeoutMinutes: options.sessionIdleTimeout,
      listWait: options.listWait,
      enableAuth: auth !== 'off',
      oauth: auth === 'oauth',
      oauthTokenTtlMs,
      ownsPidFile: !other,
      ...edge,
      ...audit,
    },
    paths,
    log,
  );
  try {
    await rt.start(listener);
  } catch (error) {
    listener.fail();
    await listener.http.close(true).catch(() => {});
    await rt.stop().catch(() => {});
    throw error;
  }
  const servers = rt.pool.all();
  process.stderr.write(`1mcp ${rt.version} serving ${color.bold(rt.url)}${boundNote(options.host, rt.port, rt.url)} — ${servers.length} server${servers.length === 1 ? '' : 's'}, config ${paths.dir}\n`);
  if (servers.length === 0) {
    process.stderr.write(`No servers configured yet. Add one: 1mcp mcp add <name> -- <command> [args…]  (hot reload picks it up)\n`);
  }
  showProgress(rt);
  await new Promise<void>((resolve) => {
    onShutdownSignal(async (signal) => {
      log.info(`${signal}: shutting down`);
      // Whatever happens, be gone within 3 s (docs/design.md).
      setTimeout(() => process.exit(0), 2900).unref();
      await rt.stop();
      resolve();
    });
  });
  return 0;
}

/** The address actually bound, when the printed URL does not show it (0.0.0.0, ::, a name, --external-url). */
function boundNote(host: string, port: number, url: string): string {
  const bound = host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`;
  if (new URL(url).host === bound) return '';
  const everywhere = host === '0.0.0.0' || host === '::' ? ', all interfaces' : '';
  return ` (bound to ${bound}${everywhere})`;
}

/** --enable-auth: bare (or true) = bearer tokens; "oauth" = OAuth clients as well; false/off = none. */
function authMode(value: unknown): 'off' | 'bearer' | 'oauth' {
  if (value === undefined || value === false) return 'off';
  if (value === true) return 'bearer';
  const text = String(value).trim().toLowerCase();
  if (text === 'oauth') return 'oauth';
  if (/^(true|1|yes|on|bearer|token|tokens)$/.test(text)) return 'bearer';
  if (/^(false|0|no|off)$/.test(text)) return 'off';
  throw new UsageError(`--enable-auth takes no value (bearer tokens) or "oauth" (OAuth clients as well as bearer tokens); got "${String(value)}"`);
}

/** Bounds of --oauth-token-ttl: a token must outlive one request; beyond a day a leaked one lives too long. */
const MIN_ACCESS_TTL_MS = 1000;
const MAX_ACCESS_TTL_MS = 24 * 60 * 60_000;

/** --oauth-token-ttl (or ONE_MCP_OAUTH_TOKEN_TTL): a duration within the bounds, and only beside --enable-auth oauth. */
function oauthTokenTtl(value: unknown, auth: 'off' | 'bearer' | 'oauth'): number | undefined {
  if (value === undefined || value === '') return undefined;
  const text = String(value);
  // Silently ignored it would let someone believe their tokens are short-lived when no OAuth is on at all.
  if (auth !== 'oauth') throw new UsageError(`--oauth-token-ttl sets the lifetime of OAuth access tokens: add --enable-auth oauth, or leave it out (got "${text}")`);
  const bad = () => new UsageError(`--oauth-token-ttl must be a duration from 1s to 24h, such as 15m or 1h (got "${text}")`);
  let ms: number;
  try {
    ms = parseDuration(text);
  } catch {
    throw bad();
  }
  if (ms < MIN_ACCESS_TTL_MS || ms > MAX_ACCESS_TTL_MS) throw bad();
  return ms;
}

/** The HTTP edge's limits and allowed origins, checked here so a bad value is a usage error. */
function edgeLimits(options: Record<string, any>) {
  const whole = (flag: string, value: number, min: number) => {
    if (!Number.isInteger(value) || value < min) throw new UsageError(`--${flag} must be a whole number ≥ ${min} (got ${value})`);
    return value;
  };
  if (!(options.bodyTimeout > 0)) throw new UsageError(`--body-timeout must be a number of seconds > 0 (got ${options.bodyTimeout})`);
  const allowOrigins: string[] = [];
  for (const value of (options.allowOrigin ?? []) as string[]) {
    for (const part of value.split(',').map((v) => v.trim()).filter(Boolean)) {
      try {
        allowOrigins.push(normalizeOrigin(part));
      } catch (error) {
        throw new UsageError((error as Error).message);
      }
    }
  }
  return {
    allowOrigins,
    maxSessions: whole('max-sessions', options.maxSessions, 1),
    maxSessionsPerToken: whole('max-sessions-per-token', options.maxSessionsPerToken, 1),
    bodyTimeoutMs: options.bodyTimeout * 1000,
    maxLargeBodies: whole('max-large-bodies', options.maxLargeBodies, 1),
  };
}

/** A size flag (10MiB, 500k, bytes) as a number, or a usage error naming the flag. */
function sizeOption(value: unknown, flag: string): number {
  try {
    return parseSize(String(value), flag);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** --audit-log and its companions, checked here so a bad value is a usage error before anything listens. */
function auditOptions(options: Record<string, any>) {
  const file = options.auditLog as string | undefined;
  if (file === undefined || file === '') {
    if (options.auditArgs) throw new UsageError('--audit-args records arguments in the audit log: add --audit-log <file>');
    return {};
  }
  let maxBytes: number;
  try {
    maxBytes = parseSize(String(options.auditMaxSize));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  return { auditLog: resolve(file), auditArgs: !!options.auditArgs, auditMaxBytes: maxBytes };
}

/** On a terminal, say which servers are connecting and how many are ready; nothing when piped. */
function showProgress(rt: import('../server/serve.ts').Serve): void {
  if (!process.stderr.isTTY) return;
  const backends = rt.pool.all().filter((b) => b.state !== 'disabled');
  if (backends.length === 0) return;
  const started = Date.now();
  const timer = setInterval(() => {
    const ready = backends.filter((b) => b.state === 'connected').length;
    const pending = backends.filter((b) => b.state === 'starting').map((b) => b.name);
    process.stderr.write(`\r\x1b[2K${color.dim(`${ready}/${backends.length} ready${pending.length ? ` — connecting ${pending.slice(0, 3).join(', ')}${pending.length > 3 ? '…' : ''}` : ''}`)}`);
    if (pending.length === 0 || Date.now() - started > 120_000) {
      clearInterval(timer);
      const failed = backends.filter((b) => b.state !== 'connected');
      process.stderr.write(`\r\x1b[2K${ready}/${backends.length} servers ready${failed.length ? `; not connected: ${failed.map((b) => `${b.name} (${b.state})`).join(', ')}` : ''}\n`);
    }
  }, 100);
  timer.unref();
}

export function run(argv: string[]): Promise<number> {
  // `1mcp` and `1mcp --port 4000` mean serve; `1mcp serve …` too.
  return runGroup('1mcp', ['serve', ...argv], [{ name: 'serve', description: 'Run the aggregating MCP server', options: SERVE_OPTIONS, action: serve }]);
}
