/**
 * Open client sessions by id, with idle expiry (serve --session-idle-timeout) and caps
 * (--max-sessions in total, --max-sessions-per-token per bearer token hash): to admit a new session
 * beyond a cap, the least recently active session without a call in progress is closed; when every
 * session is busy, the new one is refused.
 */
import type { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { collectGarbage } from '../../runtime/gc.ts';
import type { WebSseServerTransport } from '../http/sse-transport.ts';
import type { Router } from '../router.ts';
import type { Session } from './session.ts';

const EVICTIONS_PER_GC = 1000;

export type SessionEntry = (
  | { kind: 'streamable-http'; session: Session; transport: WebStandardStreamableHTTPServerTransport }
  | { kind: 'sse'; session: Session; transport: WebSseServerTransport }
) & {
  /** Requests of this session still being answered (a session with any is not idle). */
  inFlight?: number;
  /** When the session was opened (ms since the epoch), for the dashboard's session list. */
  openedAt?: number;
};

export interface SessionCaps {
  maxSessions: number;
  maxSessionsPerToken: number;
}

/** A place held for a session being initialized; give it back with release() if it never opens. */
export interface Admission {
  release(): void;
}

export class SessionTable {
  private entries = new Map<string, SessionEntry>();
  private sweeper?: ReturnType<typeof setInterval>;
  /** Places held by initializes in progress, in total and per owner, so a burst cannot overshoot a cap. */
  private reserved = 0;
  private reservedBy = new Map<string, number>();
  private evictions = 0;

  constructor(
    private readonly router: Router,
    private readonly idleMs: number,
    private readonly caps: SessionCaps = { maxSessions: Infinity, maxSessionsPerToken: Infinity },
  ) {
    if (idleMs > 0) {
      this.sweeper = setInterval(() => this.sweep(), Math.min(60_000, Math.max(1000, idleMs / 4)));
      this.sweeper.unref?.();
    }
  }

  get size(): number {
    return this.entries.size;
  }

  /**
   * Make room for one more session of `owner` (a token hash; undefined without auth). Returns an
   * Admission, or a message saying why there is no room.
   */
  admit(owner?: string): Admission | string {
    if (owner !== undefined) {
      const mine = () => this.countOf(owner) + (this.reservedBy.get(owner) ?? 0);
      while (mine() >= this.caps.maxSessionsPerToken) {
        if (!this.evictOne((e) => e.session.owner === owner)) {
          return `this token already has ${this.caps.maxSessionsPerToken} open sessions, all busy (serve --max-sessions-per-token); close one or retry later`;
        }
      }
    }
    while (this.entries.size + this.reserved >= this.caps.maxSessions) {
      if (!this.evictOne(() => true)) {
        return `serve has ${this.caps.maxSessions} open sessions, all busy (serve --max-sessions); retry later`;
      }
    }
    this.reserved++;
    if (owner !== undefined) this.reservedBy.set(owner, (this.reservedBy.get(owner) ?? 0) + 1);
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.reserved--;
        if (owner === undefined) return;
        const n = (this.reservedBy.get(owner) ?? 1) - 1;
        if (n > 0) this.reservedBy.set(owner, n);
        else this.reservedBy.delete(owner);
      },
    };
  }

  private countOf(owner: string): number {
    let n = 0;
    for (const entry of this.entries.values()) if (entry.session.owner === owner) n++;
    return n;
  }

  /** Close the least recently active idle session that `matches`; false when there is none. */
  private evictOne(matches: (entry: SessionEntry) => boolean): boolean {
    let oldest: [string, SessionEntry] | undefined;
    for (const item of this.entries) {
      const [, entry] = item;
      if ((entry.inFlight ?? 0) > 0 || !matches(entry)) continue;
      if (!oldest || entry.session.lastActive < oldest[1].session.lastActive) oldest = item;
    }
    if (!oldest) return false;
    // Out of the table at once (the cap counts it gone); the close itself may finish later.
    void this.close(oldest[0]);
    // Under a flood, hand evicted sessions' memory back in batches rather than at the engine's leisure.
    if (++this.evictions % EVICTIONS_PER_GC === 0) setTimeout(collectGarbage, 0).unref?.();
    return true;
  }

  add(id: string, entry: SessionEntry): void {
    entry.openedAt ??= Date.now();
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

  /** Every open session with its id (the dashboard's list). */
  list(): [string, SessionEntry][] {
    return [...this.entries];
  }

  /** Sessions with a call in progress (these are never evicted). */
  get busy(): number {
    let n = 0;
    for (const entry of this.entries.values()) if ((entry.inFlight ?? 0) > 0) n++;
    return n;
  }

  /** Sessions opened by this owner (a token hash). */
  countOwnedBy(owner: string): number {
    return this.countOf(owner);
  }

  async close(id: string): Promise<void> {
    const entry = this.entries.get(id);
    if (!entry) return;
    this.entries.delete(id);
    this.router.remove(entry.session);
    await entry.session.close();
  }

  /** Close every session whose owner fails `keep` (a revoked or expired token); returns how many. */
  closeWhere(drop: (owner: string | undefined) => boolean): number {
    const doomed = [...this.entries].filter(([, entry]) => drop(entry.session.owner)).map(([id]) => id);
    for (const id of doomed) void this.close(id);
    return doomed.length;
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
