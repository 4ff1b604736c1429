/**
 * Read a request body within the edge's limits (docs/security.md): at most 16 MiB (413), received within
 * --body-timeout (408, connection closed), and only --max-large-bodies bodies over 1 MiB at a time (503).
 */
import type { Slots } from './limits.ts';

export const MAX_BODY_BYTES = 16 * 1024 * 1024;
export const LARGE_BODY_BYTES = 1024 * 1024;

export interface BodyLimits {
  limit?: number;
  timeoutMs?: number;
  large?: Slots;
}

export type BodyRead = { text: string } | { status: 408 | 413 | 503; message: string };

const tooLarge = (limit: number): BodyRead => ({ status: 413, message: `Request body larger than ${limit} bytes` });
const busy: BodyRead = { status: 503, message: 'Too many large request bodies are being received at once; retry in a moment (serve --max-large-bodies)' };

export async function readBody(request: Request, { limit = MAX_BODY_BYTES, timeoutMs = 30_000, large }: BodyLimits = {}): Promise<BodyRead> {
  const declared = request.headers.has('content-length') ? Number(request.headers.get('content-length')) : NaN;
  if (Number.isFinite(declared) && declared > limit) return tooLarge(limit);
  if (!request.body) return { text: '' };
  let release: (() => void) | undefined;
  if (large && Number.isFinite(declared) && declared > LARGE_BODY_BYTES) {
    release = large.tryTake();
    if (!release) return busy;
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
  try {
    // Declared and within the limit (the usual case): let the runtime read it in one go.
    const reading = Number.isFinite(declared) ? request.text() : readChunked(request.body, limit, () => (release ??= large?.tryTake()) !== undefined || !large);
    reading.catch(() => {}); // after a timeout nobody awaits it; the dropped connection rejects it
    const result = await Promise.race([reading, expired]);
    if (result === 'timeout') return { status: 408, message: `Request body not received within ${timeoutMs / 1000} s (serve --body-timeout)` };
    return typeof result === 'string' ? { text: result } : result;
  } finally {
    clearTimeout(timer);
    release?.();
  }
}

/** A body of unknown length, chunk by chunk: stop at `limit`; past 1 MiB it needs a large-body slot. */
async function readChunked(body: ReadableStream<Uint8Array>, limit: number, takeLargeSlot: () => boolean): Promise<string | BodyRead> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const before = total;
    total += value.byteLength;
    if (total > limit || (before <= LARGE_BODY_BYTES && total > LARGE_BODY_BYTES && !takeLargeSlot())) {
      await reader.cancel().catch(() => {});
      return total > limit ? tooLarge(limit) : busy;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, total).toString('utf8');
}
