/**
 * Child processes in their own process group, so `npx → npm → sh → node` chains die together,
 * and the group kill that goes with it. On Windows there are no process groups: kill the tree.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';

export interface SpawnOptions {
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd?: string;
}

export function spawnInGroup(options: SpawnOptions): ChildProcessWithoutNullStreams {
  return spawn(options.command, options.args, {
    env: options.env,
    cwd: options.cwd,
    stdio: ['pipe', 'pipe', 'pipe'],
    // A new process group (POSIX) whose id is the child's pid.
    detached: process.platform !== 'win32',
    windowsHide: true,
    shell: false,
  });
}

/** Send a signal to a child's whole process group (or tree on Windows). Never throws. */
export function signalGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (!pid) return;
  if (process.platform === 'win32') {
    if (signal === 'SIGKILL' || signal === 'SIGTERM') {
      try {
        spawn('taskkill', ['/pid', String(pid), '/T', '/F'], { stdio: 'ignore', windowsHide: true });
      } catch {}
    }
    return;
  }
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {}
  }
}

/** Whether a process with this pid exists (a zombie counts as existing until reaped). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Stop a child gracefully: close its stdin, then SIGTERM its group after `termAfterMs`,
 * then SIGKILL after `killAfterMs` more. Resolves when the child has exited.
 */
export function stopChild(child: ChildProcessWithoutNullStreams, termAfterMs = 200, killAfterMs = 2000): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      // The leader is gone, but its group may live on (a shell that spawned a grandchild).
      signalGroup(child.pid, 'SIGKILL');
      return resolve();
    }
    let termTimer: ReturnType<typeof setTimeout> | undefined;
    let killTimer: ReturnType<typeof setTimeout> | undefined;
    child.once('exit', () => {
      clearTimeout(termTimer);
      clearTimeout(killTimer);
      // Anything left in the group (grandchildren) goes too.
      signalGroup(child.pid, 'SIGKILL');
      resolve();
    });
    try {
      child.stdin.end();
    } catch {}
    termTimer = setTimeout(() => {
      signalGroup(child.pid, 'SIGTERM');
      killTimer = setTimeout(() => signalGroup(child.pid, 'SIGKILL'), killAfterMs);
    }, termAfterMs);
  });
}
