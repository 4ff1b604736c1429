/**
 * `1mcp auth approve <code>` proves to serve that it runs as the local user: it holds the config dir's
 * identity key (0600), and sends HMAC(key, code and tags) — the key itself never crosses the wire, and a
 * proof is bound to the tags it approves.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export function approvalProof(key: Buffer, code: string, tags: string[] | undefined): string {
  return createHmac('sha256', key).update(`1mcp-oauth-approve\n${code}\n${tags ? tags.join(',') : '*'}`).digest('hex');
}

export function checkApprovalProof(key: Buffer, code: string, tags: string[] | undefined, proof: unknown): boolean {
  if (typeof proof !== 'string' || !/^[0-9a-f]{64}$/.test(proof)) return false;
  return timingSafeEqual(Buffer.from(approvalProof(key, code, tags), 'hex'), Buffer.from(proof, 'hex'));
}
