/**
 * One modern request forwarded to its backend (docs/protocol.md, "Two eras on one endpoint"): no
 * session, so the call itself is what the router sees while it runs. Progress goes back on the
 * call's own response stream; a dropped response stream cancels the call at the backend.
 *
 * A backend's server-to-client request (sampling, elicitation, roots) made during a modern call cannot
 * be carried yet (its `input_required` bridging is not built): when the client did not declare the
 * capability, the call ends with MissingRequiredClientCapability (-32021), as the revision asks;
 * when it did, the backend is told no client can answer, and its own result decides the call.
 */
import { ErrorCode, McpError, type Progress } from '@modelcontextprotocol/sdk/types.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { Backend, ServerRequestMethod } from '../../backends/backend.ts';
import { isPerSession } from '../../backends/instances.ts';
import type { Route } from '../../catalog/catalog.ts';
import { needOf, satisfies } from '../client-needs.ts';
import { relayError, RpcError } from '../errors.ts';
import type { CallObserver, ObservedSession } from '../call-observer.ts';
import type { Session, SessionRouter } from '../sessions/session.ts';
import { MISSING_CLIENT_CAPABILITY } from './wire.ts';

/** Everything a backend may ask: the router must pick this call, so that this call decides the answer. */
const ANY_CLIENT = { sampling: { tools: {} }, elicitation: { form: {}, url: {} }, roots: {} };

export interface ModernCall {
  route: Route;
  method: string;
  params: Record<string, unknown>;
  /** What the client declared in this request's `_meta`. */
  clientCapabilities: Record<string, unknown>;
  /** The token that sent it (its hash), like a session's owner. */
  owner?: string;
  /** The client's progress token, when it asked for progress. */
  progressToken?: string | number;
  onprogress(progress: Progress & { progressToken: string | number }): void;
  /** Aborted when the client drops the response stream. */
  signal: AbortSignal;
  /** Metrics and the audit log (server/call-observer.ts), and who made the call. */
  observe?: { observer: CallObserver; caller: ObservedSession };
}

/** Send a modern request to its route's backend and return the backend's result as it is. */
export async function forwardModern(router: SessionRouter, call: ModernCall): Promise<Record<string, unknown>> {
  const backend = call.route.backend;
  if (isPerSession(backend)) {
    throw new RpcError(
      ErrorCode.InvalidRequest,
      `server "${backend.name}" has "scope": "session" (each client session gets its own instance), and a 2026-07-28 request has no session; connect with a client that sends "initialize" to use it`,
    );
  }
  const controller = new AbortController();
  const onClientAbort = () => controller.abort(new Error('the client closed the response stream'));
  if (call.signal.aborted) onClientAbort();
  else call.signal.addEventListener('abort', onClientAbort, { once: true });

  let refuse: (error: RpcError) => void = () => {};
  const refused = new Promise<never>((_, reject) => (refuse = reject));
  refused.catch(() => {});
  const sendRequest = async (request: { method: ServerRequestMethod; params?: unknown }) => {
    const need = needOf(request.method, request.params);
    if (!satisfies(call.clientCapabilities as never, need)) {
      refuse(
        new RpcError(MISSING_CLIENT_CAPABILITY, `server "${backend.name}" needs the client's ${need.sub ?? need.capability} capability for this request, and the request did not declare it`, {
          requiredCapabilities: { [need.capability]: {} },
        }),
      );
      controller.abort(new Error('the client lacks a capability the server needs'));
    }
    throw new McpError(ErrorCode.MethodNotFound, `1mcp cannot pass ${request.method} to a 2026-07-28 client yet (no input_required bridging); the client that made this call cannot answer`);
  };
  // What the router keeps of a caller while its call runs (it asks these few members of a Session).
  const caller = { closed: false, owner: call.owner, lastActive: Date.now(), server: { getClientCapabilities: () => ANY_CLIENT } } as unknown as Session;
  const extra = { sendRequest, signal: controller.signal } as unknown as RequestHandlerExtra<any, any>;
  const inFlight = router.beginCall(backend, caller, extra);
  try {
    const forwarded = withoutProgressToken(call.params);
    const sent = performance.now();
    const pending = backend.request(call.method, forwarded, {
      signal: controller.signal,
      onprogress: call.progressToken === undefined ? undefined : (p: Progress) => call.onprogress({ ...p, progressToken: call.progressToken! }),
    });
    const result = call.observe ? call.observe.observer.call(call.observe.caller, backend.name, call.method, call.params, controller.signal, 0, sent, pending) : pending;
    return await Promise.race([result, refused]);
  } catch (error) {
    if (error instanceof RpcError) throw error;
    throw relayError(error, backend.name);
  } finally {
    (caller as { closed: boolean }).closed = true;
    call.signal.removeEventListener('abort', onClientAbort);
    router.endCall(inFlight);
  }
}

/** The backend gets a progress token of ours (forward.ts adds it), never the client's. */
function withoutProgressToken(params: Record<string, unknown>): Record<string, unknown> {
  const meta = params._meta as Record<string, unknown> | undefined;
  if (!meta) return params;
  const kept: Record<string, unknown> = {};
  // The modern envelope is ours to read; the backend speaks the legacy era and gets none of it.
  for (const [key, value] of Object.entries(meta)) if (key !== 'progressToken' && !key.startsWith('io.modelcontextprotocol/')) kept[key] = value;
  const { _meta: _drop, ...rest } = params;
  return Object.keys(kept).length ? { ...rest, _meta: kept } : rest;
}
