/**
 * Tasks (protocol 2025-11-25) created through serve: which session owns each, and which backend
 * runs it under which id. Clients see an id of ours, so two backends' ids never collide and a
 * session can neither see nor guess another session's tasks.
 */
import { randomUUID } from 'node:crypto';

/** Tasks remembered per session; the oldest are forgotten beyond this (a client that never polls). */
const MAX_PER_SESSION = 1000;

export interface TaskEntry<S, R> {
  session: S;
  /** How to reach the backend that runs it (the tool's route). */
  route: R;
  /** The backend's own task id. */
  backendId: string;
  /** The id the client sees. */
  id: string;
}

/**
 * Keyed by the backend's server name, not its object: a per-session instance of a server reports
 * the tasks that were created through the server's route.
 */
export class TaskTable<S, R extends { backend: { name: string } }> {
  private bySession = new Map<S, Map<string, TaskEntry<S, R>>>();
  private byBackend = new Map<string, Map<string, TaskEntry<S, R>>>();

  add(session: S, route: R, backendId: string): TaskEntry<S, R> {
    const entry: TaskEntry<S, R> = { session, route, backendId, id: randomUUID() };
    let mine = this.bySession.get(session);
    if (!mine) this.bySession.set(session, (mine = new Map()));
    mine.set(entry.id, entry);
    if (mine.size > MAX_PER_SESSION) this.delete(mine.values().next().value!);
    let ofBackend = this.byBackend.get(route.backend.name);
    if (!ofBackend) this.byBackend.set(route.backend.name, (ofBackend = new Map()));
    ofBackend.set(backendId, entry);
    return entry;
  }

  /** A task of this session by the id the client knows. */
  find(session: S, id: string): TaskEntry<S, R> | undefined {
    return this.bySession.get(session)?.get(id);
  }

  /** The task a backend refers to by its own id. */
  fromBackend(server: string, backendId: string): TaskEntry<S, R> | undefined {
    return this.byBackend.get(server)?.get(backendId);
  }

  ofSession(session: S): TaskEntry<S, R>[] {
    return [...(this.bySession.get(session)?.values() ?? [])];
  }

  delete(entry: TaskEntry<S, R>): void {
    this.bySession.get(entry.session)?.delete(entry.id);
    const ofBackend = this.byBackend.get(entry.route.backend.name);
    if (ofBackend?.get(entry.backendId) === entry) ofBackend.delete(entry.backendId);
    if (ofBackend?.size === 0) this.byBackend.delete(entry.route.backend.name);
  }

  dropSession(session: S): void {
    for (const entry of this.ofSession(session)) this.delete(entry);
    this.bySession.delete(session);
  }
}
