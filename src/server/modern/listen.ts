/**
 * `subscriptions/listen` (docs/protocol.md, "Two eras on one endpoint"): the modern era's long-lived
 * stream of list changes and resource updates, in place of the legacy GET stream and
 * resources/subscribe. One open stream is one listener; the router treats it like a session that
 * asked only for these notifications, so list changes reach it exactly as they reach legacy
 * sessions (only when the list its view sees really changed), and resource updates reach it only
 * for the URIs it named. It never receives log lines or server-to-client requests.
 */
import type { ListKind } from '../../backends/types.ts';
import type { Catalog } from '../../catalog/catalog.ts';
import type { View, ViewRef } from '../../catalog/view.ts';
import type { Session, SessionRouter } from '../sessions/session.ts';
import { META_SUBSCRIPTION_ID } from './wire.ts';

/** What the client may ask for, and what we acknowledge (the subset we honour). */
export interface ListenFilter {
  toolsListChanged?: boolean;
  promptsListChanged?: boolean;
  resourcesListChanged?: boolean;
  resourceSubscriptions?: string[];
  /** Tasks (the tasks extension) whose notifications/tasks the client wants. */
  taskIds?: string[];
}

/** The tasks extension's feed (modern/tasks.ts): which of the asked tasks it will report, and how to stop. */
export type TaskFeed = (send: (params: Record<string, unknown>) => void) => { acknowledged: string[]; detach(): void };

const KINDS: readonly [keyof ListenFilter, ListKind][] = [
  ['toolsListChanged', 'tools'],
  ['promptsListChanged', 'prompts'],
  ['resourcesListChanged', 'resources'],
];

/** A comment line keeps idle intermediaries from closing a quiet stream. */
const KEEP_ALIVE_MS = 15_000;

const encoder = new TextEncoder();

/**
 * Open streams by the router they listen through (one per serve): when serve stops, each ends with the
 * empty listen result, which tells the client the subscription ended on purpose (not a lost connection).
 */
const openStreams = new WeakMap<object, Set<() => void>>();

/** End every open subscriptions/listen stream of this router with the graceful closing result; how many. */
export function endListens(router: object): number {
  const ends = [...(openStreams.get(router) ?? [])];
  for (const end of ends) end();
  return ends.length;
}

const event = (message: unknown) => encoder.encode(`event: message\ndata: ${JSON.stringify(message)}\n\n`);

export interface ListenDeps {
  catalog: Catalog;
  router: Pick<SessionRouter, 'add' | 'remove' | 'subscribe'>;
  subscribeSupported(): boolean;
}

/**
 * Open the stream: acknowledge (first message, always), then relay what the filter admits until the
 * client closes the stream or serve stops.
 */
export async function openListen(deps: ListenDeps, viewRef: ViewRef, id: string | number, asked: ListenFilter, owner: string | undefined, signal: AbortSignal, onClose: () => void, taskFeed?: TaskFeed): Promise<Response> {
  const view = (): View => viewRef.current();
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let keepAlive: ReturnType<typeof setInterval> | undefined;
  const tag = (params: Record<string, unknown> = {}) => ({ ...params, _meta: { ...(params._meta as object), [META_SUBSCRIPTION_ID]: id } });
  const wanted = new Set<string>();
  const listener = {
    closed: false,
    owner,
    lastActive: 0,
    logLevel: undefined,
    seen: {} as Partial<Record<ListKind, string>>,
    get view() {
      return view();
    },
    // Not part of any backend's audience: no log lines, no questions from backends.
    includes: () => false,
    admitsLog: () => false,
    server: {
      getClientCapabilities: () => undefined,
      notification: async (n: { method: string; params?: Record<string, unknown> }) => {
        if (listener.closed || !wanted.has(n.method)) return;
        controller.enqueue(event({ jsonrpc: '2.0', method: n.method, params: tag(n.params) }));
      },
    },
  };
  const session = listener as unknown as Session;

  const acknowledged: ListenFilter = {};
  for (const [field, kind] of KINDS) {
    if (asked[field] !== true) continue;
    acknowledged[field] = true as never;
    wanted.add(`notifications/${kind}/list_changed`);
    // What the view sees now: a later change of this list is news for the listener.
    listener.seen[kind] = deps.catalog.signature(kind, view());
  }
  if (Array.isArray(asked.resourceSubscriptions) && deps.subscribeSupported()) {
    const uris: string[] = [];
    for (const uri of asked.resourceSubscriptions) {
      if (typeof uri !== 'string') continue;
      const route = deps.catalog.resource(uri, view());
      if (!route?.backend.capabilities.resources?.subscribe) continue;
      await deps.router.subscribe(session, route, uri).then(
        () => uris.push(uri),
        () => {},
      );
    }
    if (uris.length) {
      acknowledged.resourceSubscriptions = uris;
      wanted.add('notifications/resources/updated');
    }
  }

  const tasks = taskFeed?.((params) => {
    if (!listener.closed) controller.enqueue(event({ jsonrpc: '2.0', method: 'notifications/tasks', params: tag(params) }));
  });
  if (tasks) acknowledged.taskIds = tasks.acknowledged;

  const streams = openStreams.get(deps.router) ?? new Set<() => void>();
  openStreams.set(deps.router, streams);
  const close = () => {
    if (listener.closed) return;
    listener.closed = true;
    streams.delete(graceful);
    tasks?.detach();
    clearInterval(keepAlive);
    deps.router.remove(session);
    onClose();
  };
  // The listen request's own response, sent only when we end it: an empty result carrying the subscription id.
  const graceful = () => {
    if (listener.closed) return;
    controller.enqueue(event({ jsonrpc: '2.0', id, result: { resultType: 'complete', _meta: { [META_SUBSCRIPTION_ID]: id } } }));
    close();
    controller.close();
  };
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
      c.enqueue(event({ jsonrpc: '2.0', method: 'notifications/subscriptions/acknowledged', params: tag({ notifications: acknowledged }) }));
      keepAlive = setInterval(() => {
        if (!listener.closed) c.enqueue(encoder.encode(':\n\n'));
      }, KEEP_ALIVE_MS);
    },
    cancel: close,
  });
  deps.router.add(session);
  streams.add(graceful);
  if (signal.aborted) close();
  else signal.addEventListener('abort', close, { once: true });
  return new Response(stream, { status: 200, headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' } });
}
