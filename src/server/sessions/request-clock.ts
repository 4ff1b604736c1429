/**
 * Times every client request of a session at its transport, after the SDK attached to it: from the
 * request's arrival to its answer, by method and outcome (/metrics). Backend time reported for a
 * request (call-observer.ts) is subtracted to give the overhead serve itself added.
 */
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { CANCELLED, OK, RPC_ERROR, TIMEOUT, TOOL_ERROR, type Metrics, type MethodSeries } from '../metrics.ts';

interface Pending {
  series: MethodSeries;
  started: number;
  /** Seconds the backend took (0: not forwarded). */
  backend: number;
  /** Set when the call was cancelled (a dropped connection also answers with an error). */
  cancelled: boolean;
}

/** Requests open at once per session beyond which new ones are not timed (a client that never waits). */
const MAX_PENDING = 10_000;
const REQUEST_TIMEOUT = -32001;

export interface RequestClock {
  /** The backend took `seconds` for this request; `cancelled` when the client gave up on it. */
  backendTime(id: string | number, seconds: number, cancelled: boolean): void;
}

type Message = { id?: string | number; method?: string; result?: { isError?: unknown }; error?: { code?: unknown }; params?: { requestId?: string | number } };

export function watchRequests(transport: Transport, metrics: Metrics): RequestClock {
  const pending = new Map<string | number, Pending>();
  const finish = (id: string | number, outcome: number) => {
    const p = pending.get(id);
    if (!p) return;
    pending.delete(id);
    const seconds = (performance.now() - p.started) / 1000;
    p.series.outcomes[p.cancelled ? CANCELLED : outcome]!++;
    p.series.duration.observe(seconds);
    if (p.backend > 0) p.series.overhead.observe(Math.max(0, seconds - p.backend));
  };

  const onmessage = transport.onmessage;
  transport.onmessage = (message, extra) => {
    const m = message as Message;
    if (m.method !== undefined) {
      if (m.id !== undefined) {
        if (pending.size < MAX_PENDING) pending.set(m.id, { series: metrics.method(m.method), started: performance.now(), backend: 0, cancelled: false });
      } else if (m.method === 'notifications/cancelled' && m.params?.requestId !== undefined) {
        // The SDK sends no answer to a cancelled request.
        finish(m.params.requestId, CANCELLED);
      }
    }
    onmessage?.(message, extra);
  };

  const send = transport.send.bind(transport);
  transport.send = (message, options) => {
    const m = message as Message;
    if (m.method === undefined && m.id !== undefined && pending.size > 0) {
      if (m.error) finish(m.id, m.error.code === REQUEST_TIMEOUT ? TIMEOUT : RPC_ERROR);
      else finish(m.id, m.result?.isError === true ? TOOL_ERROR : OK);
    }
    return send(message, options);
  };

  const onclose = transport.onclose;
  transport.onclose = () => {
    for (const id of [...pending.keys()]) finish(id, CANCELLED);
    onclose?.();
  };

  return {
    backendTime(id, seconds, cancelled) {
      const p = pending.get(id);
      if (!p) return;
      p.backend += seconds;
      if (cancelled) p.cancelled = true;
    },
  };
}
