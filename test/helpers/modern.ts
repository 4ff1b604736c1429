/**
 * A 2026-07-28 ("modern") client over raw fetch, as tests need it: the per-request `_meta` envelope, the
 * routing headers a conforming client derives from the body (spelled out here on purpose, not taken from
 * src/, so serve's checks are tested against an independent reading), and the answer from JSON or an
 * event stream.
 */
import { messagesOf } from './raw-http.ts';

export const MODERN_VERSION = '2026-07-28';
export const TASKS_EXTENSION = 'io.modelcontextprotocol/tasks';

/** The `_meta` every modern request carries. */
export function envelope(capabilities: Record<string, unknown> = {}, clientName = 'modern-test'): Record<string, unknown> {
  return {
    'io.modelcontextprotocol/protocolVersion': MODERN_VERSION,
    'io.modelcontextprotocol/clientCapabilities': capabilities,
    'io.modelcontextprotocol/clientInfo': { name: clientName, version: '1' },
  };
}

/** The headers of a modern request, taken from the body: Mcp-Name is params.name, params.uri or the task id. */
export function modernHeaders(method: string, params: Record<string, unknown>, token?: string): Record<string, string> {
  const name = method === 'tools/call' || method === 'prompts/get' ? params.name : method === 'resources/read' ? params.uri : method.startsWith('tasks/') ? params.taskId : undefined;
  return {
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    'mcp-protocol-version': MODERN_VERSION,
    'mcp-method': method,
    ...(name !== undefined ? { 'mcp-name': String(name) } : {}),
    ...(token ? { authorization: `Bearer ${token}` } : {}),
  };
}

export interface ModernCall {
  token?: string;
  /** The client capabilities in `_meta` (default: none). */
  caps?: Record<string, unknown>;
  clientName?: string;
  /** More `_meta` keys (a progressToken, or an envelope field overridden); null sends no `_meta` at all. */
  meta?: Record<string, unknown> | null;
  /** Header overrides; null removes one. */
  headers?: Record<string, string | null>;
  /** Appended to the URL (?tags=…). */
  query?: string;
  signal?: AbortSignal;
  id?: string | number;
}

let nextId = 1;

/** Send one modern request; the response is not awaited (streams such as subscriptions/listen stay open). */
export function postModern(url: string, method: string, params: Record<string, unknown> = {}, call: ModernCall = {}): { id: string | number; response: Promise<Response> } {
  const id = call.id ?? nextId++;
  const body = call.meta === null ? params : { ...params, _meta: { ...envelope(call.caps, call.clientName), ...call.meta } };
  const headers = modernHeaders(method, params, call.token);
  for (const [k, v] of Object.entries(call.headers ?? {})) {
    delete headers[k];
    if (v !== null) headers[k] = v;
  }
  const response = fetch(`${url}${call.query ?? ''}`, { method: 'POST', headers, body: JSON.stringify({ jsonrpc: '2.0', id, method, params: body }), signal: call.signal });
  return { id, response };
}

/** One modern request and its answer: the message with our id (from JSON or the event stream), and all messages. */
export async function callModern(url: string, method: string, params: Record<string, unknown> = {}, call: ModernCall = {}) {
  const { id, response: pending } = postModern(url, method, params, call);
  const response = await pending;
  const messages = messagesOf(response.headers.get('content-type'), await response.text());
  return { response, status: response.status, message: messages.find((m) => m.id === id) as any, messages };
}

/** Read an open event stream one JSON-RPC message at a time (`next` rejects when the stream ends). */
export function eventReader(response: Response): { next(): Promise<any>; cancel(): Promise<void> } {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const next = async (): Promise<any> => {
    for (;;) {
      const end = buffer.indexOf('\n\n');
      if (end >= 0) {
        const chunk = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = chunk
          .split('\n')
          .filter((l) => l.startsWith('data:'))
          .map((l) => l.slice(5).trim())
          .join('\n');
        if (data) return JSON.parse(data);
        continue;
      }
      const { value, done } = await reader.read();
      if (done) throw new Error('stream ended');
      buffer += decoder.decode(value, { stream: true });
    }
  };
  return { next, cancel: () => reader.cancel().catch(() => {}) };
}
