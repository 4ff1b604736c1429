/** Process helpers for integration tests: descendants via /proc, liveness, waiting. */
import { readdirSync, readFileSync } from 'node:fs';

/** Parent pid and state of a process, or undefined when it is gone. */
function stat(pid: number): { ppid: number; state: string } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm may contain spaces and parentheses: fields start after the last ')'.
    const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state: rest[0]!, ppid: Number(rest[1]) };
  } catch {
    return undefined;
  }
}

export function isAlive(pid: number): boolean {
  const s = stat(pid);
  return !!s && s.state !== 'Z' && s.state !== 'X';
}

/** All living descendants of `root` (children, grandchildren, …). */
export function descendantsOf(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const s = stat(pid);
    if (!s) continue;
    if (!children.has(s.ppid)) children.set(s.ppid, []);
    children.get(s.ppid)!.push(pid);
  }
  const out: number[] = [];
  const walk = (pid: number) => {
    for (const c of children.get(pid) ?? []) {
      if (isAlive(c)) out.push(c);
      walk(c);
    }
  };
  walk(root);
  return out;
}

export async function waitFor<T>(check: () => T | Promise<T>, { timeout = 10_000, interval = 25, what = 'condition' } = {}): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const v = await check();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, interval));
  }
}

/** Throws when any of the pids is still alive (after a short grace period). */
export async function assertAllGone(pids: number[], graceMs = 3000): Promise<void> {
  const deadline = Date.now() + graceMs;
  while (pids.some(isAlive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
  const alive = pids.filter(isAlive);
  if (alive.length) {
    for (const pid of alive) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {}
    }
    throw new Error(`processes survived: ${alive.join(', ')}`);
  }
}
