/**
 * JSON-RPC 2.0 shapes shared by the proxy (src/proxy/) and serve's HTTP edge (src/server/http/).
 * Pure and import-free: `1mcp proxy` loads it without the MCP SDK.
 */
export type JsonRpcId = string | number;

export interface JsonRpcMessage {
  jsonrpc: '2.0';
  id?: JsonRpcId | null;
  method?: string;
  params?: Record<string, unknown>;
  result?: unknown;
  error?: unknown;
}

/**
 * A JSON-RPC body carries one message or a batch (an array): its messages, in order. `undefined`
 * (nothing parsed) is no message; any other value, `null` included, is one message that the caller
 * must still check.
 */
export function messagesOf(body: unknown): unknown[] {
  if (Array.isArray(body)) return body;
  return body === undefined ? [] : [body];
}

/** A request expects an answer: it has a method and an id (a null id is not one). */
export function isRequest(message: unknown): message is JsonRpcMessage & { id: JsonRpcId } {
  if (!message || typeof message !== 'object') return false;
  const m = message as JsonRpcMessage;
  return m.method !== undefined && m.id !== undefined && m.id !== null;
}
