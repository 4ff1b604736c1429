/**
 * Where a session's backend calls are seen (sessions/session.ts `forward` hands each one here):
 * backend time and outcome go to /metrics (metrics.ts) and to the request's clock (its gateway
 * overhead), and tools/call, prompts/get and resources/read go to the audit log when there is one.
 */
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { redactSecrets } from '../config/redact.ts';
import { redactArguments, type AuditEntry, type AuditLog } from './audit.ts';
import { CANCELLED, OK, OUTCOMES, RPC_ERROR, TIMEOUT, TOOL_ERROR, type Metrics } from './metrics.ts';
import type { SessionLabels } from './sessions/labels.ts';
import { watchRequests, type RequestClock } from './sessions/request-clock.ts';

/** What the observer reads of a session. */
export interface ObservedSession {
  readonly id: string;
  readonly labels: SessionLabels;
  readonly view: { label: string };
  readonly requests?: RequestClock;
}

const REQUEST_TIMEOUT = -32001;
const AUDITED = new Set(['tools/call', 'prompts/get', 'resources/read']);

export class CallObserver {
  /** Set once serve has opened the file (serve --audit-log). */
  audit?: AuditLog;

  constructor(readonly metrics: Metrics) {}

  /** Time every client request of a session's transport (call after the SDK server connected to it). */
  watch(transport: Transport): RequestClock {
    return watchRequests(transport, this.metrics);
  }

  /**
   * `pending` is the backend's answer to a call that `session` forwarded at `started`
   * (performance.now()); resolves or rejects exactly as `pending` does.
   */
  async call<T>(session: ObservedSession, server: string, method: string, params: Record<string, unknown>, signal: AbortSignal, requestId: string | number, started: number, pending: Promise<T>): Promise<T> {
    let outcome = OK;
    let error: { code?: unknown; message?: unknown } | undefined;
    try {
      const result = await pending;
      if ((result as { isError?: unknown } | undefined)?.isError === true) outcome = TOOL_ERROR;
      return result;
    } catch (e) {
      error = e as typeof error;
      outcome = signal.aborted ? CANCELLED : error?.code === REQUEST_TIMEOUT ? TIMEOUT : RPC_ERROR;
      throw e;
    } finally {
      const seconds = (performance.now() - started) / 1000;
      this.metrics.backend(server, method).observe(seconds);
      session.requests?.backendTime(requestId, seconds, outcome === CANCELLED);
      if (method === 'tools/call') {
        const series = this.metrics.tool(server, String(params.name));
        series.outcomes[outcome]!++;
        series.seconds += seconds;
      }
      if (this.audit && AUDITED.has(method)) this.audit.record(auditEntry(session, server, method, params, outcome, error, seconds, this.audit.withArguments));
    }
  }
}

function auditEntry(session: ObservedSession, server: string, method: string, params: Record<string, unknown>, outcome: number, error: { code?: unknown; message?: unknown } | undefined, seconds: number, withArguments: boolean): AuditEntry {
  const { labels } = session;
  const entry: AuditEntry = {
    time: new Date().toISOString(),
    // A stateless (2026-07-28) request has no session.
    ...(session.id ? { session: session.id } : {}),
    ...(labels.app ? { app: labels.app } : {}),
    ...(labels.tokenName ? { tokenName: labels.tokenName } : {}),
    view: session.view.label,
    server,
    method,
    outcome: OUTCOMES[outcome]!,
    durationMs: Math.round(seconds * 10_000) / 10,
  };
  if (method === 'tools/call') entry.tool = String(params.name);
  else if (method === 'prompts/get') entry.prompt = String(params.name);
  else entry.uri = redactSecrets(String(params.uri));
  if (error && outcome !== CANCELLED) {
    if (typeof error.code === 'number') entry.code = error.code;
    entry.error = redactSecrets(String(error.message ?? error).replace(/^(?:MCP error -?\d+: )+/, '')).slice(0, 500);
  }
  if (withArguments && params.arguments !== undefined) entry.arguments = redactArguments(params.arguments);
  return entry;
}
