/** Open client sessions by id, with idle expiry (serve --session-idle-timeout). */
import type { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { collectGarbage } from '../../runtime/gc.ts';
import type { WebSseServerTransport } from '../http/sse-transport.ts';
import type { Router } from '../router.ts';
import type { Session } from './session.ts';

export type SessionEntry =
  | { kind: 'streamable-http'; session: Session; transport: WebStandardStreamableHTTPServerTransport }
  | { kind: 'sse'; session: Session; transport: WebSseServerTransport };

export class SessionTable {
  private entries = new Map<string, SessionEntry>();
  private sweeper?: ReturnType<typeof setInterval>;

  constructor(
    private readonly router: Router,
    private readonly idleMs: number,
  ) {
    if (idleMs > 0) {
      this.sweeper = setInterval(() => this.sweep(), Math.min(60_000, Math.max(1000, idleMs / 4)));
      this.sweeper.unref?.();
    }
  }

  get size(): number {
    return this.entries.size;
  }

  add(id: string, entry: SessionEntry): void {
    this.entries.set(id, entry);
    this.router.add(entry.session);
    entry.session.onClosed = () => {
      this.entries.delete(id);
      this.router.remove(entry.session);
    };
  }

  get(id: string): SessionEntry | undefined {
    return this.entries.get(id);
  }

  list(): SessionEntry[] {
    return [...this.entries.values()];
  }

  async close(id: string): Promise<void> {
    const entry = this.entries.get(id);
    if (!entry) return;
    this.entries.delete(id);
    this.router.remove(entry.session);
    await entry.session.close();
  }

  private sweep(): void {
    const cutoff = Date.now() - this.idleMs;
    const idle = [...this.entries].filter(([, entry]) => entry.session.lastActive < cutoff);
    if (idle.length === 0) return;
    // Hand the memory of many expired sessions back soon rather than at the engine's leisure.
    void Promise.all(idle.map(([id]) => this.close(id))).then(() => idle.length >= 10 && collectGarbage());
  }

  async closeAll(): Promise<void> {
    clearInterval(this.sweeper);
    await Promise.all([...this.entries.keys()].map((id) => this.close(id)));
  }
}
