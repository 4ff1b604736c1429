/**
 * `GET /metrics` (docs/protocol.md): Prometheus text format 0.0.4. Same access rules as /api: the
 * Host/Origin guard, and with --enable-auth a bearer token. The figures cover every server and every
 * session, so a token limited to tags is refused rather than shown totals that include other servers.
 */
import type { StoredToken } from '../../config/tokens.ts';
import { json, text } from './responses.ts';

export interface MetricsHost {
  /** The current metrics as Prometheus text. */
  metricsText(): string;
}

const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export function metricsRoute(request: Request, host: MetricsHost, token?: StoredToken): Response {
  if (request.method !== 'GET' && request.method !== 'HEAD') return text('Method not allowed', 405);
  if (token?.tags?.length) {
    return json({ error: `Forbidden: token "${token.name}" is limited to tags (${token.tags.join(', ')}) and /metrics covers every server; scrape with a token created without --tags` }, 403);
  }
  return new Response(request.method === 'HEAD' ? null : host.metricsText(), { status: 200, headers: { 'content-type': CONTENT_TYPE, 'cache-control': 'no-store' } });
}
