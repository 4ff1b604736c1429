/**
 * One refresh per refresh token. Authorization servers rotate refresh tokens: when several requests
 * meet a 401 at the same time, each would refresh with the same token, and all but the first would be
 * refused (invalid_grant) — and drop a login that works. This fetch wrapper sends a refresh request
 * once and hands every caller with the same refresh token the same answer.
 */
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';

interface Answer {
  status: number;
  statusText: string;
  headers: [string, string][];
  body: string;
}

/** Answers by refresh token, kept briefly: callers that read the old token a moment late still get the new one. */
const answers = new Map<string, Promise<Answer>>();
const KEEP_MS = 30_000;

export function refreshOnce(inner: FetchLike = fetch): FetchLike {
  return async (url, init) => {
    const token = refreshTokenOf(init);
    if (!token) return inner(url, init);
    let answer = answers.get(token);
    if (!answer) {
      answer = inner(url, init).then(async (r) => ({ status: r.status, statusText: r.statusText, headers: [...r.headers], body: await r.text() }));
      answers.set(token, answer);
      const forget = () => setTimeout(() => answers.delete(token), KEEP_MS).unref?.();
      answer.then(forget, () => answers.delete(token));
    }
    const { status, statusText, headers, body } = await answer;
    return new Response(body, { status, statusText, headers });
  };
}

function refreshTokenOf(init: RequestInit | undefined): string | undefined {
  if (init?.method !== 'POST' || !(init.body instanceof URLSearchParams)) return undefined;
  return init.body.get('grant_type') === 'refresh_token' ? (init.body.get('refresh_token') ?? undefined) : undefined;
}
