/** Exposed names (SPEC §4.2). Interim version; the full one (with NameTable) replaces it. */
import { createHash } from 'node:crypto';

const VALID = /^[A-Za-z0-9_-]{1,64}$/;

export function exposedName(prefix: string, original: string, budget = 53): string {
  const full = prefix === '' ? original : `${prefix}_1mcp_${original}`;
  const clean = full.replace(/[^A-Za-z0-9_-]/g, '_') || '_';
  if (clean === full && clean.length <= budget && VALID.test(clean)) return clean;
  const hash = createHash('sha256').update(full).digest('hex').slice(0, 6);
  return `${clean.slice(0, budget - 7)}_${hash}`;
}

export function resourceAlias(prefix: string, uri: string): string {
  return `${prefix}_1mcp_${uri}`;
}
