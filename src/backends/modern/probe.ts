/**
 * Which era a backend speaks (docs/protocol.md, "Modern backends"): `server/discover` first; a server
 * that answers with a version we speak is used in the 2026-07-28 era, anything else (method not found,
 * an HTTP 4xx, a legacy answer, no answer in time) means the legacy era with `initialize`, as before.
 */
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { ServerCapabilities } from '@modelcontextprotocol/sdk/types.js';
import { readSse } from '../../runtime/sse-parser.ts';
import type { Discovered } from './client.ts';
import { META_SERVER_INFO, MODERN_VERSION, routingHeaders, withEnvelope } from './envelope.ts';

export type ProbeOutcome = { era: 'modern'; discovered: Discovered } | { era: 'legacy'; why: string };

/** A stdio probe that ended because the process exited: it must be started again for `initialize`. */
export type StdioProbeOutcome = ProbeOutcome | { era: 'closed' };

/** Our probe's id: never one the SDK client uses (it counts from 0), so a late answer is ignored. */
const PROBE_ID = '1mcp-discover';

const message = () => ({ jsonrpc: '2.0' as const, id: PROBE_ID, method: 'server/discover', params: withEnvelope({}) });

/** Read a discover answer (a JSON-RPC response object). */
export function classify(response: unknown): ProbeOutcome {
  const r = response as { result?: Record<string, unknown>; error?: { code?: number; message?: string } } | undefined;
  if (r?.error) return { era: 'legacy', why: `server/discover answered ${r.error.code}: ${r.error.message ?? ''}`.trim() };
  const result = r?.result;
  const versions = result?.supportedVersions;
  if (!Array.isArray(versions) || !versions.includes(MODERN_VERSION)) return { era: 'legacy', why: `server/discover did not offer ${MODERN_VERSION}` };
  const info = (result?._meta as Record<string, unknown> | undefined)?.[META_SERVER_INFO] as { name?: unknown; version?: unknown } | undefined;
  return {
    era: 'modern',
    discovered: {
      version: MODERN_VERSION,
      capabilities: (result?.capabilities as ServerCapabilities | undefined) ?? {},
      instructions: typeof result?.instructions === 'string' ? result.instructions : undefined,
      serverInfo: typeof info?.name === 'string' ? { name: info.name, version: String(info.version ?? '') } : undefined,
    },
  };
}

/**
 * Probe over a started stdio transport. Leaves the transport's handlers as they were, so the SDK client
 * can take it over for `initialize` on the same process.
 */
export function probeStdio(transport: Transport, timeoutMs: number): Promise<StdioProbeOutcome> {
  const onmessage = transport.onmessage;
  const onclose = transport.onclose;
  return new Promise((resolve) => {
    const finish = (outcome: StdioProbeOutcome) => {
      clearTimeout(timer);
      transport.onmessage = onmessage;
      transport.onclose = onclose;
      resolve(outcome);
    };
    const timer = setTimeout(() => finish({ era: 'legacy', why: `no answer to server/discover within ${timeoutMs} ms` }), timeoutMs);
    transport.onmessage = (m) => {
      if ((m as { id?: unknown }).id === PROBE_ID) finish(classify(m));
    };
    transport.onclose = () => finish({ era: 'closed' });
    transport.send(message() as never).catch(() => finish({ era: 'closed' }));
  });
}

type FetchLike = (url: URL, init: RequestInit) => Promise<Response>;

/**
 * Probe a Streamable HTTP server with one POST. A network failure rejects (the server is not there in
 * either era); every answer the server gives decides the era.
 */
export async function probeHttp(url: URL, headers: Record<string, string>, timeoutMs: number, fetchFn: FetchLike = (u, init) => fetch(u, init)): Promise<ProbeOutcome> {
  const body = message();
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error('probe timed out')), timeoutMs);
  try {
    const response = await fetchFn(url, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...routingHeaders(body.method, body.params) },
      body: JSON.stringify(body),
      signal: controller.signal,
    });
    const type = response.headers.get('content-type') ?? '';
    if (type.includes('text/event-stream') && response.body) {
      let answer: unknown;
      await readSse(response.body, (event) => {
        try {
          const parsed = JSON.parse(event.data) as { id?: unknown };
          if (parsed.id === PROBE_ID) answer ??= parsed;
        } catch {
          // not ours
        }
      });
      return answer ? classify(answer) : { era: 'legacy', why: `server/discover: HTTP ${response.status} without an answer` };
    }
    const text = await response.text();
    try {
      return classify(JSON.parse(text));
    } catch {
      return { era: 'legacy', why: `server/discover: HTTP ${response.status}` };
    }
  } catch (error) {
    if (controller.signal.aborted) return { era: 'legacy', why: `no answer to server/discover within ${timeoutMs} ms` };
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
