/**
 * `1mcp serve`, wired from the pieces below (docs/design.md): listen first, then connect backends in
 * parallel; hot reload; graceful shutdown that leaves no process behind.
 */
import { readFileSync } from 'node:fs';
import type { Backend } from '../backends/backend.ts';
import { OneMcpError } from '../errors.ts';
import { Pool } from '../backends/pool.ts';
import type { ServerDiff } from '../backends/diff.ts';
import { Catalog } from '../catalog/catalog.ts';
import { DEFAULT_DISCOVERY_THRESHOLD } from '../catalog/discovery.ts';
import { EVERYTHING, fixedView, type ViewRef } from '../catalog/view.ts';
import { loadServers } from '../config/mcp-config.ts';
import type { ServerConfig } from '../config/mcp-schema.ts';
import type { ConfigPaths } from '../config/paths.ts';
import { ensureIdentitySecret } from '../config/identity-secret.ts';
import { removePidFile, writePidFile } from '../config/pidfile.ts';
import { readPresetsFile, type Preset } from '../config/presets.ts';
import { readTokensFile } from '../config/tokens.ts';
import { mtimeCheck, type MtimeCheck } from '../config/watched-file.ts';
import type { Logger } from '../log.ts';
import type { HttpServerHandle } from '../runtime/http.ts';
import { watchFile } from '../runtime/watch.ts';
import { VERSION } from '../version.ts';
import { createApp, type AppHost } from './http/app.ts';
import { tokenAuthenticator, type Authenticator } from './http/auth.ts';
import type { OAuthServer } from './oauth/server.ts';
import { isLoopbackBind } from './http/guard.ts';
import { DEFAULT_LIMITS } from './http/limits.ts';
import type { EarlyListener } from './listen-first.ts';
import { endListens } from './modern/listen.ts';
import { Router } from './router.ts';
import type { ServeOptions } from './serve-options.ts';
import type { SessionDeps } from './sessions/session.ts';
import { SessionTable } from './sessions/table.ts';
import { AuditLog } from './audit.ts';
import { CallObserver } from './call-observer.ts';
import { metrics } from './metrics.ts';
import type { Tracing } from './tracing/index.ts';
import { tracingRequested } from './tracing/wanted.ts';
import { resolveView, type PresetSource } from './views.ts';

export class Serve implements AppHost {
  readonly version = VERSION;
  readonly startedAt = Date.now();
  readonly pool: Pool;
  readonly catalog: Catalog;
  private readonly router: Router;
  readonly sessions: SessionTable;
  readonly sessionDeps: SessionDeps;
  readonly presets: PresetSource;
  authenticator?: Authenticator;
  oauth?: OAuthServer;
  port = 0;
  private http?: HttpServerHandle;
  private presetMap = new Map<string, Preset>();
  private readonly presetsFile: MtimeCheck;
  private serverConfigs: ServerConfig[] = [];
  private watchers: { close(): void }[] = [];
  private stopping?: Promise<void>;
  private tracing?: Tracing;

  constructor(
    readonly options: ServeOptions,
    readonly paths: ConfigPaths,
    readonly log: Logger,
  ) {
    // Catalog and router read the pool's backends only when asked, so they can exist before it and
    // the pool gets the router's hooks at construction.
    const backends = () => this.pool.all();
    this.catalog = new Catalog(backends, undefined, { mode: options.discovery ?? 'off', threshold: options.discoveryThreshold ?? DEFAULT_DISCOVERY_THRESHOLD });
    this.router = new Router(this.catalog, backends, log);
    const hooks = this.router.hooks(
      () => this.catalogChanged(),
      (b) => this.backendStateChanged(b),
    );
    this.pool = new Pool(hooks, log);
    this.sessions = new SessionTable(this.router, options.sessionIdleTimeoutMinutes * 60_000, {
      maxSessions: options.maxSessions ?? DEFAULT_LIMITS.maxSessions,
      maxSessionsPerToken: options.maxSessionsPerToken ?? DEFAULT_LIMITS.maxSessionsPerToken,
    });
    this.presetsFile = mtimeCheck(paths.presetsJson);
    this.presets = {
      // A preset created a moment ago may not have reached us through the watcher yet: look again.
      get: (n) => this.presetMap.get(n) ?? (this.reloadPresetsIfChanged() ? this.presetMap.get(n) : undefined),
      names: () => [...this.presetMap.keys()],
    };
    const template = options.instructionsTemplate ? readTemplate(options.instructionsTemplate) : undefined;
    this.sessionDeps = {
      catalog: this.catalog,
      router: this.router,
      log,
      pagination: options.pagination,
      instructionsTemplate: template,
      waitForStartup: () => (this.pool.isStarting() ? this.pool.waitReady(options.listWait) : Promise.resolve()),
      subscribeSupported: () => this.pool.all().some((b) => !!b.capabilities.resources?.subscribe),
      instances: this.pool.instances,
      observer: this.observer,
    };
  }

  /** Metrics (GET /metrics) and the audit log of the calls sessions forward. */
  private readonly observer = new CallObserver(metrics);

  metricsText(): string {
    return metrics.render({ version: VERSION, startedAt: this.startedAt, backends: () => this.pool.all(), sessions: () => this.router.sessions });
  }

  get configDir(): string {
    return this.paths.dir;
  }

  get url(): string {
    if (this.options.externalUrl) return `${this.options.externalUrl.replace(/\/+$/, '')}/mcp`;
    const host = this.options.host === '0.0.0.0' || this.options.host === '::' ? '127.0.0.1' : this.options.host.includes(':') ? `[${this.options.host}]` : this.options.host;
    return `http://${host}:${this.port}/mcp`;
  }

  /** The view for requests that name none: serve --preset / --filter, else everything. */
  defaultView(): ViewRef {
    const { preset, filter } = this.options;
    if (preset || filter) return resolveView({ preset, filter }, this.presets, () => fixedView(EVERYTHING));
    return fixedView(EVERYTHING);
  }

  private reloadPresetsIfChanged(): boolean {
    if (!this.presetsFile.changed()) return false;
    this.readPresets();
    return true;
  }

  /** Read presets.json now (the watcher saw a change, even one its modification time may not show). */
  private loadPresets(): void {
    this.presetsFile.changed();
    this.readPresets();
  }

  private readPresets(): void {
    try {
      const file = readPresetsFile(this.paths.presetsJson);
      this.presetMap = new Map(Object.entries(file.presets).map(([k, v]) => [k, v]));
    } catch (error) {
      this.log.error(`${(error as Error).message}; keeping the presets loaded before`);
    }
  }

  private catalogChanged(): void {
    this.catalog.rebuild();
    this.router.catalogChanged();
  }

  private backendStateChanged(backend: Backend): void {
    metrics.backendState(backend.name, backend.state);
    // Lists appear when a backend connects (and its cached lists may be replaced on reconnect).
    if (backend.state === 'connected' || backend.state === 'stopped' || backend.state === 'disabled') this.catalogChanged();
  }

  /** Wire everything behind `listener` (already listening, so HTTP answers at once), then connect backends in parallel. */
  async start(listener: EarlyListener): Promise<void> {
    this.serverConfigs = loadServers(this.paths.mcpJson, { substitute: this.options.enableEnvSubstitution });
    this.loadPresets();
    this.defaultView(); // validates --filter and --preset early (throws one clear error; the CLI checks --preset first)
    if (this.options.enableAuth) {
      if (this.options.oauth) {
        const { oauthServer } = await import('./oauth/server.ts');
        this.oauth = oauthServer({
          configDir: this.paths.dir,
          backups: this.paths.backups,
          externalUrl: this.options.externalUrl,
          localOnly: isLoopbackBind(this.options.host) && !this.options.externalUrl,
          knownTags: () => [...new Set(this.pool.all().flatMap((b) => b.config.tags ?? []))],
          accessTtlMs: this.options.oauthTokenTtlMs,
          log: this.log,
        });
      }
      this.authenticator = tokenAuthenticator(this.paths.tokensJson, this.log, this.oauth);
      if (!this.oauth && Object.keys(readTokensFile(this.paths.tokensJson).tokens).length === 0) {
        this.log.warn('--enable-auth is on but there is no token yet: every client is refused until you run "1mcp auth token create"');
      }
    }
    // Traces only when an OTLP endpoint is configured; otherwise nothing of tracing/ is even loaded.
    if (tracingRequested(process.env)) this.tracing = (await import('./tracing/index.ts')).startTracing(process.env, this.log);
    this.sessionDeps.tracer = this.tracing?.tracer;
    if (this.options.auditLog) this.openAuditLog(this.options.auditLog);
    this.http = listener.http;
    this.port = listener.http.port;
    listener.ready(createApp(this));
    ensureIdentitySecret(this.paths.dir); // before server.pid: a proxy that finds us can check our identity
    if (this.options.ownsPidFile !== false) writePidFile(this.paths.pidFile, {
      pid: process.pid,
      url: this.url,
      port: this.port,
      host: this.options.host,
      transport: 'http',
      startedAt: new Date(this.startedAt).toISOString(),
      configDir: this.paths.dir,
      version: VERSION,
    });
    this.pool.start(this.serverConfigs);
    if (this.options.enableConfigReload) this.watchConfig();
  }

  private watchConfig(): void {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const debounce = (fn: () => void) => () => {
      clearTimeout(timer);
      timer = setTimeout(fn, this.options.configReloadDebounce);
    };
    let presetTimer: ReturnType<typeof setTimeout> | undefined;
    this.watchers.push(watchFile(this.paths.mcpJson, debounce(() => void this.reload())));
    this.watchers.push(
      watchFile(this.paths.presetsJson, () => {
        clearTimeout(presetTimer);
        presetTimer = setTimeout(() => {
          this.loadPresets();
          this.catalogChanged();
        }, Math.min(100, this.options.configReloadDebounce));
      }),
    );
  }

  /**
   * Why the last reload of mcp.json was rejected (serve keeps the previous configuration meanwhile);
   * undefined once a reload succeeds. Shown by /api/status and /health.
   */
  configError?: string;

  /** Re-read mcp.json; an invalid file keeps the running configuration. */
  async reload(): Promise<void> {
    let next: ServerConfig[];
    try {
      next = loadServers(this.paths.mcpJson, { substitute: this.options.enableEnvSubstitution });
    } catch (error) {
      this.configError = (error as Error).message;
      this.log.error(`config not reloaded: ${this.configError}; still running the previous configuration`);
      return;
    }
    this.configError = undefined;
    const before = new Map(this.serverConfigs.map((s) => [s.name, s]));
    const diff = await this.pool.apply(next);
    this.serverConfigs = next;
    const summary = reloadSummary(diff, before);
    if (summary) this.log.info(`config reloaded: ${summary}`);
    this.catalogChanged();
  }

  /** serve --audit-log: a file that cannot be opened stops serve before it accepts a client. */
  private openAuditLog(path: string): void {
    let warned = false;
    try {
      this.observer.audit = new AuditLog({
        path,
        maxBytes: this.options.auditMaxBytes,
        withArguments: this.options.auditArgs,
        onError: (error) => {
          metrics.auditWriteErrors++;
          if (!warned) this.log.error(`cannot write the audit log ${path}: ${error.message}; calls go on, unrecorded (onemcp_audit_write_errors_total counts them)`);
          warned = true;
        },
      });
    } catch (error) {
      throw new OneMcpError(`cannot open the audit log ${path}: ${(error as Error).message}`);
    }
  }

  /** Stop accepting, close sessions and backends, remove server.pid. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      for (const w of this.watchers) w.close();
      this.authenticator?.close();
      this.oauth?.close();
      // Open subscriptions/listen streams end with their closing result before connections are cut.
      // A moment for those last bytes to leave: a forced close drops what is still buffered.
      if (endListens(this.router) > 0) await new Promise((r) => setTimeout(r, 50));
      const closing = this.http?.close(true);
      await this.sessions.closeAll();
      await this.pool.stopAll();
      this.observer.audit?.close();
      await this.tracing?.shutdown(); // the last spans, bounded: a silent collector cannot hold serve up
      removePidFile(this.paths.pidFile);
      await Promise.race([closing, new Promise((r) => setTimeout(r, 500))]);
    })();
    return this.stopping;
  }
}

/** What a reload did, in the words a user would use ("disabled web"); empty when nothing changed. */
function reloadSummary(diff: ServerDiff, before: Map<string, ServerConfig>): string {
  const names = (list: ServerConfig[]) => list.map((s) => s.name).join(', ');
  const toggled = (s: ServerConfig) => before.get(s.name)?.disabled !== s.disabled;
  const disabled = diff.restarted.filter((s) => toggled(s) && s.disabled);
  const enabled = diff.restarted.filter((s) => toggled(s) && !s.disabled);
  const restarted = diff.restarted.filter((s) => !toggled(s));
  const parts = [
    diff.added.length && `added ${diff.added.map((s) => (s.disabled ? `${s.name} (disabled)` : s.name)).join(', ')}`,
    diff.removed.length && `removed ${diff.removed.join(', ')}`,
    disabled.length && `disabled ${names(disabled)}`,
    enabled.length && `enabled ${names(enabled)}`,
    restarted.length && `restarted ${names(restarted)}`,
    diff.updated.length && `updated ${names(diff.updated)}`,
  ].filter(Boolean);
  return parts.join('; ');
}

function readTemplate(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new OneMcpError(`cannot read --instructions-template ${path}: ${(error as Error).message}`);
  }
}
