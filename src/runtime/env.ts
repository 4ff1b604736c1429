/** Which JavaScript runtime is executing us. Only runtime/ should need to ask. */
export const isBun = typeof (globalThis as { Bun?: unknown }).Bun !== 'undefined';

/**
 * True inside a `bun build --compile` executable: its entry script lives in a virtual file system
 * (`/$bunfs/…` on POSIX, `B:/~BUN/…` on Windows).
 */
export function isCompiledBinary(): boolean {
  if (!isBun) return false;
  const main = String((globalThis as { Bun?: { main?: string } }).Bun?.main ?? process.argv[1] ?? '');
  return main.includes('$bunfs') || main.includes('~BUN');
}
