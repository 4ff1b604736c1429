/**
 * The legacy HTTP+SSE server transport (GET /sse + POST /messages?sessionId=) on web-standard
 * Request/Response, so it runs on Bun.serve and node:http alike (the SDK's needs Node's ServerResponse).
 */
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

const encoder = new TextEncoder();

export class WebSseServerTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  readonly sessionId = crypto.randomUUID();
  private controller?: ReadableStreamDefaultController<Uint8Array>;
  private keepAlive?: ReturnType<typeof setInterval>;
  private closed = false;

  /** The response to the GET /sse request; `endpoint` is where the client must POST. */
  response(endpointPath: string): Response {
    const stream = new ReadableStream<Uint8Array>({
      start: (controller) => {
        this.controller = controller;
        controller.enqueue(encoder.encode(`event: endpoint\ndata: ${endpointPath}?sessionId=${this.sessionId}\n\n`));
        this.keepAlive = setInterval(() => this.write(': keep-alive\n\n'), 15_000);
      },
      cancel: () => void this.close(),
    });
    return new Response(stream, {
      headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache, no-transform', connection: 'keep-alive' },
    });
  }

  async start(): Promise<void> {}

  /** A message POSTed to /messages for this session. */
  receive(message: JSONRPCMessage): void {
    this.onmessage?.(message);
  }

  private write(text: string): void {
    if (this.closed || !this.controller) return;
    try {
      this.controller.enqueue(encoder.encode(text));
    } catch {
      void this.close();
    }
  }

  async send(message: JSONRPCMessage): Promise<void> {
    if (this.closed) throw new Error('SSE stream is closed');
    this.write(`event: message\ndata: ${JSON.stringify(message)}\n\n`);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.keepAlive);
    try {
      this.controller?.close();
    } catch {}
    this.onclose?.();
  }
}
