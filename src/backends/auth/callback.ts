/**
 * The loopback redirect of an OAuth login (RFC 8252): a one-shot HTTP listener on 127.0.0.1 that waits
 * for `/callback?code=…&state=…`, checks `state` (and `iss`, RFC 9207), and tells the browser the outcome.
 */
import { OneMcpError } from '../../errors.ts';
import { serveHttp, type HttpServerHandle } from '../../runtime/http.ts';

export interface CallbackListener {
  redirectUrl: string;
  port: number;
  /** The authorization code, once the browser comes back with the right state. */
  code(options: { state: string; issuer?: string; issRequired: boolean; timeoutMs: number }): Promise<string>;
  close(): Promise<void>;
}

/** Listen on `port` (0: any free one); a taken preferred port falls back to a free one. */
export async function listenForCallback(port = 0, fallback = true): Promise<CallbackListener> {
  let deliver: ((url: URL) => Response) | undefined;
  const fetch = (request: Request) => {
    const url = new URL(request.url);
    if (request.method !== 'GET' || url.pathname !== '/callback') return new Response('not found', { status: 404 });
    return deliver ? deliver(url) : page(409, 'No login is waiting for this answer.');
  };
  let http: HttpServerHandle;
  try {
    http = await serveHttp({ port, host: '127.0.0.1', fetch });
  } catch (error) {
    if (!fallback || port === 0) throw new OneMcpError(`cannot listen on 127.0.0.1:${port} for the login callback (${(error as Error).message}); choose another --port`);
    http = await serveHttp({ port: 0, host: '127.0.0.1', fetch });
  }
  const redirectUrl = `http://127.0.0.1:${http.port}/callback`;
  return {
    redirectUrl,
    port: http.port,
    code: ({ state, issuer, issRequired, timeoutMs }) =>
      new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new OneMcpError(`no login arrived within ${Math.round(timeoutMs / 1000)} s; run the command again (--timeout sets how long it waits)`)), timeoutMs);
        const finish = (error: OneMcpError | undefined, code?: string) => {
          clearTimeout(timer);
          deliver = undefined;
          if (error) reject(error);
          else resolve(code!);
        };
        deliver = (url) => {
          const p = url.searchParams;
          // Another page (or a stale tab) must not be able to end this login: ignore a wrong state.
          if (p.get('state') !== state) return page(400, 'This answer does not belong to the login in progress (state mismatch). Start the login again from the terminal.');
          const iss = p.get('iss');
          if (issuer && iss !== null && iss !== issuer) {
            finish(new OneMcpError(`the login answer names issuer ${iss}, but the authorization server is ${issuer} (a mix-up attack or a misconfigured server); nothing was saved`));
            return page(400, 'The answer came from another authorization server. Nothing was saved.');
          }
          if (iss === null && issRequired) {
            finish(new OneMcpError(`the authorization server promises an "iss" in its answer (RFC 9207) and sent none; nothing was saved`));
            return page(400, 'The answer has no issuer. Nothing was saved.');
          }
          const error = p.get('error');
          if (error) {
            const description = p.get('error_description');
            finish(new OneMcpError(`the authorization server refused the login: ${error}${description ? ` (${description})` : ''}`));
            return page(400, `The login was refused: ${error}.`);
          }
          const code = p.get('code');
          if (!code) {
            finish(new OneMcpError('the login answer has neither a code nor an error; nothing was saved'));
            return page(400, 'The answer has no authorization code.');
          }
          finish(undefined, code);
          return page(200, 'Logged in. You can close this tab and go back to the terminal.');
        };
      }),
    // Let the page of the last answer reach the browser; then drop whatever connection is left.
    close: async () => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([http.close(false), new Promise((r) => (timer = setTimeout(r, 1000)))]);
      clearTimeout(timer);
      await http.close(true);
    },
  };
}

function page(status: number, text: string): Response {
  const body = `<!doctype html><meta charset="utf-8"><title>1mcp</title><p>${text.replace(/[<>&]/g, '')}</p>`;
  return new Response(body, { status, headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' } });
}
