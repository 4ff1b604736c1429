/**
 * A 2026-07-28 backend's own `input_required`, passed through to a 2026-07-28 client (docs/protocol.md,
 * "Modern backends"). The backend's input requests go to the client as they are (same keys); the backend's
 * `requestState` travels sealed inside ours (request-state.ts: bound to the token, view, backend, method
 * and params, with an expiry); the client's retry goes back to the backend with the answers and the
 * backend's own state. Nothing is kept between rounds, and no turn-taking is needed: the wire says which
 * call each question belongs to.
 */
import type { Progress } from '@modelcontextprotocol/sdk/types.js';
import type { Backend, ServerRequestMethod } from '../../backends/backend.ts';
import { ModernClient } from '../../backends/modern/client.ts';
import type { CallObserver, ObservedSession } from '../call-observer.ts';
import { describeNeed, needOf, satisfies } from '../client-needs.ts';
import { relayError, RpcError } from '../errors.ts';
import { inputResponsesOf } from './input-required.ts';
import { openState, sealState, type StateBinding } from './request-state.ts';
import { inputRequired } from './respond.ts';
import { INVALID_PARAMS, MISSING_CLIENT_CAPABILITY } from './wire.ts';

/** How long the client may take to answer (nothing waits meanwhile: only the state expires). */
export const PASSED_STATE_TTL_MS = 30 * 60_000;

/** Our sealed payload: marks it as a passed-through state, and carries the backend's. */
interface Sealed {
  pass: 1;
  state?: string;
}

/** The backend answers server/discover and is spoken to in the modern era. */
export function speaksModern(backend: Backend): boolean {
  return backend.client instanceof (ModernClient as unknown as abstract new (...args: never[]) => unknown);
}

export interface PassCall {
  backend: Backend;
  method: string;
  /** The request's params without `inputResponses` and `requestState`, the progress token already ours. */
  params: Record<string, unknown>;
  /** The retry's params as sent (for `inputResponses` and `requestState`). */
  sent: Record<string, unknown>;
  binding: StateBinding;
  clientCapabilities: Record<string, unknown>;
  signal: AbortSignal;
  onprogress?: (progress: Progress) => void;
  observe?: { observer: CallObserver; caller: ObservedSession };
}

export async function passThrough(call: PassCall): Promise<Record<string, unknown>> {
  const { backend } = call;
  const answers = inputResponsesOf(call.sent);
  let backendState: string | undefined;
  if (call.sent.requestState !== undefined) {
    const opened = openState(call.sent.requestState, call.binding) as Partial<Sealed> | undefined;
    if (opened?.pass !== 1) {
      throw new RpcError(INVALID_PARAMS, 'Invalid params: "requestState" belongs to another request; send the request again without "requestState" and "inputResponses" to start over');
    }
    backendState = opened.state;
  }
  const forwarded = { ...call.params, ...(answers ? { inputResponses: answers } : {}), ...(backendState !== undefined ? { requestState: backendState } : {}) };
  const sentAt = performance.now();
  const pending = backend.request(call.method, forwarded, { signal: call.signal, onprogress: call.onprogress, passInputRequired: true });
  let result: Record<string, unknown>;
  try {
    result = await (call.observe ? call.observe.observer.call(call.observe.caller, backend.name, call.method, call.params, call.signal, 0, sentAt, pending) : pending);
  } catch (error) {
    if (error instanceof RpcError) throw error;
    throw relayError(error, backend.name);
  }
  if (result.resultType !== 'input_required') return result;
  const inputRequests = (result.inputRequests ?? {}) as Record<string, { method?: string; params?: unknown }>;
  for (const request of Object.values(inputRequests)) {
    const need = needOf(String(request?.method) as ServerRequestMethod, request?.params);
    if (!satisfies(call.clientCapabilities as never, need)) {
      throw new RpcError(MISSING_CLIENT_CAPABILITY, `server "${backend.name}" needs the client's ${describeNeed(need)} capability for this request, and the request did not declare it`, {
        requiredCapabilities: { [need.capability]: {} },
      });
    }
  }
  const sealed: Sealed = { pass: 1, ...(typeof result.requestState === 'string' ? { state: result.requestState } : {}) };
  return inputRequired({ inputRequests, requestState: sealState(sealed, call.binding, PASSED_STATE_TTL_MS) });
}
