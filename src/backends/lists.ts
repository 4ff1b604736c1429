/** Fetch a backend's tools, resources, templates and prompts (all pages), per its capabilities. */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { ServerCapabilities } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { emptyLists, type BackendLists, type ListKind } from './types.ts';

const Page = z.looseObject({ nextCursor: z.string().optional() });
const MAX_PAGES = 1000;

async function all<T>(client: Client, method: string, key: string, timeout: number): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const result = (await client.request({ method, params: cursor ? { cursor } : {} } as never, Page, { timeout })) as Record<string, unknown>;
    out.push(...(((result[key] as T[]) ?? []) as T[]));
    cursor = result.nextCursor as string | undefined;
    if (!cursor) break;
  }
  return out;
}

export async function fetchOneList(client: Client, caps: ServerCapabilities, kind: ListKind, into: BackendLists, timeout: number): Promise<void> {
  if (kind === 'tools') {
    into.tools = caps.tools ? await all(client, 'tools/list', 'tools', timeout) : [];
  } else if (kind === 'prompts') {
    into.prompts = caps.prompts ? await all(client, 'prompts/list', 'prompts', timeout) : [];
  } else if (caps.resources) {
    const [resources, templates] = await Promise.all([
      all(client, 'resources/list', 'resources', timeout),
      // Some servers list resources but not templates: treat a failure as none.
      all(client, 'resources/templates/list', 'resourceTemplates', timeout).catch(() => []),
    ]);
    into.resources = resources as BackendLists['resources'];
    into.resourceTemplates = templates as BackendLists['resourceTemplates'];
  } else {
    into.resources = [];
    into.resourceTemplates = [];
  }
}

export async function fetchLists(client: Client, caps: ServerCapabilities, timeout: number): Promise<BackendLists> {
  const lists = emptyLists();
  await Promise.all((['tools', 'resources', 'prompts'] as const).map((k) => fetchOneList(client, caps, k, lists, timeout)));
  return lists;
}
