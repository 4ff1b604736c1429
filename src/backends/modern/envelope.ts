/**
 * What every 2026-07-28 request to a backend carries (docs/protocol.md, "Modern backends"): the `_meta`
 * envelope (protocol version, our capabilities, our name) and, over HTTP, the routing headers that
 * mirror the body. Pure functions. The `_meta` keys are the revision's (server/modern/wire.ts names the same
 * ones for the HTTP edge; backends sit below server, so they are spelled out here).
 */
import { VERSION } from '../../version.ts';
import { ANNOUNCED_CLIENT_CAPABILITIES } from '../client-capabilities.ts';
import { routingHeaders as sharedRoutingHeaders, type ParamHeader } from '../../modern-headers.ts';

/** The revision we speak to modern backends. */
export const MODERN_VERSION = '2026-07-28';
export const META_PROTOCOL_VERSION = 'io.modelcontextprotocol/protocolVersion';
export const META_CLIENT_CAPABILITIES = 'io.modelcontextprotocol/clientCapabilities';
export const META_CLIENT_INFO = 'io.modelcontextprotocol/clientInfo';
export const META_SERVER_INFO = 'io.modelcontextprotocol/serverInfo';
export const META_SUBSCRIPTION_ID = 'io.modelcontextprotocol/subscriptionId';
export const META_LOG_LEVEL = 'io.modelcontextprotocol/logLevel';

/**
 * The params of a request with our envelope added (the caller's own `_meta` keys kept); `extensions` are
 * declared in our client capabilities for this request only (the tasks extension, modern/tasks.ts).
 */
export function withEnvelope(params: Record<string, unknown> | undefined, logLevel?: string, extensions?: Record<string, object>): Record<string, unknown> {
  const meta = (params?._meta as Record<string, unknown> | undefined) ?? {};
  return {
    ...params,
    _meta: {
      ...meta,
      [META_PROTOCOL_VERSION]: MODERN_VERSION,
      [META_CLIENT_CAPABILITIES]: extensions ? { ...ANNOUNCED_CLIENT_CAPABILITIES, extensions } : ANNOUNCED_CLIENT_CAPABILITIES,
      [META_CLIENT_INFO]: { name: '1mcp', version: VERSION },
      ...(logLevel ? { [META_LOG_LEVEL]: logLevel } : {}),
    },
  };
}

/** The HTTP headers of a modern request to a backend (routing headers mirror the body; src/modern-headers.ts). */
export function routingHeaders(method: string, params: Record<string, unknown> | undefined, paramHeaders?: ParamHeader[]): Record<string, string> {
  return sharedRoutingHeaders(method, params, MODERN_VERSION, paramHeaders);
}

/** The fields a modern result adds that a legacy caller never sees (ours go on at the edge). */
export function legacyShape(result: Record<string, unknown>): Record<string, unknown> {
  const { resultType: _type, ttlMs: _ttl, cacheScope: _scope, ...rest } = result;
  const meta = rest._meta as Record<string, unknown> | undefined;
  if (meta && META_SERVER_INFO in meta) {
    const { [META_SERVER_INFO]: _info, ...kept } = meta;
    if (Object.keys(kept).length) rest._meta = kept;
    else delete rest._meta;
  }
  return rest;
}
