/**
 * One modern request forwarded to its backend (docs/protocol.md, "Two eras on one endpoint"): no
 * session, so the call itself is what the router sees while it runs. Progress goes back on the
 * response stream of the request serving the call; a dropped response stream cancels the call at the
 * backend.
 *
 * A backend's server-to-client request (sampling, elicitation, roots) during a tools/call, prompts/get
 * or resources/read becomes an `input_required` result, and the client's retry carries the answers
 * (input-required.ts; docs/protocol.md, "input_required bridging"). Modern calls take turns per backend
 * so that a question is never shown to another token (input-required-turns.ts).
 */
import { ErrorCode, McpError, type Progress } from '@modelcontextprotocol/sdk/types.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { ServerRequestMethod } from '../../backends/backend.ts';
import { isPerSession } from '../../backends/instances.ts';
import type { Route } from '../../catalog/catalog.ts';
import { relayError, RpcError } from '../errors.ts';
import type { CallObserver, ObservedSession } from '../call-observer.ts';
import type { Session, SessionRouter } from '../sessions/session.ts';
import { BRIDGED_METHODS, BridgedCall, inputResponsesOf, type Round } from './input-required.ts';
import { takeTurn } from './input-required-turns.ts';
import { passThrough, speaksModern } from './backend-input.ts';
import type { StateBinding } from './request-state.ts';

/** Everything a backend may ask: the router must pick this call, so that this call decides the answer. */
const ANY_CLIENT = { sampling: { tools: {} }, elicitation: { form: {}, url: {} }, roots: {} };

/** The client capabilities that let a modern client answer a backend's questions. */
const ANSWERING = ['sampling', 'elicitation', 'roots'];

export interface ModernCall {
  route: Route;
  method: string;
  params: Record<string, unknown>;
  /** What the client declared in this request's `_meta`. */
  clientCapabilities: Record<string, unknown>;
  /** The token that sent it (its hash), like a session's owner. */
  owner?: string;
  /**
   * The key of the request's view. With it, a tools/call, prompts/get or resources/read can end in
   * `input_required` (the requestState is bound to it); without it, the backend's questions are refused.
   */
  viewKey?: string;
  /** The client's progress token, when it asked for progress. */
  progressToken?: string | number;
  onprogress(progress: Progress & { progressToken: string | number }): void;
  /** Aborted when the client drops the response stream. */
  signal: AbortSignal;
  /** Metrics and the audit log (server/call-observer.ts), and who made the call. */
  observe?: { observer: CallObserver; caller: ObservedSession };
}

/** Send a modern request to its route's backend; the result is the backend's, or an `input_required` one. */
export async function forwardModern(router: SessionRouter, call: ModernCall): Promise<Record<string, unknown>> {
  const backend = call.route.backend;
  if (isPerSession(backend)) {
    throw new RpcError(
      ErrorCode.InvalidRequest,
      // Stays refused: a stateless request has no session to bind an instance to (docs/protocol.md, "The proxy and modern clients").
      `server "${backend.name}" has "scope": "session" (an instance per client session), and a 2026-07-28 request has no session to give one to; use it from a client that connects with "initialize" (protocol 2025-11-25 or older), or remove "scope": "session" from its entry in mcp.json to share one instance`,
    );
  }
  const round: Round = {
    signal: call.signal,
    onprogress: call.progressToken === undefined ? undefined : (p) => call.onprogress({ ...(p as unknown as Progress), progressToken: call.progressToken! }),
  };
  const viewKey = call.viewKey;
  const bridging = viewKey !== undefined && BRIDGED_METHODS.has(call.method);
  const { inputResponses: _answers, requestState, ...params } = call.params;
  // The backend name is part of the binding: a state is good only for the call it came from.
  const binding: StateBinding = { principal: call.owner, view: `${viewKey}\u0000${backend.name}`, method: call.method, params };
  const answers = bridging ? inputResponsesOf(call.params) : undefined;
  // A modern backend asks in its own input_required: passed through, its requestState sealed inside ours.
  if (bridging && speaksModern(backend)) {
    return passThrough({ backend, method: call.method, params: withoutProgressToken(params), sent: call.params, binding, clientCapabilities: call.clientCapabilities, signal: call.signal, onprogress: round.onprogress as never, observe: call.observe });
  }
  if (bridging && requestState !== undefined) return BridgedCall.claim(requestState, binding).retry(round, answers);

  const askable = bridging && ANSWERING.some((k) => call.clientCapabilities[k] !== undefined && call.clientCapabilities[k] !== null);
  const turn = await takeTurn(backend, call.owner ?? '', askable, call.signal);
  const controller = new AbortController();
  const bridge = bridging
    ? new BridgedCall({
        binding,
        backendName: backend.name,
        clientCapabilities: call.clientCapabilities,
        waitMs: backend.config.requestTimeout,
        early: answers,
        cancel: (reason) => controller.abort(reason),
        park: turn.park,
        resume: turn.resume,
      })
    : undefined;
  const sendRequest = (request: { method: ServerRequestMethod; params?: Record<string, unknown> }, _schema: unknown, options?: { signal?: AbortSignal }) => {
    if (bridge) return bridge.ask(request.method, request.params, options?.signal ?? controller.signal);
    throw new McpError(ErrorCode.MethodNotFound, `1mcp cannot pass ${request.method} to a 2026-07-28 client during ${call.method} (only tools/call, prompts/get and resources/read can ask the client)`);
  };
  // What the router keeps of a caller while its call runs (it asks these few members of a Session).
  // A parked call (waiting for its client's retry) declares nothing, so the router never picks it.
  // Notifications addressed to the caller (a URL elicitation's completion) have no stream to go to.
  const server = { getClientCapabilities: () => (bridge?.parked ? {} : ANY_CLIENT), notification: async () => {} };
  const caller = { closed: false, owner: call.owner, lastActive: Date.now(), server } as unknown as Session;
  const extra = { sendRequest, signal: controller.signal } as unknown as RequestHandlerExtra<any, any>;
  const inFlight = router.beginCall(backend, caller, extra);
  const finish = () => {
    (caller as { closed: boolean }).closed = true;
    router.endCall(inFlight);
    turn.release();
  };

  const sent = performance.now();
  const pending = backend.request(call.method, withoutProgressToken(params), {
    signal: controller.signal,
    // A modern backend's input requests belong to this call exactly (backends/modern/client.ts).
    ask: (request, signal) => router.ask(inFlight, request, signal),
    onprogress: (p: Progress) => (bridge ? bridge.progressed(p as never) : round.onprogress?.(p as never)),
  });
  const observed = call.observe ? call.observe.observer.call(call.observe.caller, backend.name, call.method, params, controller.signal, 0, sent, pending) : pending;

  if (bridge) {
    bridge.whenEnded(finish);
    observed.then(
      (result) => bridge.settle({ result }),
      (error) => bridge.settle({ error: error instanceof RpcError ? error : relayError(error, backend.name) }),
    );
    return bridge.serve(round);
  }
  const onClientAbort = () => controller.abort(new Error('the client closed the response stream'));
  if (call.signal.aborted) onClientAbort();
  else call.signal.addEventListener('abort', onClientAbort, { once: true });
  try {
    return await observed;
  } catch (error) {
    if (error instanceof RpcError) throw error;
    throw relayError(error, backend.name);
  } finally {
    call.signal.removeEventListener('abort', onClientAbort);
    finish();
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
