/** Restart delays (docs/design.md): restartDelay × 1, 2, 4, 8 … capped at 60 s. */
export const MAX_BACKOFF_MS = 60_000;
/** Running this long without a crash forgives earlier restarts. */
export const STABLE_AFTER_MS = 5 * 60_000;

export function backoffDelay(baseMs: number, attempt: number): number {
  return Math.min(MAX_BACKOFF_MS, baseMs * 2 ** Math.max(0, attempt));
}

/** maxRestarts 0 means unlimited. */
export function exhausted(restarts: number, maxRestarts: number): boolean {
  return maxRestarts > 0 && restarts >= maxRestarts;
}
