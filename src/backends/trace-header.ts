/**
 * Remote backends get the trace context of a forwarded request as a W3C `traceparent` HTTP header too,
 * not only in `params._meta` (HTTP middleware in front of a server sees only headers). The SDK's client
 * transports take no per-request headers, so a fetch wrapper copies it from the message. Installed only
 * while traces are on (serve's tracing sets `enabled`); otherwise no message is looked at.
 */
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';

export const traceHeaders = { enabled: false };

/** The `_meta.traceparent` of a JSON-RPC request body, if any. */
function traceparentOf(body: string): string | undefined {
  try {
    const message = JSON.parse(body) as { params?: { _meta?: { traceparent?: unknown } } };
    const value = message?.params?._meta?.traceparent;
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

export function fetchWithTraceHeader(base: FetchLike = (url, init) => fetch(url, init)): FetchLike {
  return (url, init) => {
    const body = init?.body;
    // Cheap test first: only requests we gave a trace context are parsed.
    if (typeof body === 'string' && body.includes('"traceparent"')) {
      const traceparent = traceparentOf(body);
      if (traceparent) {
        const headers = new Headers(init!.headers);
        headers.set('traceparent', traceparent);
        return base(url, { ...init, headers });
      }
    }
    return base(url, init);
  };
}
