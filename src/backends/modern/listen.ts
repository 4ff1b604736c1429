/**
 * The one `subscriptions/listen` request a modern backend's connection keeps open (docs/protocol.md,
 * "Modern backends"): list changes the server announces, and updates of the resources clients subscribed
 * to (`resourceSubscriptions`, in place of the legacy era's resources/subscribe). Its notifications arrive
 * like any other (rpc.ts); this file only keeps the request alive and up to date.
 */
import type { ServerCapabilities } from '@modelcontextprotocol/sdk/types.js';
import { unreachable } from '../transport-errors.ts';
import type { Rpc } from './rpc.ts';

/** A subscribe waits at most this long for the server to acknowledge the new listen. */
const ACK_WAIT_MS = 2000;
/** Tasks whose notifications one listen asks for, at most. */
const MAX_WATCHED_TASKS = 1000;
/** A listen that ended is opened again after this long (while connected). */
const RELISTEN_MS = 1000;

export class Listener {
  /** URIs whose updates we listen for. */
  private readonly watched = new Set<string>();
  /** Tasks (the tasks extension) whose notifications/tasks we listen for. */
  private readonly tasks = new Set<string>();
  private current?: string;
  private retry?: ReturnType<typeof setTimeout>;
  /** Listens waiting for their acknowledgement, by request id. */
  private readonly acks = new Map<string, () => void>();
  private stopped = false;

  constructor(
    private readonly rpc: Rpc,
    private readonly caps: ServerCapabilities,
    /** The params of a request with the `_meta` envelope added. */
    private readonly envelope: (params: Record<string, unknown>) => Record<string, unknown>,
  ) {}

  /**
   * Listen (again) with what is wanted now; resolves once the server acknowledged, or after ACK_WAIT_MS.
   * The previous listen ends only after the new one is acknowledged, so no change falls between the two.
   */
  open(): Promise<void> {
    const caps = this.caps;
    const wants = caps.tools?.listChanged || caps.prompts?.listChanged || caps.resources?.listChanged || this.watched.size > 0 || this.tasks.size > 0;
    if (this.stopped || this.rpc.closed) return Promise.resolve();
    if (!wants) {
      // Nothing wanted any more (the last watched task ended): the open listen ends.
      if (this.current) this.rpc.cancel(this.current, 'nothing left to listen for');
      this.current = undefined;
      return Promise.resolve();
    }
    const previous = this.current;
    const id = this.rpc.id('listen-');
    this.current = id;
    const notifications = {
      ...(caps.tools?.listChanged ? { toolsListChanged: true } : {}),
      ...(caps.prompts?.listChanged ? { promptsListChanged: true } : {}),
      ...(caps.resources?.listChanged ? { resourcesListChanged: true } : {}),
      ...(this.watched.size ? { resourceSubscriptions: [...this.watched] } : {}),
      ...(this.tasks.size ? { taskIds: [...this.tasks] } : {}),
    };
    const acknowledged = new Promise<void>((resolve) => this.acks.set(id, resolve));
    void acknowledged.then(() => {
      if (previous) this.rpc.cancel(previous, 'replaced by a new listen');
    });
    this.rpc.start(id, 'subscriptions/listen', this.envelope({ notifications }), {
      // The stream ended (the server ended it, a proxy timed it out): listen again while connected.
      resolve: () => this.ended(id),
      reject: (error) => {
        if (!unreachable(error)) return this.ended(id);
        // The server is gone (refused, reset): the connection is lost, and the backend's reconnect cycle starts.
        this.rpc.transport.onerror?.(error);
        void this.rpc.close();
      },
    });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const waited = new Promise<void>((resolve) => (timer = setTimeout(resolve, ACK_WAIT_MS)));
    return Promise.race([acknowledged, waited]).finally(() => clearTimeout(timer));
  }

  /** The server acknowledged the listen with this id. */
  acknowledged(id: string): void {
    this.acks.get(id)?.();
    this.acks.delete(id);
  }

  /** Start or stop listening for updates of a resource; resolves once the listen says so. */
  async watch(uri: string, on: boolean): Promise<void> {
    const had = this.watched.has(uri);
    if (on) this.watched.add(uri);
    else this.watched.delete(uri);
    if (had !== on) await this.open();
  }

  /** Start or stop listening for a task's notifications (the listen declares the tasks extension). */
  async watchTask(taskId: string, on: boolean): Promise<void> {
    const had = this.tasks.has(taskId);
    if (on) this.tasks.add(taskId);
    else this.tasks.delete(taskId);
    // A task whose end we never hear of is not listened for forever: the oldest give way.
    if (this.tasks.size > MAX_WATCHED_TASKS) this.tasks.delete(this.tasks.values().next().value!);
    if (had !== on) await this.open();
  }

  /** Whether the listen asks for task notifications (then it must declare the tasks extension). */
  get watchesTasks(): boolean {
    return this.tasks.size > 0;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retry);
    for (const id of [...this.acks.keys()]) this.acknowledged(id);
  }

  private ended(id: string): void {
    this.acknowledged(id);
    if (this.stopped || this.rpc.closed || this.current !== id) return;
    clearTimeout(this.retry);
    this.retry = setTimeout(() => void this.open(), RELISTEN_MS);
    this.retry.unref?.();
  }
}
