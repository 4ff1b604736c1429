/**
 * Tasks (protocol 2025-11-25) through serve (docs/protocol.md): a task-augmented `tools/call` goes
 * to the tool's backend, which creates the task; the client gets an id of ours (task-table.ts), and
 * `tasks/get|result|cancel|list` go to the owning backend with the backend's id. A session sees only
 * the tasks it created, even on a backend shared with other sessions.
 */
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import {
  CancelTaskRequestSchema,
  ErrorCode,
  GetTaskPayloadRequestSchema,
  GetTaskRequestSchema,
  ListTasksRequestSchema,
  RELATED_TASK_META_KEY,
  type ServerCapabilities,
} from '@modelcontextprotocol/sdk/types.js';
import type { Backend } from '../../backends/backend.ts';
import type { Route } from '../../catalog/catalog.ts';
import { RpcError } from '../errors.ts';
import type { TaskEntry, TaskTable } from '../task-table.ts';

type Extra = RequestHandlerExtra<any, any>;

/** What task handling uses of a session (sessions/session.ts), so that file alone imports the other. */
export interface TaskSession {
  readonly server: Server;
  forward(route: Route, method: string, params: Record<string, unknown>, extra: Extra, timeout?: number): Promise<any>;
}

/**
 * tasks/result waits, by design, until the task ends: the server's requestTimeout does not apply
 * (the client's own timeout, or its cancellation, still ends it). setTimeout's ceiling.
 */
const RESULT_WAIT_MS = 2 ** 31 - 1;

/** Pages of a backend's tasks/list read to answer one tasks/list (a backend with more is cut short). */
const MAX_LIST_PAGES = 50;

/**
 * The session's SDK server is built with this so it accepts task requests at all; what the client
 * is told at initialize comes from the backends of its view (tasksCapabilityOf).
 */
export const TASKS_CAPABILITY = { list: {}, cancel: {}, requests: { tools: { call: {} } } };

/** The `tasks` capability for a view: present when any of its backends has tasks. Listing is ours. */
export function tasksCapabilityOf(backends: Backend[]): ServerCapabilities['tasks'] | undefined {
  const withTasks = backends.filter((b) => b.capabilities.tasks);
  if (withTasks.length === 0) return undefined;
  const cancel = withTasks.some((b) => b.capabilities.tasks?.cancel);
  const toolCalls = withTasks.some((b) => runsToolTasks(b));
  return { list: {}, ...(cancel ? { cancel: {} } : {}), ...(toolCalls ? { requests: { tools: { call: {} } } } : {}) };
}

/** Whether a backend runs tools/call as tasks (2025-11-25 `tasks.requests.tools.call`). */
export function runsToolTasks(backend: Backend): boolean {
  return !!(backend.capabilities.tasks as { requests?: { tools?: { call?: object } } } | undefined)?.requests?.tools?.call;
}

/** tools/call, task-augmented or not; a created task is registered to this session under our id. */
export async function callTool<S extends TaskSession>(session: S, tasks: TaskTable<S, Route>, route: Route, params: Record<string, unknown>, extra: Extra): Promise<any> {
  const asTask = params.task !== undefined;
  if (asTask && !runsToolTasks(route.backend)) {
    throw new RpcError(ErrorCode.InvalidParams, `server "${route.backend.name}" does not run tools as tasks; call "${String(params.name)}" without "task"`);
  }
  const result = await session.forward(route, 'tools/call', params, extra);
  const created = (result as { task?: { taskId?: unknown } }).task;
  if (!asTask || typeof created?.taskId !== 'string') return result;
  const entry = tasks.add(session, route, created.taskId);
  return { ...result, task: { ...created, taskId: entry.id } };
}

export function installTaskHandlers<S extends TaskSession>(session: S, tasks: TaskTable<S, Route>): void {
  const s = session.server;
  const find = (id: string): TaskEntry<S, Route> => {
    const task = tasks.find(session, id);
    if (!task) throw new RpcError(ErrorCode.InvalidParams, `unknown task "${id}": it was not created in this session, or it expired`);
    return task;
  };

  s.setRequestHandler(GetTaskRequestSchema, async (req, extra) => {
    const task = find(req.params.taskId);
    const result = await session.forward(task.route, 'tasks/get', { ...req.params, taskId: task.backendId }, extra);
    return { ...result, taskId: task.id };
  });
  s.setRequestHandler(GetTaskPayloadRequestSchema, async (req, extra) => {
    const task = find(req.params.taskId);
    const result = await session.forward(task.route, 'tasks/result', { ...req.params, taskId: task.backendId }, extra, RESULT_WAIT_MS);
    return withRelatedTask(result, task.id);
  });
  s.setRequestHandler(CancelTaskRequestSchema, async (req, extra) => {
    const task = find(req.params.taskId);
    const result = await session.forward(task.route, 'tasks/cancel', { ...req.params, taskId: task.backendId }, extra);
    return { ...result, taskId: task.id };
  });
  // One page with every task of this session (the backends' lists also hold other sessions' tasks).
  s.setRequestHandler(ListTasksRequestSchema, async (_req, extra) => {
    const byBackend = new Map<Backend, Map<string, TaskEntry<S, Route>>>();
    for (const task of tasks.ofSession(session)) {
      let mine = byBackend.get(task.route.backend);
      if (!mine) byBackend.set(task.route.backend, (mine = new Map()));
      mine.set(task.backendId, task);
    }
    const found: Record<string, unknown>[] = [];
    for (const [backend, mine] of byBackend) {
      const route = mine.values().next().value!.route;
      const seen = backend.capabilities.tasks?.list ? await listAll(session, route, extra) : await getEach(session, [...mine.values()], extra);
      for (const t of seen) {
        const task = mine.get(String(t.taskId));
        if (task) found.push({ ...t, taskId: task.id });
      }
    }
    return { tasks: found };
  });
}

/** Every task the backend lists (all pages, bounded). */
async function listAll(session: TaskSession, route: Route, extra: Extra): Promise<Record<string, unknown>[]> {
  const all: Record<string, unknown>[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_LIST_PAGES; page++) {
    const result = await session.forward(route, 'tasks/list', cursor ? { cursor } : {}, extra);
    all.push(...((result.tasks as Record<string, unknown>[] | undefined) ?? []));
    cursor = typeof result.nextCursor === 'string' ? result.nextCursor : undefined;
    if (!cursor) break;
  }
  return all;
}

/** A backend without tasks/list: ask for each task; those it no longer knows are left out. */
async function getEach(session: TaskSession, mine: TaskEntry<TaskSession, Route>[], extra: Extra): Promise<Record<string, unknown>[]> {
  const results = await Promise.all(mine.map((t) => session.forward(t.route, 'tasks/get', { taskId: t.backendId }, extra).catch(() => undefined)));
  return results.filter((r): r is Record<string, unknown> => !!r).map(({ _meta, ...task }) => task);
}

/** A task's result names the task in `_meta`: by our id. */
function withRelatedTask(result: Record<string, unknown>, id: string): Record<string, unknown> {
  const meta = result._meta as Record<string, unknown> | undefined;
  if (!meta?.[RELATED_TASK_META_KEY]) return result;
  return { ...result, _meta: { ...meta, [RELATED_TASK_META_KEY]: { taskId: id } } };
}
