/**
 * A task's progress outlives the request that created it (protocol 2025-11-25: the progress token
 * stays valid until the task ends). When a forwarded request's answer is a running task, its
 * progress listener is kept until the backend reports the task ended — bounded, since a backend
 * need not send task status notifications.
 */
import type { Progress } from '@modelcontextprotocol/sdk/types.js';

const TERMINAL = new Set(['completed', 'failed', 'cancelled']);
/** Running tasks whose progress is still relayed, per backend; the oldest stop beyond this. */
const MAX_TASKS = 1000;

export class TaskProgress {
  /** backend task id → our progress token */
  private byTask = new Map<string, string>();

  constructor(private readonly listeners: Map<string, (p: Progress) => void>) {}

  /** After a request's answer: whether its token stays in use (the answer is a task still running). */
  keep(result: unknown, token: string, onprogress: ((p: Progress) => void) | undefined): boolean {
    const task = (result as { task?: { taskId?: unknown; status?: unknown } } | undefined)?.task;
    if (!onprogress || typeof task?.taskId !== 'string' || TERMINAL.has(String(task.status))) return false;
    // The request is over: no time limit to re-arm any more, only the relay.
    this.listeners.set(token, onprogress);
    this.byTask.set(task.taskId, token);
    if (this.byTask.size > MAX_TASKS) {
      const [oldest, oldToken] = this.byTask.entries().next().value!;
      this.byTask.delete(oldest);
      this.listeners.delete(oldToken);
    }
    return true;
  }

  /** A task's status changed; once it ended, its progress is no longer relayed. */
  status(taskId: string, status: string): void {
    if (!TERMINAL.has(status)) return;
    const token = this.byTask.get(taskId);
    if (token === undefined) return;
    this.byTask.delete(taskId);
    this.listeners.delete(token);
  }

  /** The connection is gone: its tasks' tokens will never be used again. */
  clear(): void {
    for (const token of this.byTask.values()) this.listeners.delete(token);
    this.byTask.clear();
  }
}
