/**
 * A standing event stream (GET /mcp, legacy /sse) is authorized once, when it opens; every later request is
 * checked on its own. So a stream opened with a token that expires (an OAuth access token after its lifetime)
 * ends then, as a bearer token's sessions end when it expires: the client reconnects with a refreshed token
 * (docs/security.md, "OAuth for clients").
 */
import type { StoredToken } from '../../config/tokens.ts';

/** setTimeout's ceiling (~24.8 days); a token living longer is left to the session closing at its expiry. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** `response` unchanged, or its body ending when `token` expires (a GET's event stream only). */
export function endStreamAtExpiry(response: Response, request: Request, token?: StoredToken): Response {
  if (request.method !== 'GET' || !token?.expires || !response.body || !response.headers.get('content-type')?.includes('text/event-stream')) return response;
  const delay = Date.parse(token.expires) - Date.now();
  if (!(delay < MAX_TIMER_MS)) return response;
  const reader = response.body.getReader();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let ended = false;
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      timer = setTimeout(() => {
        // Cancelling our side lets the transport forget the stream; closing ours ends the client's.
        ended = true;
        reader.cancel('the access token expired').catch(() => {});
        controller.close();
      }, Math.max(0, delay));
      timer.unref?.();
    },
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (ended) return;
        if (done) {
          clearTimeout(timer);
          controller.close();
        } else controller.enqueue(value);
      } catch (error) {
        clearTimeout(timer);
        if (!ended) controller.error(error);
      }
    },
    cancel(reason) {
      clearTimeout(timer);
      return reader.cancel(reason);
    },
  });
  return new Response(stream, { status: response.status, statusText: response.statusText, headers: response.headers });
}
