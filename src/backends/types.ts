import { ModernClient } from './modern/client.ts';
import type { Prompt, Resource, ResourceTemplate, Tool } from '@modelcontextprotocol/sdk/types.js';

/** `awaiting-auth`: a remote server that wants an OAuth login ("1mcp mcp auth <name>"); no retries until then. */
export type BackendState = 'starting' | 'connected' | 'restarting' | 'crash-loop' | 'disabled' | 'error' | 'stopped' | 'awaiting-auth';

export type ListKind = 'tools' | 'resources' | 'prompts';

export interface BackendLists {
  tools: Tool[];
  resources: Resource[];
  resourceTemplates: ResourceTemplate[];
  prompts: Prompt[];
}

export function emptyLists(): BackendLists {
  return { tools: [], resources: [], resourceTemplates: [], prompts: [] };
}

/** What a backend reports about itself (status, health). */
export interface BackendStatus {
  name: string;
  type: string;
  state: BackendState;
  pid?: number;
  connectedAt?: string;
  uptimeSeconds?: number;
  restarts: number;
  lastError?: string;
  /** While connected: "2026-07-28" for a backend spoken to in the modern era, else "legacy" (initialize). */
  protocol?: string;
  tools: number;
  resources: number;
  prompts: number;
  tags: string[];
  /** Only for `"scope": "session"` servers: live per-session instances and their limit. */
  scope?: 'session';
  instances?: number;
  maxInstances?: number;
}

/** The fields of a backend that its status reports. */
interface StatusSource {
  name: string;
  config: { type: string; tags: string[] };
  state: BackendState;
  pid?: number;
  connectedAt?: number;
  restarts: number;
  lastError?: string;
  lists: BackendLists;
  /** The connected client, if any (its kind tells the era). */
  client?: unknown;
}

export function statusOf(b: StatusSource): BackendStatus {
  return {
    name: b.name,
    type: b.config.type,
    state: b.state,
    pid: b.pid,
    connectedAt: b.connectedAt ? new Date(b.connectedAt).toISOString() : undefined,
    uptimeSeconds: b.connectedAt ? Math.round((Date.now() - b.connectedAt) / 1000) : undefined,
    restarts: b.restarts,
    lastError: b.lastError,
    protocol: b.client === undefined ? undefined : b.client instanceof ModernClient ? b.client.getProtocolVersion() : 'legacy',
    tools: b.lists.tools.length,
    resources: b.lists.resources.length + b.lists.resourceTemplates.length,
    prompts: b.lists.prompts.length,
    tags: b.config.tags,
  };
}
