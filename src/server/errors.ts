/**
 * JSON-RPC errors as they go back to the client. The SDK's McpError prefixes "MCP error <code>:" to
 * its message, so a backend's error re-thrown as-is would be prefixed twice; this keeps the
 * backend's own code, message and data.
 *
 * RpcError is deliberately not a OneMcpError (src/errors.ts): it is a protocol value that the SDK puts
 * into a JSON-RPC response (it reads `code` and `data`), inside an HTTP 200, often relayed from a
 * backend as-is. It has no exit code or HTTP status, and a `catch` for user errors must not swallow it.
 */
import { ErrorCode } from '@modelcontextprotocol/sdk/types.js';
import { errorDataOf } from '../backends/error-data.ts';

export class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
  }
}

export function relayError(error: unknown, server: string): RpcError {
  const e = error as { code?: unknown; message?: string } | undefined;
  const data = errorDataOf(error);
  const code = typeof e?.code === 'number' && Number.isSafeInteger(e.code) ? e.code : ErrorCode.InternalError;
  const message = String(e?.message ?? error).replace(/^MCP error -?\d+: /, '');
  if (code === ErrorCode.RequestTimeout) return new RpcError(code, `server "${server}": ${message}`, data);
  if (code === ErrorCode.ConnectionClosed) return new RpcError(ErrorCode.InternalError, `server "${server}" closed the connection during the request (${message})`, data);
  return new RpcError(code, message, data);
}

export const notFound = (what: string) => new RpcError(ErrorCode.InvalidParams, what);

/** The URL elicitations a -32042 (URL elicitation required) error carries in `data.elicitations`. */
export function urlElicitationsIn(error: unknown): { elicitationId?: unknown }[] {
  const e = error as { code?: unknown; data?: { elicitations?: unknown } };
  if (e?.code !== ErrorCode.UrlElicitationRequired || !Array.isArray(e.data?.elicitations)) return [];
  return e.data.elicitations.filter((x): x is { elicitationId?: unknown } => !!x && typeof x === 'object');
}
