/**
 * Aggregated pagination (docs/protocol.md): opaque cursors that name the last item sent, so a page
 * boundary stays put when items are added or removed elsewhere in the list.
 */
import { ErrorCode } from '@modelcontextprotocol/sdk/types.js';
import { RpcError } from './errors.ts';

export const PAGE_SIZE = 100;

const INVALID_CURSOR = 'invalid cursor: pass the nextCursor of the previous page unchanged, or no cursor for the first page';

export function paginate<T>(items: T[], keyOf: (item: T) => string, cursor: string | undefined, enabled: boolean): { page: T[]; nextCursor?: string } {
  if (!enabled && cursor === undefined) return { page: items };
  let start = 0;
  if (cursor !== undefined) {
    // base64url decoding never throws (it skips foreign characters): the shape check below is the guard.
    const m = /^1mcp:(\d+):(.*)$/s.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!m) throw new RpcError(ErrorCode.InvalidParams, INVALID_CURSOR);
    const index = items.findIndex((i) => keyOf(i) === m[2]);
    // The last item sent is gone: the one after it has moved up into its place.
    start = index >= 0 ? index + 1 : Math.min(Number(m[1]), items.length);
  }
  const page = items.slice(start, start + PAGE_SIZE);
  const more = start + PAGE_SIZE < items.length;
  return { page, nextCursor: more ? Buffer.from(`1mcp:${start + page.length - 1}:${keyOf(page.at(-1)!)}`, 'utf8').toString('base64url') : undefined };
}
