/**
 * Aggregated pagination (SPEC §4.5): opaque cursors that name the last item sent, so a page
 * boundary stays put when items are added or removed elsewhere in the list.
 */
import { ErrorCode } from '@modelcontextprotocol/sdk/types.js';
import { RpcError } from './errors.ts';

export const PAGE_SIZE = 100;

export function paginate<T>(items: T[], keyOf: (item: T) => string, cursor: string | undefined, enabled: boolean): { page: T[]; nextCursor?: string } {
  if (!enabled && cursor === undefined) return { page: items };
  let start = 0;
  if (cursor !== undefined) {
    let last: string;
    try {
      last = Buffer.from(cursor, 'base64url').toString('utf8');
    } catch {
      throw new RpcError(ErrorCode.InvalidParams, 'invalid cursor');
    }
    const m = /^1mcp:(\d+):(.*)$/s.exec(last);
    if (!m) throw new RpcError(ErrorCode.InvalidParams, 'invalid cursor');
    const index = items.findIndex((i) => keyOf(i) === m[2]);
    // The item is gone: continue from where it was.
    start = index >= 0 ? index + 1 : Math.min(Number(m[1]) + 1, items.length);
  }
  const page = items.slice(start, start + PAGE_SIZE);
  const more = start + PAGE_SIZE < items.length;
  return { page, nextCursor: more ? Buffer.from(`1mcp:${start + page.length - 1}:${keyOf(page.at(-1)!)}`, 'utf8').toString('base64url') : undefined };
}
