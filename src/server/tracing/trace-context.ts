/**
 * W3C Trace Context: the `traceparent` value (version 00) and fresh random ids.
 * https://www.w3.org/TR/trace-context/ ; how 1mcp carries it: docs/protocol.md.
 */
export interface SpanContext {
  /** 32 lowercase hex digits, not all zero. */
  traceId: string;
  /** 16 lowercase hex digits, not all zero. */
  spanId: string;
  sampled: boolean;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(?:-.*)?$/;
const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);

/** The span context in a `traceparent` value; undefined for anything malformed (it is then ignored, as the W3C spec asks). */
export function parseTraceparent(value: unknown): SpanContext | undefined {
  if (typeof value !== 'string') return undefined;
  const m = TRACEPARENT.exec(value.trim());
  if (!m) return undefined;
  const [, version, traceId, spanId, flags] = m as unknown as [string, string, string, string, string];
  // Version ff is invalid; version 00 has exactly four fields; later versions may add fields after a dash.
  if (version === 'ff' || (version === '00' && value.trim().length !== 55)) return undefined;
  if (traceId === ZERO_TRACE || spanId === ZERO_SPAN) return undefined;
  return { traceId, spanId, sampled: (parseInt(flags, 16) & 1) === 1 };
}

export function formatTraceparent(context: SpanContext): string {
  return `00-${context.traceId}-${context.spanId}-${context.sampled ? '01' : '00'}`;
}

const pool = new Uint8Array(4096);
let offset = pool.length;

/** `bytes` random bytes as hex; drawn from a refilled pool so a span costs no system call. */
function randomHex(bytes: number): string {
  if (offset + bytes > pool.length) {
    crypto.getRandomValues(pool);
    offset = 0;
  }
  const hex = Buffer.from(pool.buffer, offset, bytes).toString('hex');
  offset += bytes;
  return hex;
}

export function newTraceId(): string {
  const id = randomHex(16);
  return id === ZERO_TRACE ? newTraceId() : id;
}

export function newSpanId(): string {
  const id = randomHex(8);
  return id === ZERO_SPAN ? newSpanId() : id;
}
