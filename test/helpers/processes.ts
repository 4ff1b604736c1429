/**
 * Process helpers for integration tests (Linux: reads /proc).
 *
 *   spawnTracked(cmd, args, opts)  spawn in its own process group, remember it and its descendants
 *   assertNoSurvivors(pids?)       in afterEach/afterAll: every tracked (or given) process is gone, else
 *                                  kill what is left and throw
 *   killTree(pid), waitForExit(child, ms), waitFor(check), readLine(stream, /LISTENING (\d+)/)
 *   descendantsOf(pid), isAlive(pid)
 *
 * A process that exits leaves its children to init, where descendantsOf can no longer see them; so
 * descendants of tracked processes are sampled every 50 ms while any tracked process lives.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import type { Readable } from 'node:stream';

/** Parent pid and state of a process, or undefined when it is gone. */
function stat(pid: number): { ppid: number; state: string } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm may contain spaces and parentheses: the fields we want start after the last ')'.
    const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state: rest[0]!, ppid: Number(rest[1]) };
  } catch {
    return undefined;
  }
}

/** A zombie (Z) or dead (X) process counts as gone: it runs no code and holds no resources but its pid. */
export function isAlive(pid: number): boolean {
  const s = stat(pid);
  return !!s && s.state !== 'Z' && s.state !== 'X';
}

/** ppid → child pids, for every process visible in /proc right now. */
function childrenTable(): Map<number, number[]> {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const s = stat(pid);
    if (!s) continue;
    const list = children.get(s.ppid);
    if (list) list.push(pid);
    else children.set(s.ppid, [pid]);
  }
  return children;
}

/** All living descendants of `root` (children, grandchildren, …). */
export function descendantsOf(root: number, table = childrenTable()): number[] {
  const out: number[] = [];
  const walk = (pid: number) => {
    for (const child of table.get(pid) ?? []) {
      if (isAlive(child)) out.push(child);
      walk(child);
    }
  };
  walk(root);
  return out;
}

// ---- tracking ------------------------------------------------------------------------------------

const tracked = new Set<number>();
let sampler: ReturnType<typeof setInterval> | undefined;

function sampleDescendants(): void {
  // Forget the dead at once: a pid reused later must never be mistaken for (and killed as) ours.
  for (const pid of tracked) if (!isAlive(pid)) tracked.delete(pid);
  const roots = [...tracked];
  if (roots.length === 0) {
    clearInterval(sampler);
    sampler = undefined;
    return;
  }
  const table = childrenTable();
  for (const root of roots) for (const pid of descendantsOf(root, table)) tracked.add(pid);
}

/** Remember a pid (and, from now on, its descendants) for assertNoSurvivors. */
export function track(pid: number): void {
  tracked.add(pid);
  if (!sampler) {
    sampler = setInterval(sampleDescendants, 50);
    sampler.unref();
  }
}

/** Tracked pids still alive (dead ones are dropped as they are noticed). */
export function trackedPids(): number[] {
  sampleDescendants();
  return [...tracked];
}

/**
 * spawn() with `detached: true`, so the child leads its own process group (killTree kills the group),
 * and stdio piped unless given. The child and its descendants are tracked for assertNoSurvivors.
 */
export function spawnTracked(command: string, args: string[] = [], options: SpawnOptions = {}): ChildProcess {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], ...options, detached: true });
  if (child.pid !== undefined) track(child.pid);
  return child;
}

/** SIGKILL (or `signal`) the process, its process group and every descendant; returns the pids signalled. */
export function killTree(pid: number, signal: NodeJS.Signals = 'SIGKILL'): number[] {
  const victims = [pid, ...descendantsOf(pid)];
  const kill = (target: number) => {
    try {
      process.kill(target, signal);
    } catch {} // already gone, or not a group leader (for -pid)
  };
  kill(-pid);
  for (const target of victims) kill(target);
  return victims;
}

/** Resolves with the exit code and signal; rejects when the child is still running after `ms`. */
export function waitForExit(child: ChildProcess, ms = 5000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.off('exit', onExit);
      reject(new Error(`process ${child.pid} still running after ${ms} ms`));
    }, ms);
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
      clearTimeout(timer);
      resolve({ code, signal });
    };
    child.once('exit', onExit);
  });
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

/** Throws when any of the pids is still alive after `graceMs`, after SIGKILLing the survivors. */
export async function assertAllGone(pids: number[], graceMs = 3000): Promise<void> {
  const deadline = Date.now() + graceMs;
  while (pids.some(isAlive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
  const alive = pids.filter(isAlive);
  if (alive.length === 0) return;
  for (const pid of alive) killTree(pid);
  throw new Error(`processes survived: ${alive.map((pid) => `${pid} (${commandLine(pid)})`).join(', ')}`);
}

/**
 * The given pids (default: whatever spawnTracked started, or their descendants, that is still alive) and
 * their living descendants must all be gone within `graceMs`. Checked pids are forgotten.
 */
export async function assertNoSurvivors(pids?: number[], graceMs = 3000): Promise<void> {
  const roots = pids ?? trackedPids();
  const all = [...new Set([...roots, ...roots.flatMap((pid) => descendantsOf(pid))])];
  for (const pid of all) tracked.delete(pid);
  await assertAllGone(all, graceMs);
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim().slice(0, 120);
  } catch {
    return '?';
  }
}

/**
 * The first line of `stream` matching `match` (e.g. /LISTENING (\d+)/ → m[1] is the port). Rejects when
 * the stream ends or `timeout` ms pass first. Lines before the match are consumed; afterwards the
 * stream keeps flowing, so attach any later listener right away.
 */
export function readLine(stream: Readable, match: RegExp | string, timeout = 10_000): Promise<RegExpExecArray> {
  const pattern = typeof match === 'string' ? new RegExp(match.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : match;
  return new Promise((resolve, reject) => {
    let buffer = '';
    const seen: string[] = [];
    const done = (error?: Error, m?: RegExpExecArray) => {
      clearTimeout(timer);
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('close', onEnd);
      if (error) reject(error);
      else resolve(m!);
    };
    const onData = (chunk: Buffer | string) => {
      buffer += chunk.toString();
      let newline: number;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, newline).replace(/\r$/, '');
        buffer = buffer.slice(newline + 1);
        const m = pattern.exec(line);
        if (m) return done(undefined, m);
        if (seen.length < 20) seen.push(line);
      }
    };
    const onEnd = () => done(new Error(`stream ended before a line matching ${pattern}; saw: ${JSON.stringify(seen)}`));
    const timer = setTimeout(() => done(new Error(`no line matching ${pattern} within ${timeout} ms; saw: ${JSON.stringify(seen)}`)), timeout);
    stream.on('data', onData);
    stream.once('end', onEnd);
    stream.once('close', onEnd);
  });
}
