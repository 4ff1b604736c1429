import type { Prompt, Resource, ResourceTemplate, Tool } from '@modelcontextprotocol/sdk/types.js';

export type BackendState = 'starting' | 'connected' | 'restarting' | 'crash-loop' | 'disabled' | 'error' | 'stopped';

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
  tools: number;
  resources: number;
  prompts: number;
  tags: string[];
  /** Only for `"scope": "session"` servers: live per-session instances and their limit. */
  scope?: 'session';
  instances?: number;
  maxInstances?: number;
}
