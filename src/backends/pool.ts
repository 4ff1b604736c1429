/** The set of backends: start them all in parallel, apply config diffs, stop them all. */
import type { ServerConfig } from '../config/mcp-schema.ts';
import type { Logger } from '../log.ts';
import { Backend, type BackendHooks } from './backend.ts';
import { diffServers, type ServerDiff } from './diff.ts';

export class Pool {
  private backends = new Map<string, Backend>();
  private configs: ServerConfig[] = [];

  constructor(
    private readonly hooks: BackendHooks,
    private readonly log: Logger,
  ) {}

  /** Backends in config order (the order lists are aggregated in). */
  all(): Backend[] {
    return this.configs.map((c) => this.backends.get(c.name)!).filter(Boolean);
  }

  get(name: string): Backend | undefined {
    return this.backends.get(name);
  }

  start(configs: ServerConfig[]): void {
    this.configs = configs;
    for (const config of configs) {
      const backend = new Backend(config, this.hooks, this.log);
      this.backends.set(config.name, backend);
      backend.start();
    }
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
    for (const config of diff.added) {
      const backend = new Backend(config, this.hooks, this.log);
      this.backends.set(config.name, backend);
      backend.start();
    }
    for (const config of diff.restarted) void this.backends.get(config.name)?.restart(config);
    for (const config of diff.updated) {
      const backend = this.backends.get(config.name);
      if (backend) backend.config = config;
    }
    return diff;
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.all().map((b) => b.stop()));
  }
}
