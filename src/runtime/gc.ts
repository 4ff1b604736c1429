/** Ask the engine to collect garbage now (after many sessions closed at once); a no-op where unsupported. */
export function collectGarbage(): void {
  const bun = (globalThis as { Bun?: { gc?: (force: boolean) => void } }).Bun;
  if (bun?.gc) bun.gc(true);
  else (globalThis as { gc?: () => void }).gc?.();
}
