/** Which JavaScript runtime is executing us. Only runtime/ should need to ask. */
export const isBun = typeof (globalThis as { Bun?: unknown }).Bun !== 'undefined';

/** True inside a `bun build --compile` executable (its modules live in a virtual /$bunfs/ tree). */
export function isCompiledBinary(): boolean {
  return isBun && (import.meta.url.includes('$bunfs') || import.meta.url.includes('~BUN'));
}
