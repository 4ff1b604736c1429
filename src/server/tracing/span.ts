/** A finished (or running) span as the exporters see it: plain data, no behaviour. */
import type { SpanContext } from './trace-context.ts';

export type AttributeValue = string | number | boolean;
export type Attributes = Record<string, AttributeValue>;

/** OTLP's SpanKind numbers. */
export const SpanKind = { INTERNAL: 1, SERVER: 2, CLIENT: 3 } as const;
/** OTLP's StatusCode numbers. */
export const StatusCode = { UNSET: 0, OK: 1, ERROR: 2 } as const;

export interface SpanData {
  context: SpanContext;
  parentSpanId?: string;
  /** The caller's tracestate, kept as it came (W3C: pass it on unchanged). */
  traceState?: string;
  name: string;
  kind: number;
  /** Wall-clock start and end in nanoseconds since the epoch. */
  startNs: bigint;
  endNs: bigint;
  attributes: Attributes;
  status: { code: number; message?: string };
}

/** Now, in nanoseconds since the epoch, finer than a millisecond where the clock allows. */
export function nowNs(): bigint {
  const ms = performance.timeOrigin + performance.now();
  const whole = Math.floor(ms);
  return BigInt(whole) * 1_000_000n + BigInt(Math.round((ms - whole) * 1e6));
}
