/** How a backend talks to the rest of serve (wired by the Pool). */
import type { Backend } from './backend.ts';
import type { ListKind } from './types.ts';

export type ServerRequestMethod = 'sampling/createMessage' | 'elicitation/create' | 'roots/list';

/** Notifications that belong to one client session (the router finds which). */
export type SessionNotificationMethod = 'notifications/tasks/status' | 'notifications/elicitation/complete';

export interface BackendHooks {
  onState(backend: Backend): void;
  onListChanged(backend: Backend, kind: ListKind): void;
  onLog(backend: Backend, params: { level: string; logger?: string; data?: unknown }): void;
  onResourceUpdated(backend: Backend, uri: string): void;
  /** A server-to-client request made by the backend: answer it through a client session. */
  onServerRequest(backend: Backend, method: ServerRequestMethod, params: unknown, signal: AbortSignal): Promise<unknown>;
  /** A task's status changed, or a URL elicitation completed: tell the session it belongs to. */
  onSessionNotification?(backend: Backend, method: SessionNotificationMethod, params: Record<string, unknown>): void;
}
