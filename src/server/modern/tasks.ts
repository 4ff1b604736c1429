/**
 * Tasks for 2026-07-28 clients (docs/protocol.md, "Tasks in both eras"): the `io.modelcontextprotocol/tasks`
 * extension, served over backends that speak the 2025-11-25 `tasks` capability.
 *
 * - A client that declares the extension and calls a tool its backend runs as a task gets a task: we
 *   ask the backend for one (the legacy `task` param) and hand out the flat CreateTaskResult under an id
 *   of ours. Without the extension the call runs synchronously, or — for a tool that only runs as a
 *   task — fails with -32021 naming the extension.
 * - `tasks/get` asks the backend (tasks/get, then tasks/result once the task ended) and answers with the
 *   extension's DetailedTask; `tasks/cancel` is acknowledged even for an ended task; `tasks/update`
 *   answers the backend's pending questions about the task (its related-task requests), which
 *   `tasks/get` shows as `inputRequests` while they wait.
 * - A task is seen only by the token (its hash) and view that created it; another gets "unknown task".
 *   Ids are random (ours, not the backend's), so one client can neither guess nor claim another's.
 *
 * The router already knows how to reach a legacy session's task (task-table.ts); a modern task is filed
 * in the same table under a stand-in "session" per token and view, whose server answers the router's
 * questions (status notifications, related-task requests) for the tasks it holds.
 */
import { ErrorCode, McpError, RELATED_TASK_META_KEY } from '@modelcontextprotocol/sdk/types.js';
import type { ServerRequestMethod } from '../../backends/backend.ts';
import type { Route } from '../../catalog/catalog.ts';
import { needOf, satisfies } from '../client-needs.ts';
import { RpcError } from '../errors.ts';
import type { Session, SessionRouter } from '../sessions/session.ts';
import type { TaskEntry } from '../task-table.ts';
import { INVALID_PARAMS, MISSING_CLIENT_CAPABILITY } from './wire.ts';

export const TASKS_EXTENSION = 'io.modelcontextprotocol/tasks';

/** How long we ask a backend to keep a task (its own store may keep it less). */
export const TASK_TTL_MS = 60 * 60_000;

/** Stand-in sessions (one per token and view) kept; beyond this the least recently used is forgotten with its tasks. */
const MAX_OWNERS = 256;

/** Ended tasks whose final state (result included) is kept at hand; older ones are asked of the backend again. */
const MAX_FINALS = 256;

/** tasks/result waits until the task ends (setTimeout's ceiling); the backend's requestTimeout does not apply. */
const RESULT_WAIT_MS = 2 ** 31 - 1;

/** New tasks between two sweeps of the forgotten ones. */
const PRUNE_EVERY = 100;

const TERMINAL = new Set(['completed', 'failed', 'cancelled']);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Whether a request's `_meta` client capabilities declare the tasks extension. */
export function declaresTasks(clientCapabilities: Record<string, unknown>): boolean {
  const extensions = clientCapabilities.extensions;
  return isObject(extensions) && extensions[TASKS_EXTENSION] !== undefined;
}

/** -32021 for a client that did not declare the extension, as the extension asks. */
export function missingTasksExtension(what: string): RpcError {
  return new RpcError(MISSING_CLIENT_CAPABILITY, `Missing required client capability: ${what} needs the "${TASKS_EXTENSION}" extension in the request's clientCapabilities.extensions`, {
    requiredCapabilities: { extensions: { [TASKS_EXTENSION]: {} } },
  });
}

/** One request to the backend that runs a task, on behalf of the modern request being answered. */
export type TaskCall = (route: Route, method: string, params: Record<string, unknown>) => Promise<Record<string, unknown>>;

/** A backend's question about a task, waiting for the client's `tasks/update`. */
interface PendingInput {
  request: { method: string; params: Record<string, unknown> };
  resolve(result: unknown): void;
  reject(error: unknown): void;
}

/** What we keep of a modern task beside its table entry. */
interface TaskState {
  entry: TaskEntry<Session, Route>;
  createdAt: number;
  /** What the creating request declared: the backend's questions are asked only within it. */
  clientCapabilities: Record<string, unknown>;
  pending: Map<string, PendingInput>;
  inputCounter: number;
  /** The task as it ended (with its result or error), once seen: later polls need no backend. */
  final?: Record<string, unknown>;
  /** A tasks/result of ours is pending at the backend, to receive questions it delivers only there. */
  draining?: boolean;
  /** Open subscriptions/listen streams that asked for this task's notifications. */
  listeners: Set<(params: Record<string, unknown>) => void>;
}

/** A stand-in session: files one token's tasks in one view, and answers the router for them. */
interface Owner {
  key: string;
  session: Session;
}

/** The extension's Task fields from a backend's 2025-11-25 Task, under our id. */
export function modernTask(task: Record<string, unknown>, id: string): Record<string, unknown> {
  const ms = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? Math.max(1, Math.round(v)) : undefined);
  const ttlMs = task.ttl === null ? null : (ms(task.ttl) ?? null);
  const pollIntervalMs = ms(task.pollInterval);
  const now = new Date().toISOString();
  return {
    taskId: id,
    status: typeof task.status === 'string' ? task.status : 'working',
    ...(typeof task.statusMessage === 'string' ? { statusMessage: task.statusMessage } : {}),
    createdAt: typeof task.createdAt === 'string' ? task.createdAt : now,
    lastUpdatedAt: typeof task.lastUpdatedAt === 'string' ? task.lastUpdatedAt : typeof task.createdAt === 'string' ? task.createdAt : now,
    ttlMs,
    ...(pollIntervalMs !== undefined ? { pollIntervalMs } : {}),
  };
}

export class ModernTasks {
  private owners = new Map<string, Owner>();
  private states = new Map<string, TaskState>();

  private created = 0;
  /** Ids of tasks holding a `final`, oldest first. */
  private finals = new Set<string>();

  constructor(private readonly router: Pick<SessionRouter, 'tasks'>) {}

  /** The params of a tools/call that asks the backend for a task (2025-11-25: the `task` param). */
  static asTask(params: Record<string, unknown>): Record<string, unknown> {
    return { ...params, task: { ttl: TASK_TTL_MS } };
  }

  /**
   * The backend's answer to a task-augmented call: a created task is filed under a new id of ours for this
   * token and view, and its Task fields (the flat CreateTaskResult, without resultType) are returned;
   * a backend that answered at once gives undefined (its result is the plain result).
   */
  register(owner: string | undefined, viewKey: string, route: Route, result: Record<string, unknown>, clientCapabilities: Record<string, unknown>): Record<string, unknown> | undefined {
    const created = result.task;
    if (!isObject(created) || typeof created.taskId !== 'string') return undefined;
    const session = this.ownerOf(owner, viewKey).session;
    const entry = this.router.tasks.add(session, route, created.taskId);
    this.states.set(entry.id, { entry, createdAt: Date.now(), clientCapabilities, pending: new Map(), inputCounter: 0, listeners: new Set() });
    this.prune();
    return modernTask(created, entry.id);
  }

  /** tasks/get: the DetailedTask (status, and the result, error or input requests it calls for). */
  async get(owner: string | undefined, viewKey: string, taskId: unknown, call: TaskCall): Promise<Record<string, unknown>> {
    return this.detailed(this.find(owner, viewKey, taskId), call);
  }

  /** tasks/update: answers to the backend's pending questions; unknown or answered keys are ignored. */
  update(owner: string | undefined, viewKey: string, taskId: unknown, inputResponses: unknown): Record<string, unknown> {
    const state = this.find(owner, viewKey, taskId);
    if (!isObject(inputResponses)) throw new RpcError(INVALID_PARAMS, 'Invalid params: "inputResponses" must be an object keyed by the ids of the task\'s inputRequests');
    // All or nothing: a malformed answer is refused before any other reaches the backend.
    for (const [key, answer] of Object.entries(inputResponses)) {
      if (state.pending.has(key) && !isObject(answer)) throw new RpcError(INVALID_PARAMS, `Invalid params: inputResponses["${key}"] must be an object (the result of the ${state.pending.get(key)!.request.method} request)`);
    }
    for (const [key, answer] of Object.entries(inputResponses)) {
      const pending = state.pending.get(key);
      if (!pending) continue;
      state.pending.delete(key);
      pending.resolve(answer);
    }
    return {};
  }

  /** tasks/cancel: passed to the backend; acknowledged also for a task that already ended. */
  async cancel(owner: string | undefined, viewKey: string, taskId: unknown, call: TaskCall): Promise<Record<string, unknown>> {
    const state = this.find(owner, viewKey, taskId);
    const { route, backendId } = state.entry;
    if (state.final) return {};
    try {
      await call(route, 'tasks/cancel', { taskId: backendId });
    } catch (error) {
      // An ended task cannot be cancelled: the extension acknowledges that the same way.
      const now = await call(route, 'tasks/get', { taskId: backendId }).catch(() => undefined);
      if (!TERMINAL.has(String(now?.status))) throw error;
    }
    for (const [key, pending] of state.pending) {
      state.pending.delete(key);
      pending.reject(new McpError(ErrorCode.InvalidRequest, 'the task was cancelled'));
    }
    return {};
  }

  /**
   * A subscriptions/listen stream asks for these tasks' notifications: the ids this token and view own
   * are acknowledged, and `send` gets each of their `notifications/tasks` params until `detach`.
   */
  listen(owner: string | undefined, viewKey: string, taskIds: unknown[], send: (params: Record<string, unknown>) => void): { acknowledged: string[]; detach(): void } {
    const attached: TaskState[] = [];
    for (const id of taskIds) {
      const state = typeof id === 'string' ? this.lookup(owner, viewKey, id) : undefined;
      if (!state || attached.includes(state)) continue;
      state.listeners.add(send);
      attached.push(state);
    }
    return { acknowledged: attached.map((s) => s.entry.id), detach: () => attached.forEach((s) => s.listeners.delete(send)) };
  }

  private find(owner: string | undefined, viewKey: string, taskId: unknown): TaskState {
    if (typeof taskId !== 'string') throw new RpcError(INVALID_PARAMS, 'Invalid params: "taskId" must be a string');
    const state = this.lookup(owner, viewKey, taskId);
    if (!state) throw new RpcError(INVALID_PARAMS, `Failed to retrieve task: unknown task "${taskId}" (not created with this token and view, or it expired)`);
    return state;
  }

  private lookup(owner: string | undefined, viewKey: string, taskId: string): TaskState | undefined {
    const key = ownerKey(owner, viewKey);
    const o = this.owners.get(key);
    const entry = o && this.router.tasks.find(o.session, taskId);
    if (!entry) return undefined;
    // In use: the last to be forgotten.
    this.owners.delete(key);
    this.owners.set(key, o);
    return this.states.get(taskId);
  }

  /** The task as tasks/get and notifications/tasks show it. */
  private async detailed(state: TaskState, call: TaskCall): Promise<Record<string, unknown>> {
    if (state.final) return state.final;
    const { route, backendId, id } = state.entry;
    const backendTask = await call(route, 'tasks/get', { taskId: backendId });
    const task = modernTask(backendTask, id);
    const status = task.status as string;
    if (!TERMINAL.has(status)) {
      if (status === 'input_required' && state.pending.size === 0) this.drain(state);
      // What the client must answer is what we hold; a backend that says input_required but asked
      // nothing (yet) is still working as far as the client can tell.
      if (state.pending.size > 0) return { ...task, status: 'input_required', inputRequests: Object.fromEntries([...state.pending].map(([k, p]) => [k, p.request])) };
      return status === 'input_required' ? { ...task, status: 'working' } : task;
    }
    let final = task;
    if (status !== 'cancelled') {
      const outcome = await outcomeOf(call, route, backendId, status, task.statusMessage);
      final = status === 'completed' && 'result' in outcome ? { ...task, result: outcome.result } : { ...task, status: 'failed', error: 'error' in outcome ? outcome.error : { code: ErrorCode.InternalError, message: 'the task failed' } };
    }
    this.keepFinal(state, final);
    return final;
  }

  /**
   * A backend whose task waits for input but whose question has not reached us may hold it for a
   * tasks/result (the 2025-11-25 side channel, e.g. the SDK v1 with a task message queue): ask for the
   * result once, in the background, so the queued question arrives (and becomes an input request).
   * It answers when the task ends.
   */
  private drain(state: TaskState): void {
    if (state.draining) return;
    state.draining = true;
    const { route, backendId } = state.entry;
    void route.backend
      .request('tasks/result', { taskId: backendId }, { timeout: RESULT_WAIT_MS })
      .catch(() => {})
      .finally(() => (state.draining = false));
  }

  /** An ended task does not change: keep it (a bounded number of them) instead of asking the backend again. */
  private keepFinal(state: TaskState, final: Record<string, unknown>): void {
    state.final = final;
    this.finals.add(state.entry.id);
    if (this.finals.size <= MAX_FINALS) return;
    const oldest = this.finals.values().next().value!;
    this.finals.delete(oldest);
    const s = this.states.get(oldest);
    if (s) delete s.final;
  }

  /** The stand-in session of a token in a view; created on first use, least recently used forgotten. */
  private ownerOf(owner: string | undefined, viewKey: string): Owner {
    const key = ownerKey(owner, viewKey);
    let o = this.owners.get(key);
    if (o) {
      this.owners.delete(key);
      this.owners.set(key, o);
      return o;
    }
    o = { key, session: this.standIn(owner) };
    this.owners.set(key, o);
    if (this.owners.size > MAX_OWNERS) {
      const [oldestKey, oldest] = this.owners.entries().next().value!;
      this.owners.delete(oldestKey);
      this.router.tasks.dropSession(oldest.session);
    }
    return o;
  }

  /**
   * Every so many new tasks: forget those past the time we asked the backend to keep them, and the
   * state of those the table dropped (it keeps at most 1000 per owner).
   */
  private prune(): void {
    if (++this.created % PRUNE_EVERY !== 0) return;
    const expired = Date.now() - TASK_TTL_MS;
    for (const [id, state] of this.states) {
      const entry = this.router.tasks.find(state.entry.session, id);
      if (entry && state.createdAt < expired) this.router.tasks.delete(entry);
      if (!entry || state.createdAt < expired) {
        this.states.delete(id);
        this.finals.delete(id);
      }
    }
  }

  /**
   * The router hands a task's status notifications and related-task requests to the task's session:
   * this one turns them into `notifications/tasks` for listeners and into inputRequests.
   */
  private standIn(owner: string | undefined): Session {
    const standIn = {
      closed: false,
      owner,
      lastActive: Date.now(),
      server: {
        // The router asks whether the session may answer; the task's own request decides (below).
        getClientCapabilities: () => ({ sampling: { tools: {} }, elicitation: { form: {}, url: {} }, roots: {} }),
        notification: async (n: { method: string; params?: Record<string, unknown> }) => {
          if (n.method !== 'notifications/tasks/status') return;
          const state = this.states.get(String(n.params?.taskId));
          if (state) await this.notify(state);
        },
        request: (request: { method: ServerRequestMethod; params?: Record<string, unknown> }, _schema: unknown, options?: { signal?: AbortSignal }) => this.ask(request, options?.signal),
      },
    };
    return standIn as unknown as Session;
  }

  /** A backend's question about a task: held as an input request until tasks/update answers it. */
  private ask(request: { method: ServerRequestMethod; params?: Record<string, unknown> }, signal?: AbortSignal): Promise<unknown> {
    const related = (request.params?._meta as Record<string, { taskId?: unknown }> | undefined)?.[RELATED_TASK_META_KEY]?.taskId;
    const state = this.states.get(String(related));
    if (!state) return Promise.reject(new McpError(ErrorCode.InvalidParams, 'the task this request belongs to is gone'));
    if (!satisfies(state.clientCapabilities as never, needOf(request.method, request.params))) {
      return Promise.reject(new McpError(ErrorCode.MethodNotFound, `the client that created the task did not declare what ${request.method} needs`));
    }
    const { _meta, ...params } = request.params ?? {};
    const rest = { ...(_meta as object) } as Record<string, unknown>;
    delete rest[RELATED_TASK_META_KEY];
    const key = `input-${++state.inputCounter}`;
    const answered = new Promise<unknown>((resolve, reject) => {
      state.pending.set(key, { request: { method: request.method, params: Object.keys(rest).length ? { ...params, _meta: rest } : params }, resolve, reject });
      signal?.addEventListener(
        'abort',
        () => {
          if (state.pending.delete(key)) reject(signal.reason);
        },
        { once: true },
      );
    });
    void this.notify(state);
    return answered;
  }

  /** Tell the task's listeners its state, as tasks/get would show it now. */
  private async notify(state: TaskState): Promise<void> {
    if (state.listeners.size === 0) return;
    const call: TaskCall = (r, method, params) => r.backend.request(method, params);
    const params = await this.detailed(state, call).catch(() => undefined);
    if (!params) return;
    for (const send of state.listeners) send(params);
  }
}

const ownerKey = (owner: string | undefined, viewKey: string) => `${owner ?? ''}\u0000${viewKey}`;

/** How an ended task turned out: its result, or the JSON-RPC error of a failed one. */
async function outcomeOf(call: TaskCall, route: Route, backendId: string, status: string, statusMessage: unknown): Promise<{ result: Record<string, unknown> } | { error: { code: number; message: string; data?: unknown } }> {
  try {
    const payload = await call(route, 'tasks/result', { taskId: backendId });
    const meta = payload._meta as Record<string, unknown> | undefined;
    let result = payload;
    if (meta && RELATED_TASK_META_KEY in meta) {
      const { [RELATED_TASK_META_KEY]: _drop, ...kept } = meta;
      const { _meta: _old, ...rest } = payload;
      result = Object.keys(kept).length ? { ...rest, _meta: kept } : rest;
    }
    if (status === 'completed') return { result };
    const text = (result.content as { type?: string; text?: string }[] | undefined)?.find((c) => c.type === 'text')?.text;
    return { error: { code: ErrorCode.InternalError, message: String(statusMessage ?? text ?? 'the task failed') } };
  } catch (error) {
    const e = error as { code?: unknown; message?: unknown; data?: unknown };
    const code = typeof e?.code === 'number' && Number.isSafeInteger(e.code) ? e.code : ErrorCode.InternalError;
    return { error: { code, message: String(e?.message ?? error), ...(e?.data !== undefined ? { data: e.data } : {}) } };
  }
}
