/**
 * The dashboard at / and the JSON API behind it (docs/protocol.md). This file is the only part loaded with
 * serve: the page's assets and the API module are imported on the first request that needs them, so the
 * dashboard adds nothing to startup.
 *
 * The page itself holds no data (everything comes from /api, which the token guards), so / is served like
 * /health: behind the Host/Origin guard, without a token. Its Content-Security-Policy lets it load only its
 * own script and style and talk only to this serve.
 */
import type { StoredToken } from '../../../config/tokens.ts';
import type { ApiHost } from '../api.ts';

const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cache-control': 'no-store',
};

type Route = (request: Request, path: string, token?: StoredToken) => Promise<Response | undefined>;

export function dashboardRoutes(host: ApiHost): Route {
  let api: Promise<{ route: Route }> | undefined;
  return async (request, path, token) => {
    if (path.startsWith('/api/')) {
      api ??= import('../api.ts').then((m) => m.apiRoutes(host));
      return (await api).route(request, path, token);
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') return undefined;
    const asset = await assetFor(path);
    if (!asset) return undefined;
    return new Response(request.method === 'HEAD' ? null : asset.body, { headers: { 'content-type': asset.type, ...SECURITY_HEADERS } });
  };
}

async function assetFor(path: string): Promise<{ body: string; type: string } | undefined> {
  if (path === '/' || path === '/dashboard') return { body: (await import('./page-html.ts')).INDEX_HTML, type: 'text/html; charset=utf-8' };
  if (path === '/dashboard/app.js') return { body: (await import('./page-js.ts')).APP_JS, type: 'text/javascript; charset=utf-8' };
  if (path === '/dashboard/app.css') return { body: (await import('./page-css.ts')).APP_CSS, type: 'text/css; charset=utf-8' };
  return undefined;
}
