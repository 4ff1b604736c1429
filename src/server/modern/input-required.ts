/**
 * Bridging a legacy backend's questions into `input_required` results (docs/protocol.md, "input_required
 * bridging"). A modern client's call goes to the backend once; when the backend asks the client something
 * (sampling/createMessage, elicitation/create, roots/list), its request stays pending and the call's
 * response becomes `resultType: "input_required"` with those questions and a sealed `requestState`. The
 * client's retry carries the answers: they go to the pending backend requests, and the retry waits for
 * what the backend does next — its result, or more questions (another round).
 *
 * A retry that never comes: after the backend's requestTimeout the questions fail at the backend and its
 * call is cancelled; the entry is gone (nothing else holds it).
 */
import { randomBytes } from 'node:crypto';
import { CreateMessageResultSchema, CreateMessageResultWithToolsSchema, ElicitResultSchema, ErrorCode, ListRootsResultSchema, McpError } from '@modelcontextprotocol/sdk/types.js';
import type { ServerRequestMethod } from '../../backends/backend.ts';
import { describeNeed, hasCapability, needOf, satisfies, type Need } from '../client-needs.ts';
import { RpcError } from '../errors.ts';
import { openState, sealState, type StateBinding } from './request-state.ts';
import { inputRequired } from './respond.ts';
import { INVALID_PARAMS, MISSING_CLIENT_CAPABILITY } from './wire.ts';

/** Methods whose result may be `input_required` (the revision's list). */
export const BRIDGED_METHODS: ReadonlySet<string> = new Set(['tools/call', 'prompts/get', 'resources/read']);

/**
 * A legacy backend may name its question in `_meta` of its request; the name becomes the question's key in
 * `inputRequests` (otherwise "elicitation-1", "sampling-2", …).
 */
export const INPUT_KEY_META = 'onemcp/inputKey';

/** Questions asked within this long of each other are shown in one round (a backend often asks several at once). */
const GATHER_MS = 20;
/** …but a round is never held back longer than this by a backend that keeps asking. */
const GATHER_MAX_MS = 200;

const AGAIN = 'send the request again without "requestState" and "inputResponses" to start over';

type Outcome = { result: Record<string, unknown> } | { error: unknown };

/** The HTTP request currently serving a call: its progress sink and its abort. */
export interface Round {
  signal: AbortSignal;
  onprogress?: (progress: Record<string, unknown>) => void;
}

interface Question {
  method: ServerRequestMethod;
  params: Record<string, unknown>;
  answer(result: Record<string, unknown>): void;
  fail(error: Error): void;
}

/** Calls waiting for a client's retry (or running a round), by id. */
const pending = new Map<string, BridgedCall>();

/** How many bridged calls are alive (for leak checks and metrics). */
export function bridgedCalls(): number {
  return pending.size;
}

/** A retry's `inputResponses`, checked: absent, or an object whose values are objects. */
export function inputResponsesOf(params: Record<string, unknown>): Record<string, Record<string, unknown>> | undefined {
  if (!('inputResponses' in params) || params.inputResponses === undefined) return undefined;
  const given = params.inputResponses;
  if (!isObject(given)) throw new RpcError(INVALID_PARAMS, 'Invalid params: "inputResponses" must be an object mapping each inputRequests key to its result');
  for (const [key, value] of Object.entries(given)) {
    if (!isObject(value)) throw new RpcError(INVALID_PARAMS, `Invalid params: inputResponses["${key}"] must be a result object (an ElicitResult, CreateMessageResult or ListRootsResult), not ${value === null ? 'null' : typeof value}`);
  }
  return given as Record<string, Record<string, unknown>>;
}

export interface BridgeOptions {
  binding: StateBinding;
  backendName: string;
  /** What the client declared in this request's `_meta`. */
  clientCapabilities: Record<string, unknown>;
  /** How long a retry may take (the backend's requestTimeout); also the state's lifetime. */
  waitMs: number;
  /** Answers sent with the first request (no requestState): used when a question with that key comes. */
  early?: Record<string, Record<string, unknown>>;
  /** Cancel the backend call (a retry that never came, or a client that went away). */
  cancel(reason: Error): void;
  /** The questions went to the client: other calls may use the backend meanwhile (input-required-turns.ts). */
  park(): void;
  /** A retry came: wait until this call may run again. */
  resume(signal: AbortSignal): Promise<void>;
}

/** One backend call of a modern request, across its rounds. */
export class BridgedCall {
  readonly id = randomBytes(12).toString('base64url');
  /** Questions asked and not yet answered, by key. */
  private readonly questions = new Map<string, Question>();
  private keys = 0;
  /** The state issued last carries this number; only it is accepted, once (no replay). */
  private round = 0;
  private serving?: Round;
  private outcome?: Outcome;
  private wake?: () => void;
  private gatherTimer?: ReturnType<typeof setTimeout>;
  private gatherStarted = 0;
  private retryTimer?: ReturnType<typeof setTimeout>;
  /** A question refused because the client lacks a capability, and whether one was ever asked. */
  private refused?: Need;
  private asked = false;
  /** A retry holds the current state (it may be waiting for its turn). */
  private claimed = false;
  private onEnd: (() => void)[] = [];

  constructor(private readonly options: BridgeOptions) {
    pending.set(this.id, this);
  }

  /** Run when the backend's call has ended and the entry is dropped. */
  whenEnded(fn: () => void): void {
    this.onEnd.push(fn);
  }

  /** The retry whose state names this call: checks the state (seal, binding, round) and claims it (no replay). */
  static claim(state: unknown, binding: StateBinding): BridgedCall {
    const data = openState(state, binding) as { id?: unknown; round?: unknown };
    const call = typeof data?.id === 'string' ? pending.get(data.id) : undefined;
    if (!call || call.round !== data.round || call.claimed) {
      throw new RpcError(INVALID_PARAMS, `Invalid params: "requestState" was already used, or its request has ended; ${AGAIN}`);
    }
    call.claimed = true;
    return call;
  }

  /**
   * Serve a claimed retry: answers must fit their questions (else -32602, and the same state may be sent
   * again); keys that match no open question are ignored. The call takes its turn back before answering.
   */
  async retry(round: Round, answers: Record<string, Record<string, unknown>> = {}): Promise<Record<string, unknown>> {
    const valid: [string, Record<string, unknown>][] = [];
    try {
      for (const [key, q] of this.questions) {
        if (!Object.hasOwn(answers, key)) continue;
        const answer = validAnswer(q.method, answers[key]!);
        if (!answer) throw new RpcError(INVALID_PARAMS, `Invalid params: inputResponses["${key}"] is not a valid result for ${q.method}`);
        valid.push([key, answer]);
      }
    } catch (error) {
      this.claimed = false;
      throw error;
    }
    // The client came back: no clock while the retry waits for its turn (its own abort still counts).
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    try {
      await this.options.resume(round.signal);
    } catch (error) {
      this.claimed = false;
      if (this.outcome) this.end();
      else this.startRetryClock();
      throw error;
    }
    return this.serve(round, valid);
  }

  /**
   * Between an input_required result and the retry that resumes the call: its backend handler waits for
   * the answers, so a question now is not this call's (the router then looks elsewhere or refuses).
   */
  get parked(): boolean {
    return this.round > 0 && !this.serving;
  }

  /** Progress of the backend call goes to whichever request serves the call now. */
  progressed(progress: Record<string, unknown>): void {
    this.serving?.onprogress?.(progress);
  }

  /**
   * A question from the backend (through the router). Refused at once, with the error the backend would
   * get from a legacy client lacking it, when the client did not declare what it needs.
   */
  ask(method: ServerRequestMethod, params: Record<string, unknown> | undefined, signal: AbortSignal): Promise<unknown> {
    const need = needOf(method, params);
    if (!satisfies(this.options.clientCapabilities as never, need)) {
      this.refused ??= need;
      const partly = need.sub && hasCapability(this.options.clientCapabilities as never, need);
      return Promise.reject(new McpError(partly ? ErrorCode.InvalidParams : ErrorCode.MethodNotFound, `the 2026-07-28 client calling through 1mcp did not declare ${describeNeed(need)}`));
    }
    if (this.outcome) return Promise.reject(new McpError(ErrorCode.InvalidRequest, 'the call this request belongs to has ended'));
    const { _meta, ...rest } = params ?? {};
    const meta = isObject(_meta) ? { ..._meta } : undefined;
    const hinted = meta?.[INPUT_KEY_META];
    if (meta) delete meta[INPUT_KEY_META];
    const shown = meta && Object.keys(meta).length > 0 ? { ...rest, _meta: meta } : rest;
    const key = this.keyFor(typeof hinted === 'string' && hinted ? hinted : `${method.split('/')[0]}-${this.keys + 1}`);
    this.keys++;

    const early = this.options.early && Object.hasOwn(this.options.early, key) ? this.options.early[key] : undefined;
    if (early) {
      delete this.options.early![key];
      const answer = validAnswer(method, early);
      if (answer) return Promise.resolve(answer);
    }
    this.asked = true;
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        this.questions.delete(key);
        reject(signal.reason instanceof Error ? signal.reason : new Error('cancelled by the server'));
      };
      const question: Question = {
        method,
        params: shown,
        answer: (result) => {
          signal.removeEventListener('abort', onAbort);
          resolve(result);
        },
        fail: (error) => {
          signal.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      this.questions.set(key, question);
      this.gather();
    });
  }

  /** The backend's call ended: a waiting request gets the outcome; otherwise a retry may still fetch it. */
  settle(outcome: Outcome): void {
    if (this.outcome) return;
    if ('error' in outcome && this.refused && !this.asked) {
      // The backend gave up because the client cannot answer what it asked: the revision's error for that.
      const need = this.refused;
      outcome = {
        error: new RpcError(MISSING_CLIENT_CAPABILITY, `server "${this.options.backendName}" needs the client's ${describeNeed(need)} capability for this request, and the request did not declare it`, {
          requiredCapabilities: { [need.capability]: {} },
        }),
      };
    }
    this.outcome = outcome;
    for (const q of this.questions.values()) q.fail(new McpError(ErrorCode.InvalidRequest, 'the call this request belongs to has ended'));
    this.questions.clear();
    this.wake?.();
    // Between rounds, the client's retry may still fetch the outcome until the retry clock runs out.
    if (!this.serving && this.retryTimer === undefined) this.end();
  }

  /** Serve one request (the first, or a retry): deliver the answers, then wait for the backend's result or its next questions. */
  async serve(round: Round, answers: [string, Record<string, unknown>][] = []): Promise<Record<string, unknown>> {
    this.serving = round;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const onAbort = () => this.cancel(new McpError(ErrorCode.RequestTimeout, 'the client closed the response stream'));
    round.signal.addEventListener('abort', onAbort, { once: true });
    try {
      for (const [key, answer] of answers) {
        const q = this.questions.get(key);
        this.questions.delete(key);
        q?.answer(answer);
      }
      if (round.signal.aborted) onAbort();
      // Until the backend ends the call, or asks and then stops asking for a moment.
      do await this.news();
      while (!this.outcome && this.questions.size === 0);
      if (this.outcome) {
        this.end();
        if ('error' in this.outcome) throw this.outcome.error;
        return this.outcome.result;
      }
      return this.issue();
    } finally {
      round.signal.removeEventListener('abort', onAbort);
      this.serving = undefined;
      this.claimed = false;
    }
  }

  /** Stop: open questions fail at the backend, and its call is cancelled. */
  cancel(reason: Error): void {
    for (const q of this.questions.values()) q.fail(reason);
    this.questions.clear();
    this.options.cancel(reason);
  }

  /** The `input_required` result for the open questions, with a fresh state; the retry clock starts. */
  private issue(): Record<string, unknown> {
    this.round++;
    const inputRequests: Record<string, unknown> = {};
    for (const [key, q] of this.questions) inputRequests[key] = { method: q.method, params: q.params };
    const requestState = sealState({ id: this.id, round: this.round }, this.options.binding, this.options.waitMs);
    this.startRetryClock();
    this.options.park();
    return inputRequired({ inputRequests, requestState });
  }

  /** Resolves when the call ended, or when open questions stopped coming (gather). */
  private news(): Promise<void> {
    return new Promise((resolve) => {
      this.wake = () => {
        this.wake = undefined;
        clearTimeout(this.gatherTimer);
        this.gatherTimer = undefined;
        resolve();
      };
      if (this.outcome) this.wake();
      else if (this.questions.size > 0) this.gather();
    });
  }

  /** No retry within waitMs: the questions fail at the backend and its call is cancelled. */
  private startRetryClock(): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.outcome) return this.end();
      this.cancel(new McpError(ErrorCode.RequestTimeout, `the 2026-07-28 client did not answer within ${this.options.waitMs} ms (requestTimeout of "${this.options.backendName}")`));
      // A backend that ignores the cancellation still loses the entry.
      this.settle({ error: new McpError(ErrorCode.RequestTimeout, 'no retry came') });
    }, this.options.waitMs);
    // A client that never comes back must not keep a stopping serve alive.
    this.retryTimer.unref?.();
  }

  /** Wake the waiting request once no question came for GATHER_MS (at most GATHER_MAX_MS after the first). */
  private gather(): void {
    if (!this.wake) return;
    const now = performance.now();
    if (!this.gatherTimer) this.gatherStarted = now;
    clearTimeout(this.gatherTimer);
    const wait = Math.max(0, Math.min(GATHER_MS, this.gatherStarted + GATHER_MAX_MS - now));
    this.gatherTimer = setTimeout(() => this.wake?.(), wait);
  }

  /** Unique within the call: a repeated name gets a suffix. */
  private keyFor(wanted: string): string {
    let key = wanted;
    for (let n = 2; this.questions.has(key); n++) key = `${wanted}-${n}`;
    return key;
  }

  private end(): void {
    if (!pending.delete(this.id)) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    clearTimeout(this.gatherTimer);
    this.gatherTimer = undefined;
    for (const fn of this.onEnd.splice(0)) fn();
  }
}

/** The answer checked against what the question's method returns; undefined when it does not fit. */
function validAnswer(method: ServerRequestMethod, answer: Record<string, unknown>): Record<string, unknown> | undefined {
  const schemas =
    method === 'sampling/createMessage' ? [CreateMessageResultSchema, CreateMessageResultWithToolsSchema] : method === 'elicitation/create' ? [ElicitResultSchema] : [ListRootsResultSchema];
  for (const schema of schemas) {
    const parsed = schema.safeParse(answer);
    if (parsed.success) return answer;
  }
  return undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
