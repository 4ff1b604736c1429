/**
 * What a failed request to a remote (HTTP or SSE) backend means for its connection, decided by the
 * error's type: the remote forgot our session (initialize again), or it is not reachable (reconnect
 * with backoff). Anything else is an answer to relay, not a connection problem.
 */
import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

/** Socket and DNS failures, as `code` on Bun's fetch error or on the `cause` of Node's (undici). */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_CLOSED',
  'ConnectionRefused',
  'ConnectionClosed',
]);

/** The SSE client transport reports a failed POST as a plain Error naming the status in its text. */
const SSE_POST_FAILED = /^Error POSTing to endpoint \(HTTP (\d{3})\)/;

/** A Streamable HTTP server that no longer knows our session answers 404 (the SSE transport: the same status). */
export function sessionLost(error: unknown): boolean {
  if (error instanceof StreamableHTTPError) {
    // Some servers answer another 4xx but say so; the status is what the protocol defines.
    const status = error.code ?? 0;
    return status === 404 || (status >= 400 && status < 500 && /session not found/i.test(error.message));
  }
  // No error type for this one: the SSE transport throws Error with the status only in its message.
  return error instanceof Error && SSE_POST_FAILED.exec(error.message)?.[1] === '404';
}

/**
 * The remote server is not there at all (refused, reset, DNS). fetch rejects a network failure with
 * a TypeError (Fetch standard): Bun puts the system code on it, Node (undici) on its `cause`.
 */
/**
 * A 401 the SDK's Streamable HTTP transport did not retry: it keeps one "just authenticated" flag per
 * transport, so when several calls meet a 401 together, those whose 401 lands after another call's refresh
 * (but before that call's retry succeeded) fail at once — with tokens that are already fresh. Worth one retry.
 */
export function authRaceLost(error: unknown): boolean {
  return error instanceof StreamableHTTPError && error.code === 401;
}

export function unreachable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = codeOf(error) ?? codeOf(error.cause);
  if (code !== undefined && NETWORK_CODES.has(code)) return true;
  // Node's "fetch failed" for a reason without a code (a refused port, say): still a network error.
  return error instanceof TypeError && error.cause instanceof Error;
}

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

export function errorText(error: unknown): string {
  return (error as Error)?.message ?? String(error);
}
