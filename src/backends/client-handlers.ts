/**
 * What a backend's SDK client does with the backend's own messages: list changes refresh the
 * cached list, progress and task status go to forwarding, logs, resource updates and
 * server-to-client requests go to the hooks (the router). Registered before the handshake.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  CreateMessageRequestSchema,
  ElicitationCompleteNotificationSchema,
  ElicitRequestSchema,
  ListRootsRequestSchema,
  LoggingMessageNotificationSchema,
  ProgressNotificationSchema,
  PromptListChangedNotificationSchema,
  ResourceListChangedNotificationSchema,
  ResourceUpdatedNotificationSchema,
  TaskStatusNotificationSchema,
  ToolListChangedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from '../log.ts';
import type { Backend } from './backend.ts';
import type { Forwarder } from './forward.ts';
import type { BackendHooks, ServerRequestMethod } from './hooks.ts';
import { fetchOneList } from './lists.ts';
import { errorText } from './transport-errors.ts';
import type { ListKind } from './types.ts';

export interface HandlerContext {
  backend: Backend;
  hooks: BackendHooks;
  forwarder: Forwarder;
  log: Logger;
  /** This client's connection is still the backend's current one (older ones are ignored). */
  current(): boolean;
}

export function installClientHandlers(client: Client, ctx: HandlerContext): void {
  const { backend, hooks, forwarder, current } = ctx;
  const refresh = async (kind: ListKind) => {
    if (!current() || backend.state !== 'connected') return;
    try {
      await fetchOneList(client, backend.capabilities, kind, backend.lists, backend.config.requestTimeout);
      if (current()) hooks.onListChanged(backend, kind);
    } catch (error) {
      ctx.log.warn(`[${backend.name}] refreshing its ${kind} failed: ${errorText(error)}`);
    }
  };
  client.setNotificationHandler(ToolListChangedNotificationSchema, () => refresh('tools'));
  client.setNotificationHandler(ResourceListChangedNotificationSchema, () => refresh('resources'));
  client.setNotificationHandler(PromptListChangedNotificationSchema, () => refresh('prompts'));
  client.setNotificationHandler(ProgressNotificationSchema, (n) => forwarder.progressed(n.params));
  client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
    if (current()) hooks.onLog(backend, n.params);
  });
  client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => {
    if (current()) hooks.onResourceUpdated(backend, n.params.uri);
  });
  client.setNotificationHandler(TaskStatusNotificationSchema, (n) => {
    forwarder.tasks.status(n.params.taskId, n.params.status);
    if (current()) hooks.onSessionNotification?.(backend, 'notifications/tasks/status', n.params);
  });
  client.setNotificationHandler(ElicitationCompleteNotificationSchema, (n) => {
    if (current()) hooks.onSessionNotification?.(backend, 'notifications/elicitation/complete', n.params);
  });
  const forward = (method: ServerRequestMethod) => (request: { params?: unknown }, extra: { signal: AbortSignal }) =>
    hooks.onServerRequest(backend, method, request.params, extra.signal) as Promise<never>;
  client.setRequestHandler(CreateMessageRequestSchema, forward('sampling/createMessage'));
  client.setRequestHandler(ElicitRequestSchema, forward('elicitation/create'));
  client.setRequestHandler(ListRootsRequestSchema, forward('roots/list'));
}
