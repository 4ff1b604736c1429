/** Small JSON / JSON-RPC / text responses used by the routes, and the one conversion of a thrown error into a response. */
import { isOneMcpError } from '../../errors.ts';

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
}

export function rpcError(status: number, code: number, message: string, headers: Record<string, string> = {}): Response {
  return json({ jsonrpc: '2.0', error: { code, message }, id: null }, status, headers);
}

export function text(body: string, status: number): Response {
  return new Response(body, { status, headers: { 'content-type': 'text/plain; charset=utf-8' } });
}

/** How a route answers an error: the JSON-RPC routes (/mcp, /messages) with a JSON-RPC error body, the others with plain text. */
export type ErrorShape = 'json-rpc' | 'text';

/**
 * JSON-RPC has no "bad request" code. A user error thrown while a request is answered is about what
 * the request asked (its URL parameters, such as the view selector): invalid params.
 */
const INVALID_PARAMS = -32602;
const INTERNAL_ERROR = -32603;

/**
 * The one place a thrown error becomes an HTTP response. The client's mistake (a OneMcpError with a
 * 4xx status) answers with that status and its message; anything else is a 500 that tells nothing
 * (it may carry paths or secrets; the caller logs it).
 */
export function errorResponse(error: unknown, shape: ErrorShape): Response {
  if (isOneMcpError(error) && error.isClientError) {
    return shape === 'json-rpc' ? rpcError(error.httpStatus, INVALID_PARAMS, error.message) : text(error.message, error.httpStatus);
  }
  return rpcError(500, INTERNAL_ERROR, 'Internal error');
}
