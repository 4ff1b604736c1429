/**
 * The 2026-07-28 ("modern") wire at the HTTP edge (docs/protocol.md, "Two eras on one endpoint"): which
 * requests belong to that era, and the checks every modern request passes before it is served —
 * the per-request `_meta` envelope, the protocol version, and the routing headers that must mirror
 * the body (their encoding and the methods Mcp-Name covers: src/modern-headers.ts). Pure functions over
 * the request's headers and parsed body: no I/O.
 */
import { argumentAt, decodeHeaderValue, NAME_SOURCE, paramHeadersOf } from '../../modern-headers.ts';

/** Protocol versions served statelessly (per-request `_meta`). */
export const MODERN_VERSIONS: readonly string[] = ['2026-07-28'];
/** Protocol versions served with an `initialize` handshake and a session (the SDK v1 path). */
export const LEGACY_VERSIONS: readonly string[] = ['2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05'];
/** Everything a client may choose from, newest first (server/discover, UnsupportedProtocolVersionError). */
export const SUPPORTED_VERSIONS: readonly string[] = [...MODERN_VERSIONS, ...LEGACY_VERSIONS];

export const META_PROTOCOL_VERSION = 'io.modelcontextprotocol/protocolVersion';
export const META_CLIENT_CAPABILITIES = 'io.modelcontextprotocol/clientCapabilities';
export const META_CLIENT_INFO = 'io.modelcontextprotocol/clientInfo';
export const META_SERVER_INFO = 'io.modelcontextprotocol/serverInfo';
export const META_SUBSCRIPTION_ID = 'io.modelcontextprotocol/subscriptionId';

/** Error codes the modern revision defines (its reserved -32020…-32099 range), and JSON-RPC's own. */
export const HEADER_MISMATCH = -32020;
export const MISSING_CLIENT_CAPABILITY = -32021;
export const UNSUPPORTED_PROTOCOL_VERSION = -32022;
export const METHOD_NOT_FOUND = -32601;
export const INVALID_PARAMS = -32602;
export const INVALID_REQUEST = -32600;

/** Methods of the legacy era that the modern one removed: answered 404 / -32601 like any unknown method. */
export const REMOVED_METHODS: ReadonlySet<string> = new Set([
  'initialize',
  'notifications/initialized',
  'ping',
  'logging/setLevel',
  'resources/subscribe',
  'resources/unsubscribe',
  'notifications/roots/list_changed',
  'tasks/result',
  'tasks/list',
]);

export interface ModernRequest {
  id: string | number;
  method: string;
  params: Record<string, unknown>;
  meta: Record<string, unknown>;
  protocolVersion: string;
  clientCapabilities: Record<string, unknown>;
}

/** A refusal: the HTTP status, the JSON-RPC error, and the request id it answers (null when unreadable). */
export interface WireError {
  status: number;
  id: string | number | null;
  code: number;
  message: string;
  data?: unknown;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Whether a request without a session id belongs to the modern era: its `_meta` names a protocol
 * version that is not a legacy one, or its MCP-Protocol-Version header does. A legacy client's first
 * request (`initialize`, no header or a legacy one, no such `_meta`) stays on the legacy path; so does
 * a batch, which the modern era does not have.
 */
export function isModern(body: unknown, headers: Headers): boolean {
  if (!isObject(body)) return false;
  const header = headers.get('mcp-protocol-version');
  if (header !== null && !LEGACY_VERSIONS.includes(header.trim())) return true;
  const meta = isObject(body.params) && isObject(body.params._meta) ? body.params._meta : undefined;
  const version = meta?.[META_PROTOCOL_VERSION];
  return version !== undefined && !LEGACY_VERSIONS.includes(String(version));
}

/**
 * Check the `Mcp-Param-{Name}` headers of a tools/call against its arguments: every parameter whose schema
 * says `"x-mcp-header": "Name"` and that has a value must come with that header, equal to the value (after
 * base64 decoding; numbers compared as numbers). Returns the mismatch, or undefined when all agree.
 */
export function checkParamHeaders(inputSchema: unknown, args: unknown, headers: Headers): string | undefined {
  for (const { path, header } of paramHeadersOf(inputSchema)) {
    const value = argumentAt(args, path);
    if (value === undefined || value === null) continue;
    const raw = headers.get(`mcp-param-${header}`);
    if (raw === null) return `the Mcp-Param-${header} header is required when "${path.join('.')}" has a value`;
    const decoded = decodeHeaderValue(raw);
    if (decoded === undefined) return `Mcp-Param-${header} header value '${raw}' is not valid base64 inside =?base64?…?=`;
    const same = typeof value === 'number' ? decoded.trim() !== '' && Number(decoded) === value : typeof value === 'boolean' ? decoded === String(value) : decoded === value;
    if (!same) return `Mcp-Param-${header} header value '${decoded}' does not match body value '${typeof value === 'object' ? JSON.stringify(value) : String(value)}'`;
  }
  return undefined;
}

/**
 * Check a modern request in the order the revision implies: a well-formed JSON-RPC request, the
 * required `_meta` fields (-32602), headers that mirror the body (-32020), then a version we serve
 * (-32022). Notifications pass with `id` undefined.
 */
export function checkRequest(body: unknown, headers: Headers): { request: ModernRequest } | { notification: string } | { error: WireError } {
  if (!isObject(body) || body.jsonrpc !== '2.0' || typeof body.method !== 'string') {
    return { error: { status: 400, id: null, code: INVALID_REQUEST, message: 'Invalid Request: expected one JSON-RPC 2.0 request object with a "method"' } };
  }
  const method = body.method;
  if (body.id === undefined) return { notification: method };
  if (typeof body.id !== 'string' && typeof body.id !== 'number') {
    return { error: { status: 400, id: null, code: INVALID_REQUEST, message: 'Invalid Request: the "id" must be a string or a number' } };
  }
  const id = body.id;
  const fail = (status: number, code: number, message: string, data?: unknown) => ({ error: { status, id, code, message, ...(data !== undefined ? { data } : {}) } });
  if (body.params !== undefined && !isObject(body.params)) return fail(400, INVALID_PARAMS, 'Invalid params: "params" must be an object');
  const params = (body.params ?? {}) as Record<string, unknown>;
  const meta = params._meta;
  if (!isObject(meta)) return fail(400, INVALID_PARAMS, `Invalid params: a 2026-07-28 request carries "_meta" with "${META_PROTOCOL_VERSION}" and "${META_CLIENT_CAPABILITIES}"`);
  const version = meta[META_PROTOCOL_VERSION];
  if (typeof version !== 'string') return fail(400, INVALID_PARAMS, `Invalid params: "_meta" lacks "${META_PROTOCOL_VERSION}" (a string such as "2026-07-28")`);
  const capabilities = meta[META_CLIENT_CAPABILITIES];
  if (!isObject(capabilities)) return fail(400, INVALID_PARAMS, `Invalid params: "_meta" lacks "${META_CLIENT_CAPABILITIES}" (an object; {} declares none)`);

  const mismatch = (message: string) => fail(400, HEADER_MISMATCH, `Header mismatch: ${message}`);
  const versionHeader = headers.get('mcp-protocol-version');
  if (versionHeader === null) return mismatch('the MCP-Protocol-Version header is required');
  if (versionHeader.trim() !== version) return mismatch(`MCP-Protocol-Version header value '${versionHeader}' does not match body value '${version}'`);
  const methodHeader = headers.get('mcp-method');
  if (methodHeader === null) return mismatch('the Mcp-Method header is required');
  if (methodHeader !== method) return mismatch(`Mcp-Method header value '${methodHeader}' does not match body value '${method}'`);
  const source = NAME_SOURCE[method];
  if (source) {
    const nameHeader = headers.get('mcp-name');
    if (nameHeader === null) return mismatch(`the Mcp-Name header is required for ${method} (it carries params.${source})`);
    const decoded = decodeHeaderValue(nameHeader);
    if (decoded === undefined) return mismatch(`Mcp-Name header value '${nameHeader}' is not valid base64 inside =?base64?…?=`);
    if (decoded !== params[source]) return mismatch(`Mcp-Name header value '${decoded}' does not match body value '${String(params[source])}'`);
  }

  if (!MODERN_VERSIONS.includes(version)) {
    return fail(400, UNSUPPORTED_PROTOCOL_VERSION, `Unsupported protocol version ${version}: this server speaks ${SUPPORTED_VERSIONS.join(', ')} (the legacy ones after an "initialize")`, {
      supported: SUPPORTED_VERSIONS,
      requested: version,
    });
  }
  return { request: { id, method, params, meta, protocolVersion: version, clientCapabilities: capabilities } };
}
