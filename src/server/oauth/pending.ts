/**
 * Authorization requests waiting for the user (docs/security.md). Each gets a random request id (the
 * consent form's hidden field) and a one-time approval code that serve prints on its log: only someone who
 * can read serve's log — the local user — or who holds the config dir's identity key (`1mcp auth approve`)
 * can approve. A few wrong codes cancel the request.
 */
import { randomBytes, randomInt } from 'node:crypto';

export const PENDING_TTL_MS = 10 * 60_000;
export const MAX_WRONG_CODES = 5;
const MAX_PENDING = 50;
/**
 * Wrong codes allowed across ALL requests per PENDING_TTL_MS: per-request tries alone do not stop a
 * stranger who opens request after request, each with 5 fresh guesses at a 6-digit code.
 */
export const MAX_WRONG_CODES_OVERALL = 20;

export interface AuthorizationParams {
  clientId: string;
  clientName: string;
  clientUri?: string;
  redirectUri: string;
  state?: string;
  codeChallenge: string;
  resource: string;
  issuer: string;
  /** Tags the client asked for (from `tag:<name>` scopes); undefined when it asked for no scope. */
  requestedTags?: string[];
}

export interface PendingRequest {
  id: string;
  approvalCode: string;
  params: AuthorizationParams;
  expires: number;
  wrongCodes: number;
  /** Set by `1mcp auth approve`: the form's Allow then needs no code; tags when the terminal chose them. */
  approvedLocally?: { tags?: string[] };
}

function newApprovalCode(): string {
  const n = randomInt(0, 1_000_000).toString().padStart(6, '0');
  return `${n.slice(0, 3)}-${n.slice(3)}`;
}

/** "493118", "493 118", "493-118" are one code. */
export function normalizeApprovalCode(text: string): string {
  const digits = text.replace(/[\s-]/g, '');
  return /^\d{6}$/.test(digits) ? `${digits.slice(0, 3)}-${digits.slice(3)}` : text.trim();
}

export function pendingRequests() {
  const byId = new Map<string, PendingRequest>();
  let wrongAt: number[] = [];
  const sweep = () => {
    const now = Date.now();
    for (const [id, r] of byId) if (r.expires <= now) byId.delete(id);
  };
  return {
    add(params: AuthorizationParams): PendingRequest {
      sweep();
      // Bounded: the oldest request gives way (each one printed a line on the log anyway).
      while (byId.size >= MAX_PENDING) byId.delete(byId.keys().next().value!);
      let approvalCode = newApprovalCode();
      while ([...byId.values()].some((r) => r.approvalCode === approvalCode)) approvalCode = newApprovalCode();
      const request: PendingRequest = { id: randomBytes(24).toString('base64url'), approvalCode, params, expires: Date.now() + PENDING_TTL_MS, wrongCodes: 0 };
      byId.set(request.id, request);
      return request;
    },
    get(id: string): PendingRequest | undefined {
      const r = byId.get(id);
      if (r && r.expires > Date.now()) return r;
      byId.delete(id);
      return undefined;
    },
    byCode(code: string): PendingRequest | undefined {
      sweep();
      const wanted = normalizeApprovalCode(code);
      return [...byId.values()].find((r) => r.approvalCode === wanted);
    },
    /** Note a wrong code typed on a consent page. */
    noteWrongCode(): void {
      wrongAt.push(Date.now());
      wrongAt = wrongAt.slice(-MAX_WRONG_CODES_OVERALL);
    },
    /** Whether the consent form takes no approval code for now (the terminal still can approve). */
    codeEntryLocked(): boolean {
      return wrongAt.length >= MAX_WRONG_CODES_OVERALL && wrongAt[0]! > Date.now() - PENDING_TTL_MS;
    },
    remove(id: string): void {
      byId.delete(id);
    },
  };
}

export type PendingRequests = ReturnType<typeof pendingRequests>;
