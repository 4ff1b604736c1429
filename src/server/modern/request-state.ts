/**
 * The `requestState` of an `input_required` result (docs/protocol.md, "input_required bridging"): opaque
 * to the client, tamper-proof for us. It is `<payload>.<mac>`: the payload is base64url JSON, the mac an
 * HMAC-SHA256 over it with a random key made when serve starts and never written anywhere — so a state
 * outlives neither a restart nor its expiry.
 *
 * A state is bound to the request it answers: who sent it (token hash), the view, the method and its
 * parameters (without `_meta`, `inputResponses` and `requestState`, which change between rounds). A state
 * shown with another token, view, method or arguments is refused like a forged one.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { RpcError } from '../errors.ts';

const INVALID_PARAMS = -32602;

/** Made once per serve process; never persisted. */
const KEY = randomBytes(32);

/** What a state is bound to; the same values must come with the retry. */
export interface StateBinding {
  /** The token hash of the caller (undefined without auth). */
  principal?: string;
  /** The view's key (catalog/view.ts). */
  view: string;
  method: string;
  /** The request's params as the client sent them; the round-specific fields are left out here. */
  params: Record<string, unknown>;
}

/** Fields of a retry that differ between rounds and so are not part of the binding. */
const ROUND_FIELDS = new Set(['_meta', 'inputResponses', 'requestState']);

/** Seal `data` (any JSON value) into a state valid for `ttlMs` for this binding. */
export function sealState(data: unknown, binding: StateBinding, ttlMs: number): string {
  const payload = Buffer.from(JSON.stringify({ b: bindingDigest(binding), exp: Date.now() + ttlMs, d: data }), 'utf8').toString('base64url');
  return `${payload}.${mac(payload)}`;
}

/**
 * Open a state sealed by `sealState`, checking its mac, its expiry and its binding. Every failure is a
 * JSON-RPC -32602 whose message says what to do (start over without `requestState`).
 */
export function openState(state: unknown, binding: StateBinding): unknown {
  const again = 'send the request again without "requestState" and "inputResponses" to start over';
  if (typeof state !== 'string') throw new RpcError(INVALID_PARAMS, `Invalid params: "requestState" must be the string this server returned; ${again}`);
  const dot = state.indexOf('.');
  const payload = dot > 0 ? state.slice(0, dot) : '';
  const given = dot > 0 ? Buffer.from(state.slice(dot + 1), 'base64url') : Buffer.alloc(0);
  const expected = Buffer.from(mac(payload), 'base64url');
  if (!payload || state.slice(dot + 1) !== given.toString('base64url') || given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new RpcError(INVALID_PARAMS, `Invalid params: "requestState" failed its integrity check (it was altered, or issued by another serve or before a restart); ${again}`);
  }
  const opened = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { b: string; exp: number; d: unknown };
  if (Date.now() > opened.exp) throw new RpcError(INVALID_PARAMS, `Invalid params: "requestState" has expired; ${again}`);
  if (opened.b !== bindingDigest(binding)) {
    throw new RpcError(INVALID_PARAMS, `Invalid params: "requestState" belongs to another request (a different method, arguments, view or token); ${again}`);
  }
  return opened.d;
}

function mac(payload: string): string {
  return createHmac('sha256', KEY).update(payload, 'utf8').digest('base64url');
}

function bindingDigest(binding: StateBinding): string {
  const params: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(binding.params)) if (!ROUND_FIELDS.has(key)) params[key] = value;
  return createHash('sha256')
    .update(canonicalJson([binding.principal ?? '', binding.view, binding.method, params]), 'utf8')
    .digest('base64url');
}

/** JSON with object keys sorted, so equal params give equal digests whatever their key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const keys = Object.keys(value).filter((k) => (value as Record<string, unknown>)[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
