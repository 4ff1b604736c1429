/**
 * JSON-RPC over a message transport (stdio, or the modern HTTP transport): requests and their answers by
 * id, cancellation (`notifications/cancelled`, which the HTTP transport turns into closing the request's
 * stream), a time limit, and the server's notifications handed to one callback. When the transport
 * closes, every pending request fails.
 */
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';

/** Where the answer of a request goes. */
export interface Settle {
  resolve(result: Record<string, unknown>): void;
  reject(error: Error): void;
}

export interface CallOptions {
  signal?: AbortSignal;
  /** ms; at or above setTimeout's ceiling the caller keeps its own time. */
  timeout?: number;
}

interface Incoming {
  id?: string | number;
  method?: string;
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: { code: number; message: string; data?: unknown };
}

const MAX_TIMER_MS = 2 ** 31 - 1;

export class Rpc {
  private nextId = 0;
  private readonly pending = new Map<string, Settle>();
  closed = false;
  /** The server's notifications. */
  onnotification?: (method: string, params: Record<string, unknown>) => void;
  /** The transport closed (every pending request has failed). */
  onlost?: () => void;

  constructor(readonly transport: Transport) {
    transport.onmessage = (message) => this.receive(message as Incoming);
    transport.onclose = () => this.lost();
  }

  /** A fresh request id. */
  id(prefix = ''): string {
    return `${prefix}${++this.nextId}`;
  }

  /** Send a request whose answer (or the failure to send it) goes to `settle`. */
  start(id: string, method: string, params: Record<string, unknown>, settle: Settle): void {
    if (this.closed) return settle.reject(new McpError(ErrorCode.ConnectionClosed, 'Connection closed'));
    this.pending.set(id, settle);
    this.transport.send({ jsonrpc: '2.0', id, method, params } as never).catch((error: Error) => {
      if (this.pending.get(id) !== settle) return;
      this.pending.delete(id);
      settle.reject(error);
    });
  }

  /** One request: cancelled at the server when `signal` aborts or the time limit passes. */
  request(method: string, params: Record<string, unknown>, { signal, timeout }: CallOptions = {}): Promise<Record<string, unknown>> {
    const id = this.id();
    return new Promise((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      const onAbort = () => {
        done();
        this.cancel(id, String((signal?.reason as Error | undefined)?.message ?? 'cancelled'));
        reject(signal?.reason instanceof Error ? signal.reason : new Error('cancelled'));
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      if (timeout !== undefined && timeout < MAX_TIMER_MS) {
        timer = setTimeout(() => {
          done();
          this.cancel(id, 'timed out');
          reject(new McpError(ErrorCode.RequestTimeout, `Request timed out after ${timeout} ms`));
        }, timeout);
      }
      this.start(id, method, params, {
        resolve: (result) => {
          done();
          resolve(result);
        },
        reject: (error) => {
          done();
          reject(error);
        },
      });
    });
  }

  /** Stop waiting for a request and tell the server. */
  cancel(id: string, reason: string): void {
    this.pending.delete(id);
    void this.transport.send({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: id, reason } } as never).catch(() => {});
  }

  async notify(notification: { method: string; params?: Record<string, unknown> }): Promise<void> {
    await this.transport.send({ jsonrpc: '2.0', ...notification } as never);
  }

  private receive(message: Incoming): void {
    if (message.method === undefined) {
      const key = String(message.id);
      const waiting = this.pending.get(key);
      if (!waiting) return;
      this.pending.delete(key);
      if (message.error) waiting.reject(McpError.fromError(message.error.code, message.error.message, message.error.data));
      else waiting.resolve(message.result ?? {});
      return;
    }
    if (message.id !== undefined) {
      // The modern era has no server-to-client requests: questions come as input_required results.
      void this.transport.send({ jsonrpc: '2.0', id: message.id, error: { code: ErrorCode.MethodNotFound, message: `1mcp does not answer ${message.method} from a 2026-07-28 server` } } as never).catch(() => {});
      return;
    }
    try {
      this.onnotification?.(message.method, message.params ?? {});
    } catch {
      // A handler's failure is its own.
    }
  }

  private lost(): void {
    this.closed = true;
    const error = new McpError(ErrorCode.ConnectionClosed, 'Connection closed');
    const waiting = [...this.pending.values()];
    this.pending.clear();
    for (const settle of waiting) settle.reject(error);
    this.onlost?.();
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.transport.close();
  }
}
