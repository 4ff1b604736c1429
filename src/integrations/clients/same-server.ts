/**
 * Whether two clients configure the same server: the same command, arguments and environment, or the
 * same URL and headers. Names, tags and client-only fields do not matter; key order does not either.
 */
import { isObject } from './shared.ts';

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && sameValue(a[k], b[k]));
  }
  return false;
}

/** Missing and empty mean the same: `"env": {}` runs exactly what no env does. */
const orEmpty = (v: unknown, empty: unknown) => (v === undefined ? empty : v);

export function sameServer(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  if (typeof a.url === 'string' || typeof b.url === 'string') return a.url === b.url && sameValue(orEmpty(a.headers, {}), orEmpty(b.headers, {}));
  if (typeof a.command !== 'string') return false;
  return a.command === b.command && sameValue(orEmpty(a.args, []), orEmpty(b.args, [])) && sameValue(orEmpty(a.env, {}), orEmpty(b.env, {})) && sameValue(orEmpty(a.cwd, ''), orEmpty(b.cwd, ''));
}
