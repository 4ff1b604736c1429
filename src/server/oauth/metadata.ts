/**
 * Discovery documents of `serve --enable-auth oauth` (docs/security.md): RFC 9728 protected-resource
 * metadata for /mcp and RFC 8414 authorization-server metadata. serve is both the resource and its own
 * authorization server, so the issuer is serve's base URL.
 */

/** Where serve is reached: --external-url when set, else the loopback address the request came to. */
export interface PublicUrls {
  /** The issuer: the base URL, no trailing slash (https://gw.example/base or http://127.0.0.1:3050). */
  issuer: string;
  /** The protected resource: the /mcp endpoint (RFC 8707 resource indicator). */
  resource: string;
}

/**
 * Without --external-url the Host header decides (the Host/Origin guard has already checked it is one of
 * our loopback names), so a client that connects to localhost gets localhost URLs back, not 127.0.0.1.
 */
export function publicUrls(request: Request, externalUrl?: string): PublicUrls {
  if (externalUrl) {
    const issuer = externalUrl.replace(/\/+$/, '');
    return { issuer, resource: `${issuer}/mcp` };
  }
  const url = new URL(request.url);
  const host = request.headers.get('host') ?? url.host;
  const issuer = `${url.protocol}//${host}`;
  return { issuer, resource: `${issuer}/mcp` };
}

/** Every spelling of our resource a token may have been issued for (the loopback names are one machine). */
export function sameResource(a: string, b: string): boolean {
  const norm = (u: string) => {
    try {
      const url = new URL(u);
      const host = url.hostname === 'localhost' || url.hostname === '[::1]' || url.hostname === '::1' ? '127.0.0.1' : url.hostname;
      return `${url.protocol}//${host}:${url.port}${url.pathname.replace(/\/+$/, '')}`;
    } catch {
      return u;
    }
  };
  return norm(a) === norm(b);
}

export function scopesFor(tags: string[]): string[] {
  return [...new Set(tags)].sort().map((t) => `tag:${t}`);
}

export function protectedResourceMetadata(urls: PublicUrls, tags: string[]): Record<string, unknown> {
  return {
    resource: urls.resource,
    authorization_servers: [urls.issuer],
    scopes_supported: scopesFor(tags),
    bearer_methods_supported: ['header'],
    resource_name: '1mcp gateway',
  };
}

export function authorizationServerMetadata(urls: PublicUrls, tags: string[]): Record<string, unknown> {
  const at = (path: string) => `${urls.issuer}${path}`;
  return {
    issuer: urls.issuer,
    authorization_endpoint: at('/oauth/authorize'),
    token_endpoint: at('/oauth/token'),
    registration_endpoint: at('/oauth/register'),
    revocation_endpoint: at('/oauth/revoke'),
    scopes_supported: scopesFor(tags),
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: ['authorization_code', 'refresh_token'],
    code_challenge_methods_supported: ['S256'],
    token_endpoint_auth_methods_supported: ['none', 'client_secret_post', 'client_secret_basic'],
    revocation_endpoint_auth_methods_supported: ['none', 'client_secret_post', 'client_secret_basic'],
    client_id_metadata_document_supported: true,
    authorization_response_iss_parameter_supported: true,
  };
}

/** The challenge on a 401 (RFC 9728 §5.1): where the metadata is and which scopes exist. */
export function bearerChallenge(urls: PublicUrls, tags: string[], error?: { code: string; description: string }): string {
  const parts = [`Bearer resource_metadata="${urls.issuer}/.well-known/oauth-protected-resource/mcp"`];
  const scopes = scopesFor(tags);
  if (scopes.length) parts.push(`scope="${scopes.join(' ')}"`);
  if (error) parts.push(`error="${error.code}"`, `error_description="${error.description.replace(/["\\]/g, "'")}"`);
  return parts.join(', ');
}
