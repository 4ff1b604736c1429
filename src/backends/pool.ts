/** The set of backends: start them all in parallel, apply config diffs, stop them all. */
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import type { ServerConfig } from '../config/mcp-schema.ts';
import type { Logger } from '../log.ts';
import { Backend, type BackendHooks } from './backend.ts';
import { diffServers, type ServerDiff } from './diff.ts';
import { isPerSession, SessionInstances } from './instances.ts';
import type { BackendStatus } from './types.ts';

/**
 * A configured server. With `"scope": "session"` it is the listing instance: stopping or restarting
 * it also stops the per-session instances, and its status counts them.
 */
class PoolBackend extends Backend {
  constructor(
    config: ServerConfig,
    hooks: BackendHooks,
    log: Logger,
    private readonly instances: SessionInstances,
  ) {
    super(config, hooks, log);
  }

  override async stop(): Promise<void> {
    await Promise.all([super.stop(), this.instances.stopServer(this.name)]);
  }

  override async restart(config = this.config): Promise<void> {
    // A session that starts its instance while the old ones are stopping must get the new entry.
    this.config = config;
    await super.restart(config);
  }

  override status(): BackendStatus {
    const status = super.status();
    if (this.config.scope !== 'session') return status;
    return { ...status, scope: 'session', instances: this.instances.count(this.name), maxInstances: this.config.maxInstances };
  }
}

export class Pool {
  private backends = new Map<string, Backend>();
  private configs: ServerConfig[] = [];
  /** Per-session instances of `"scope": "session"` servers, started by sessions on first use. */
  readonly instances: SessionInstances;
  private readonly hooks: BackendHooks;

  constructor(
    hooks: BackendHooks,
    private readonly log: Logger,
  ) {
    this.instances = new SessionInstances(hooks, log);
    this.hooks = {
      ...hooks,
      // A listing instance belongs to no client: it is never handed a client's roots or questions.
      onServerRequest: (backend, method, params, signal) =>
        isPerSession(backend)
          ? Promise.reject(new McpError(ErrorCode.MethodNotFound, `${method} is not available to the listing instance of per-session server "${backend.name}"`))
          : hooks.onServerRequest(backend, method, params, signal),
    };
  }

  private create(config: ServerConfig): Backend {
    const backend = new PoolBackend(config, this.hooks, this.log, this.instances);
    this.backends.set(config.name, backend);
    backend.start();
    return backend;
  }

  /** Backends in config order (the order lists are aggregated in). */
  all(): Backend[] {
    return this.configs.map((c) => this.backends.get(c.name)!).filter(Boolean);
  }

  get(name: string): Backend | undefined {
    return this.backends.get(name);
  }

  start(configs: ServerConfig[]): void {
    this.configs = configs;
    for (const config of configs) this.create(config);
  }

  /** Wait until every enabled backend has connected or failed once, at most `ms`. */
  async waitReady(ms: number): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      Promise.all(this.all().map((b) => b.ready)),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, ms))),
    ]);
    clearTimeout(timer);
  }

  isStarting(): boolean {
    return this.all().some((b) => b.state === 'starting');
  }

  async apply(configs: ServerConfig[]): Promise<ServerDiff> {
    const diff = diffServers(this.configs, configs);
    this.configs = configs;
    await Promise.all(
      diff.removed.map(async (name) => {
        const backend = this.backends.get(name);
        this.backends.delete(name);
        await backend?.stop();
      }),
    );
    for (const config of diff.added) this.create(config);
    // Restarting a server also stops its per-session instances: each session starts a fresh one on next use.
    for (const config of diff.restarted) void this.backends.get(config.name)?.restart(config);
    for (const config of diff.updated) {
      const backend = this.backends.get(config.name);
      if (backend) backend.config = config;
      if (config.scope === 'shared') void this.instances.stopServer(config.name);
      else this.instances.updateConfig(config);
    }
    return diff;
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.all().map((b) => b.stop()), this.instances.stopAll()]);
  }
}
