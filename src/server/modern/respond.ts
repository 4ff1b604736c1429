/**
 * Responses of the modern era: one JSON-RPC message as JSON, or — once a request has something to
 * say before its result (progress) — an event stream scoped to that request that ends with the result.
 */
import { VERSION } from '../../version.ts';
import { META_SERVER_INFO, type WireError } from './wire.ts';

const SERVER_INFO = { name: '1mcp', version: VERSION };
const encoder = new TextEncoder();
const sseEvent = (message: unknown) => encoder.encode(`event: message\ndata: ${JSON.stringify(message)}\n\n`);
const JSON_TYPE = { 'content-type': 'application/json' };

/** The `input_required` results we made (input-required.ts): `complete` leaves them as they are. */
const inputRequiredResults = new WeakSet<object>();

/** A result that asks the client for input before the request can complete (multi round-trip). */
export function inputRequired(fields: { inputRequests?: Record<string, unknown>; requestState?: string }): Record<string, unknown> {
  const result = { resultType: 'input_required', ...fields, _meta: { [META_SERVER_INFO]: SERVER_INFO } };
  inputRequiredResults.add(result);
  return result;
}

/** Every modern result says it is complete and who answered. */
export function complete(result: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  if (inputRequiredResults.has(result)) return result;
  const meta = result._meta as Record<string, unknown> | undefined;
  return { ...result, ...extra, resultType: 'complete', _meta: { ...meta, [META_SERVER_INFO]: SERVER_INFO } };
}

export function resultResponse(id: string | number, result: Record<string, unknown>): Response {
  return new Response(JSON.stringify({ jsonrpc: '2.0', id, result }), { status: 200, headers: JSON_TYPE });
}

export function errorResponse(error: WireError): Response {
  const { status, id, code, message, data } = error;
  return new Response(JSON.stringify({ jsonrpc: '2.0', id, error: { code, message, ...(data !== undefined ? { data } : {}) } }), { status, headers: JSON_TYPE });
}

export type Outcome = { result: Record<string, unknown> } | { error: WireError };

/**
 * Run a request that may send notifications first. The answer is plain JSON unless a notification
 * comes before it; then the response becomes an event stream (status 200 from there on) that carries
 * the notifications in order and ends with the result. Closing that stream aborts `abort`.
 */
export async function streamingResponse(id: string | number, run: (notify: (message: unknown) => void) => Promise<Outcome>, abort: AbortController): Promise<Response> {
  let controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  const pending: unknown[] = [];
  let startStream: (() => void) | undefined;
  const streamStarted = new Promise<'stream'>((resolve) => (startStream = () => resolve('stream')));
  const notify = (message: unknown) => {
    if (controller) controller.enqueue(sseEvent(message));
    else {
      pending.push(message);
      startStream?.();
    }
  };
  const outcome = run(notify);
  const first = await Promise.race([outcome, streamStarted]);
  if (first !== 'stream') return 'error' in first ? errorResponse(first.error) : resultResponse(id, first.result);

  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
      for (const m of pending.splice(0)) c.enqueue(sseEvent(m));
      void outcome.then((o) => {
        if (abort.signal.aborted) return;
        c.enqueue(sseEvent('error' in o ? { jsonrpc: '2.0', id, error: { code: o.error.code, message: o.error.message, ...(o.error.data !== undefined ? { data: o.error.data } : {}) } } : { jsonrpc: '2.0', id, result: o.result }));
        c.close();
      });
    },
    cancel() {
      abort.abort(new Error('the client closed the response stream'));
    },
  });
  return new Response(stream, { status: 200, headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' } });
}
