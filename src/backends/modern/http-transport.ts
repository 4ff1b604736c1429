/**
 * A 2026-07-28 backend over Streamable HTTP, as a message transport: each request is its own POST
 * (routing headers from the body, no session), answered with JSON or an event stream whose messages
 * (progress, logs, then the response) are handed on as they come. Cancelling a request closes its
 * stream, which is how the modern era cancels over HTTP.
 */
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { readSse } from '../../runtime/sse-parser.ts';
import { routingHeaders } from './envelope.ts';
import type { ParamHeaders } from '../../modern-headers.ts';

type FetchLike = (url: URL, init: RequestInit) => Promise<Response>;

interface Message {
  id?: string | number;
  method?: string;
  params?: Record<string, unknown>;
}

export class ModernHttpTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  /** Open POSTs by request id: aborting one closes its response stream. */
  private readonly open = new Map<string, AbortController>();
  private closed = false;
  /** Filled by the client from tools/list: which arguments of a tools/call also go in headers. */
  readonly paramHeaders: ParamHeaders = new Map();

  constructor(
    private readonly url: URL,
    private readonly headers: Record<string, string>,
    private readonly fetchFn: FetchLike = (u, init) => fetch(u, init),
  ) {}

  async start(): Promise<void> {}

  /** Resolves once the backend accepted the POST (its answer then arrives through onmessage). */
  async send(raw: JSONRPCMessage): Promise<void> {
    if (this.closed) throw new Error('the connection to the backend is closed');
    const message = raw as Message;
    if (message.method === 'notifications/cancelled') {
      this.open.get(String(message.params?.requestId))?.abort(new Error('cancelled'));
      return;
    }
    const isRequest = message.id !== undefined && message.method !== undefined;
    if (!isRequest) {
      // Notifications and responses: nothing comes back worth reading.
      const response = await this.post(message, undefined);
      await response.body?.cancel().catch(() => {});
      return;
    }
    const key = String(message.id);
    const controller = new AbortController();
    this.open.set(key, controller);
    let response: Response;
    try {
      response = await this.post(message, controller.signal);
    } catch (error) {
      this.open.delete(key);
      throw error;
    }
    void this.read(message.id!, response, controller.signal).finally(() => {
      if (this.open.get(key) === controller) this.open.delete(key);
    });
  }

  private post(message: Message, signal: AbortSignal | undefined): Promise<Response> {
    const paramHeaders = message.method === 'tools/call' ? this.paramHeaders.get(String(message.params?.name)) : undefined;
    const headers = { ...this.headers, 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...routingHeaders(message.method ?? '', message.params, paramHeaders) };
    return this.fetchFn(this.url, { method: 'POST', headers, body: JSON.stringify(message), signal });
  }

  /** Hand on what the response carries; a request left unanswered gets an error response of ours. */
  private async read(id: string | number, response: Response, signal: AbortSignal): Promise<void> {
    let answered = false;
    const deliver = (message: unknown) => {
      if (this.closed || typeof message !== 'object' || message === null) return;
      if ((message as Message).id === id && !('method' in message)) answered = true;
      this.onmessage?.(message as JSONRPCMessage);
    };
    const type = response.headers.get('content-type') ?? '';
    try {
      if (type.includes('text/event-stream') && response.body) {
        await readSse(response.body, (event) => {
          if (event.data.trim() === '') return;
          try {
            deliver(JSON.parse(event.data));
          } catch {
            // A malformed event is skipped; the request then ends unanswered below.
          }
        });
      } else {
        const text = await response.text();
        let body: unknown;
        try {
          body = text ? JSON.parse(text) : undefined;
        } catch {
          body = undefined;
        }
        for (const message of Array.isArray(body) ? body : [body]) deliver(message);
        if (!answered && !response.ok) {
          deliver({ jsonrpc: '2.0', id, error: { code: -32603, message: `the backend answered HTTP ${response.status}${text ? `: ${text.slice(0, 200)}` : ''}` } });
        }
      }
    } catch (error) {
      if (signal.aborted) return;
      deliver({ jsonrpc: '2.0', id, error: { code: -32603, message: `the backend's response stream failed: ${(error as Error).message}` } });
    }
    if (!answered && !signal.aborted) deliver({ jsonrpc: '2.0', id, error: { code: -32603, message: 'the backend closed the response without answering' } });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const controller of this.open.values()) controller.abort(new Error('the connection was closed'));
    this.open.clear();
    this.onclose?.();
  }
}
