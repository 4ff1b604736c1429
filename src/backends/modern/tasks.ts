/**
 * Tasks of a 2026-07-28 backend that offers the `io.modelcontextprotocol/tasks` extension, spoken to
 * the rest of 1mcp in the 2025-11-25 task wire (docs/protocol.md, "Modern backends"), so sessions,
 * the router's task table and the modern handler's tasks (server/modern/tasks.ts) reach them exactly as
 * they reach a legacy task backend:
 *   - the backend looks like it has the legacy `tasks` capability (tools/call as a task, cancel);
 *   - tools/call declares the extension (1mcp can always take a task: it polls when its caller can't);
 *     a flat CreateTaskResult becomes `{ task }` for a caller that asked with the legacy `task` param,
 *     and is polled to its end (tasks/get, honouring pollIntervalMs) for one that did not;
 *   - tasks/get answers a legacy Task; tasks/result polls until the task ends and gives its result (or
 *     its error); tasks/cancel is the extension's, answered with the task as it is now;
 *   - a task's inputRequests (status input_required) are asked through the client handlers with the
 *     related-task `_meta`, so the router brings them to the task's owner, and the answers go back
 *     with tasks/update.
 */
import { ErrorCode, McpError, RELATED_TASK_META_KEY, type ServerCapabilities } from '@modelcontextprotocol/sdk/types.js';

export const TASKS_EXTENSION = 'io.modelcontextprotocol/tasks';

/** The methods this file answers for a backend that offers the extension. */
export const TASK_METHODS = new Set(['tools/call', 'tasks/get', 'tasks/result', 'tasks/cancel', 'tasks/list']);

/** Polling bounds: a backend's pollIntervalMs is honoured within them. */
const DEFAULT_POLL_MS = 500;
const MIN_POLL_MS = 20;
const MAX_POLL_MS = 5000;

const TERMINAL = new Set(['completed', 'failed', 'cancelled']);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Whether the backend's server/discover capabilities offer the extension. */
export function offersTasks(caps: ServerCapabilities): boolean {
  const extensions = (caps as { extensions?: unknown }).extensions;
  return isObject(extensions) && extensions[TASKS_EXTENSION] !== undefined;
}

/** The capabilities as a 2025-11-25 caller reads them: tool calls run as tasks, tasks can be cancelled. */
export function withLegacyTasks(caps: ServerCapabilities): ServerCapabilities {
  if (!offersTasks(caps) || caps.tasks) return caps;
  return { ...caps, tasks: { cancel: {}, requests: { tools: { call: {} } } } } as ServerCapabilities;
}

/** The extension's Task (flat, `ttlMs`/`pollIntervalMs`) as a 2025-11-25 Task. */
export function legacyTask(task: Record<string, unknown>): Record<string, unknown> {
  return {
    taskId: task.taskId,
    status: typeof task.status === 'string' ? task.status : 'working',
    ...(typeof task.statusMessage === 'string' ? { statusMessage: task.statusMessage } : {}),
    createdAt: task.createdAt,
    lastUpdatedAt: task.lastUpdatedAt ?? task.createdAt,
    ttl: typeof task.ttlMs === 'number' ? task.ttlMs : null,
    ...(typeof task.pollIntervalMs === 'number' ? { pollInterval: task.pollIntervalMs } : {}),
  };
}

/** What a caller gives with a request (a subset of the client's request options). */
export interface SendOptions {
  signal?: AbortSignal;
  /** The caller takes an input_required result as it is (a modern client answers it). */
  passInputRequired?: boolean;
}

/** One request to the backend (input_required rounds run or passed on), the extension declared or not. */
export type Send = (method: string, params: Record<string, unknown>, options: SendOptions, declareTasks: boolean) => Promise<Record<string, unknown>>;

/** Ask the client handlers one input request (the router picks who answers). */
export type AskOne = (request: { method: string; params?: unknown }, signal: AbortSignal) => Promise<unknown>;

export class TaskBridge {
  /** Input requests being asked, by backend task id: each is asked once, however often the task is polled. */
  private readonly asking = new Map<string, Set<string>>();

  constructor(
    private readonly send: Send,
    private readonly askOne: AskOne,
    /** Listen (or stop listening) for the backend's notifications/tasks about a task. */
    private readonly watch: (taskId: string, on: boolean) => void,
  ) {}

  /**
   * The backend's `notifications/tasks` (the task as tasks/get shows it): its questions are asked, and the
   * 2025-11-25 `notifications/tasks/status` params are returned for the router.
   */
  notified(params: Record<string, unknown>): Record<string, unknown> | undefined {
    if (typeof params.taskId !== 'string') return undefined;
    const { _meta: _subscription, ...task } = params;
    this.seen(task);
    return legacyTask(task);
  }

  async request(method: string, params: Record<string, unknown>, options: SendOptions): Promise<Record<string, unknown>> {
    const signal = options.signal;
    switch (method) {
      case 'tools/call':
        return this.callTool(params, options);
      case 'tasks/get':
        return legacyTask(this.seen(await this.get(params.taskId, signal)));
      case 'tasks/result':
        return this.untilDone(String(params.taskId), signal);
      case 'tasks/cancel': {
        await this.send('tasks/cancel', { taskId: params.taskId }, { signal }, true);
        return legacyTask(await this.get(params.taskId, signal));
      }
      default:
        throw new McpError(ErrorCode.MethodNotFound, `${method} is not part of the tasks extension this server speaks`);
    }
  }

  private async callTool(params: Record<string, unknown>, options: SendOptions): Promise<Record<string, unknown>> {
    const signal = options.signal;
    const { task: asked, ...rest } = params;
    const result = await this.send('tools/call', rest, options, true);
    if (result.resultType !== 'task' || typeof result.taskId !== 'string') return result;
    if (asked !== undefined) {
      // Its status changes reach the task's owner as they happen, when the backend reports them.
      this.watch(result.taskId, true);
      return { task: legacyTask(result) };
    }
    // The caller can't take a task: it gets the final result, as from a synchronous call.
    const taskId = result.taskId;
    try {
      return await this.untilDone(taskId, signal, result);
    } catch (error) {
      // The caller gave up (cancelled, timed out): so does the task.
      if (signal?.aborted) void this.send('tasks/cancel', { taskId }, {}, true).catch(() => {});
      throw error;
    }
  }

  private get(taskId: unknown, signal: AbortSignal | undefined): Promise<Record<string, unknown>> {
    return this.send('tasks/get', { taskId }, { signal }, true);
  }

  /** Poll until the task ends; its result, or its error thrown. */
  private async untilDone(taskId: string, signal: AbortSignal | undefined, first?: Record<string, unknown>): Promise<Record<string, unknown>> {
    let task = first ?? (await this.get(taskId, signal));
    while (!TERMINAL.has(String(task.status))) {
      this.seen(task);
      await sleep(pollMs(task.pollIntervalMs), signal);
      task = await this.get(taskId, signal);
    }
    this.seen(task);
    if (task.status === 'completed' && isObject(task.result)) return task.result;
    if (task.status === 'cancelled') throw new McpError(ErrorCode.InternalError, 'the task was cancelled');
    const error = isObject(task.error) ? task.error : {};
    const code = typeof error.code === 'number' && Number.isSafeInteger(error.code) ? error.code : ErrorCode.InternalError;
    throw new McpError(code, String(error.message ?? task.statusMessage ?? 'the task failed'), error.data);
  }

  /** A polled task: its new input requests are asked (in the background), the answers sent with tasks/update. */
  private seen(task: Record<string, unknown>): Record<string, unknown> {
    const taskId = String(task.taskId);
    if (TERMINAL.has(String(task.status))) {
      this.asking.delete(taskId);
      this.watch(taskId, false);
      return task;
    }
    if (task.status !== 'input_required' || !isObject(task.inputRequests)) return task;
    let asking = this.asking.get(taskId);
    if (!asking) this.asking.set(taskId, (asking = new Set()));
    for (const [key, request] of Object.entries(task.inputRequests)) {
      if (asking.has(key) || !isObject(request)) continue;
      asking.add(key);
      const params = isObject(request.params) ? request.params : {};
      const related = { ...params, _meta: { ...(isObject(params._meta) ? params._meta : {}), [RELATED_TASK_META_KEY]: { taskId } } };
      void this.askOne({ method: String(request.method), params: related }, new AbortController().signal)
        .then((answer) => this.send('tasks/update', { taskId, inputResponses: { [key]: answer } }, {}, true))
        .catch(() => asking.delete(key));
    }
    return task;
  }
}

function pollMs(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? Math.min(MAX_POLL_MS, Math.max(MIN_POLL_MS, Math.round(value))) : DEFAULT_POLL_MS;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
