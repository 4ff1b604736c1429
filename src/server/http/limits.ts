/** Resource limits of the HTTP edge (serve flags; docs/security.md) and a small counting semaphore. */
export const DEFAULT_LIMITS = {
  maxSessions: 1000,
  maxSessionsPerToken: 100,
  bodyTimeoutMs: 30_000,
  maxLargeBodies: 8,
};

/** `n` slots; tryTake gives a release function, or undefined when all are taken (never waits). */
export class Slots {
  private used = 0;
  constructor(private readonly n: number) {}

  tryTake(): (() => void) | undefined {
    if (this.used >= this.n) return undefined;
    this.used++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.used--;
    };
  }

  get inUse(): number {
    return this.used;
  }
}
