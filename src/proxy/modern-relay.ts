/**
 * The proxy for a 2026-07-28 ("modern") stdio client (docs/protocol.md, "The proxy and modern clients").
 * Such a client sends `server/discover` and requests carrying the `_meta` envelope, with no handshake;
 * each request becomes one stateless POST to serve's /mcp with the routing headers a Streamable HTTP
 * client would add, and whatever serve answers (JSON, or an event stream with progress first) goes to
 * stdout. `subscriptions/listen` is a POST whose stream stays open. Over stdio the client cancels with
 * `notifications/cancelled`; over HTTP closing the stream is the cancellation, so that aborts the POST.
 * Nothing here touches the legacy session (relay.ts).
 */
import type { JsonRpcId, JsonRpcMessage } from '../jsonrpc.ts';
import { messagesOf } from '../jsonrpc.ts';
import { LEGACY_VERSIONS, META_PROTOCOL_VERSION, META_SERVER_INFO, META_SUBSCRIPTION_ID, MODERN_VERSIONS, SUPPORTED_VERSIONS } from '../server/modern/wire.ts';
import { paramHeadersOf, routingHeaders, type ParamHeader } from '../modern-headers.ts';
import { readSse } from '../runtime/sse-parser.ts';
import { hasTimeLimit, NoAnswer } from './time-limit.ts';

/** Where modern requests go, or why they cannot go anywhere. */
export type ModernTarget = { endpoint: string; token?: string } | { problem: string; refused: boolean };

export interface ModernRelayOptions {
  /** serve's /mcp with the view query; `fresh` asks to look again (the last one did not answer). */
  target(fresh: boolean): Promise<ModernTarget>;
  /** What to tell the client about a 401 from serve. */
  explain401(serveSaid: string | undefined): string;
  timeoutMs: number;
  write(message: JsonRpcMessage): void;
  log(level: 'debug' | 'info' | 'warn' | 'error', message: string): void;
  version: string;
}

const ERROR_CONNECTION = -32000;
const HEADER_MISMATCH = -32020;

/** A routing header serve needs cannot be written (a method, version or header name outside what HTTP allows). */
class Unsendable extends Error {}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The protocol version a message's `_meta` envelope names, if any. */
function envelopeVersion(message: JsonRpcMessage): string | undefined {
  const meta = isObject(message.params) && isObject(message.params._meta) ? message.params._meta : undefined;
  const version = meta?.[META_PROTOCOL_VERSION];
  return typeof version === 'string' ? version : undefined;
}

/**
 * Whether a request belongs to the modern era: `server/discover`, or a request whose envelope names a
 * version that is not a legacy one. `initialize` never is: it opens a legacy session, whatever it carries.
 */
export function isModernRequest(message: JsonRpcMessage): boolean {
  if (message.id === undefined || message.id === null || typeof message.method !== 'string' || message.method === 'initialize') return false;
  if (message.method === 'server/discover') return true;
  const version = envelopeVersion(message);
  return version !== undefined && !LEGACY_VERSIONS.includes(version);
}

/** A key for a JSON-RPC id: 1 and "1" are different requests. */
const keyOf = (id: unknown) => `${typeof id}:${String(id)}`;

/** The error message in a refusal body: a JSON-RPC error, or serve's `{error, message}` (a 401). */
function serveSaid(body: unknown): string | undefined {
  if (!isObject(body)) return undefined;
  if (isObject(body.error) && typeof body.error.message === 'string') return body.error.message;
  return typeof body.message === 'string' ? body.message : undefined;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export class ModernRelay {
  /** Requests in flight, by id: a notifications/cancelled aborts the matching POST. */
  private readonly inFlight = new Map<string, AbortController>();
  /** Tool name → the arguments its schema mirrors into Mcp-Param-* headers, learnt from tools/list results. */
  private readonly paramHeaders = new Map<string, ParamHeader[]>();
  private closed = false;

  constructor(private readonly o: ModernRelayOptions) {}

  /** Whether `requestId` is a modern request still in flight (its cancellation is ours to act on). */
  owns(requestId: unknown): boolean {
    return this.inFlight.has(keyOf(requestId));
  }

  /** notifications/cancelled: stop the POST; serve sees the stream close, which cancels the call. Nothing more is written for it. */
  cancel(requestId: unknown): void {
    const key = keyOf(requestId);
    this.inFlight.get(key)?.abort(new Error('cancelled by the client'));
    this.inFlight.delete(key);
  }

  /**
   * Relay one modern request. Settles when its answer is written — for `subscriptions/listen`, once the
   * stream is open (its notifications keep flowing afterwards), so stdin's end does not wait for it.
   */
  handle(message: JsonRpcMessage & { id: JsonRpcId }): Promise<void> {
    const key = keyOf(message.id);
    if (this.inFlight.has(key)) {
      this.replyError(message.id, `a request with id ${JSON.stringify(message.id)} is still in flight; use a new id for each request`, -32600);
      return Promise.resolve();
    }
    const controller = new AbortController();
    this.inFlight.set(key, controller);
    let opened!: () => void;
    const open = new Promise<void>((resolve) => (opened = resolve));
    const done = this.run(message, controller, opened).finally(() => {
      if (this.inFlight.get(key) === controller) this.inFlight.delete(key);
      opened();
    });
    return message.method === 'subscriptions/listen' ? Promise.race([open, done]) : done;
  }

  /** Stop everything in flight (the proxy is exiting): serve sees each stream close. */
  close(): void {
    this.closed = true;
    for (const controller of this.inFlight.values()) controller.abort(new Error('the proxy is exiting'));
    this.inFlight.clear();
  }

  private async run(message: JsonRpcMessage & { id: JsonRpcId }, controller: AbortController, opened: () => void): Promise<void> {
    const write = (m: JsonRpcMessage) => {
      // A cancelled request gets nothing more, as the revision asks.
      if (!controller.signal.aborted && !this.closed) this.o.write(m);
    };
    let target = await this.o.target(false);
    if ('problem' in target) return this.unreachable(message, target, write);
    let response: Response | undefined;
    let problem = '';
    // Once more after looking again: serve may have restarted on another port. The request never reached it, so that is safe.
    for (const fresh of [false, true]) {
      if (fresh) {
        target = await this.o.target(true);
        if ('problem' in target) return this.unreachable(message, target, write);
      }
      try {
        response = await this.post(target, message, controller.signal);
        break;
      } catch (error) {
        if (controller.signal.aborted) return;
        if (error instanceof NoAnswer) return write(this.error(message.id, error.message));
        if (error instanceof Unsendable) return write(this.error(message.id, `Invalid params: ${error.message} (a method name, protocol version or x-mcp-header name outside visible ASCII)`, -32602));
        problem = (error as Error).message;
        this.o.log('warn', `POST ${message.method} failed: ${problem}`);
      }
    }
    if (!response) return write(this.error(message.id, `no running 1mcp serve answered (${problem}); start it with "1mcp serve"`));
    if (message.method === 'tools/call' && response.status === 400 && !this.paramHeaders.has(String(message.params?.name))) {
      // An x-mcp-header argument of a tool we have not seen listed: learn the schemas, then send it again (serve refused it unseen).
      const body = parseJson(await response.text().catch(() => ''));
      if (isObject(body) && isObject(body.error) && body.error.code === HEADER_MISMATCH && (await this.learnTools(target, message, controller.signal))) {
        response = await this.post(target, message, controller.signal).catch(() => undefined);
        if (!response) return write(this.error(message.id, 'the connection to 1mcp serve was lost during this request; try again'));
      } else return this.relayRefusal(message, 400, body, write);
    }
    await this.relayResponse(message, response, write, opened, controller.signal);
  }

  /** POST one modern request; the time limit covers the response headers of requests serve answers itself. */
  private async post(target: { endpoint: string; token?: string }, message: JsonRpcMessage, signal: AbortSignal): Promise<Response> {
    const params = isObject(message.params) ? message.params : {};
    const version = envelopeVersion(message) ?? MODERN_VERSIONS[0]!;
    const headers = new Headers({
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...(target.token ? { authorization: `Bearer ${target.token}` } : {}),
    });
    const routing = routingHeaders(message.method!, params, version, message.method === 'tools/call' ? this.paramHeaders.get(String(params.name)) : undefined);
    for (const [name, value] of Object.entries(routing)) {
      try {
        headers.set(name, value);
      } catch {
        throw new Unsendable(`${name}: ${JSON.stringify(value)} cannot be sent as an HTTP header`);
      }
    }
    const init = { method: 'POST', headers, body: JSON.stringify(message) };
    if (!hasTimeLimit(message.method)) return fetch(target.endpoint, { ...init, signal });
    const timer = new AbortController();
    const timeout = setTimeout(() => timer.abort(new Error(`no answer within ${this.o.timeoutMs} ms`)), this.o.timeoutMs);
    try {
      return await fetch(target.endpoint, { ...init, signal: AbortSignal.any([signal, timer.signal]) });
    } catch (error) {
      if (timer.signal.aborted && !signal.aborted) throw new NoAnswer(`1mcp serve at ${target.endpoint} did not answer ${message.method} within ${this.o.timeoutMs} ms (--timeout)`);
      throw error;
    } finally {
      clearTimeout(timeout);
    }
  }

  private async relayResponse(message: JsonRpcMessage & { id: JsonRpcId }, response: Response, write: (m: JsonRpcMessage) => void, opened: () => void, signal: AbortSignal): Promise<void> {
    const listen = message.method === 'subscriptions/listen';
    let answered = false;
    const deliver = (m: unknown) => {
      if (!isObject(m)) return;
      const reply = m as unknown as JsonRpcMessage;
      if (reply.id === message.id && (reply.result !== undefined || reply.error !== undefined)) {
        answered = true;
        if (message.method === 'tools/list' && isObject(reply.result)) this.remember(reply.result);
      }
      write(reply);
      opened();
    };
    const type = response.headers.get('content-type') ?? '';
    if (response.ok && type.includes('text/event-stream') && response.body) {
      try {
        await readSse(response.body, (event) => {
          if (!event.event || event.event === 'message') for (const m of messagesOf(parseJson(event.data))) deliver(m);
        });
      } catch (error) {
        if (signal.aborted || this.closed) return;
        this.o.log('warn', `stream for ${message.method} broke: ${(error as Error).message}`);
      }
      if (answered || signal.aborted || this.closed) return;
      // serve went away (stopped or restarted) before the answer. A listen stream ends the way the
      // revision says a server tears one down on stdio; the client may listen again.
      if (listen) {
        write({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: message.id, reason: 'the connection to 1mcp serve ended (serve stopped or restarted); listen again', _meta: { [META_SUBSCRIPTION_ID]: message.id } } });
      } else write(this.error(message.id, 'the connection to 1mcp serve was lost during this request (serve restarted?); try again'));
      return;
    }
    const text = await response.text().catch(() => '');
    const body = parseJson(text);
    if (!response.ok) return this.relayRefusal(message, response.status, body ?? text, write);
    for (const m of messagesOf(body)) deliver(m);
    if (!answered) write(this.error(message.id, `1mcp serve answered ${response.status} without a JSON-RPC answer: ${text.slice(0, 200)}`));
  }

  /**
   * A 4xx/5xx from serve. A JSON-RPC error for this request (a modern error: header mismatch, unsupported
   * version, not found) goes to the client as it is; anything else (401, a bad view) becomes one naming the problem.
   */
  private relayRefusal(message: JsonRpcMessage & { id: JsonRpcId }, status: number, body: unknown, write: (m: JsonRpcMessage) => void): void {
    if (isObject(body) && body.id === message.id && isObject(body.error)) return write(body as unknown as JsonRpcMessage);
    const said = typeof body === 'string' ? body.slice(0, 200) || undefined : serveSaid(body);
    const why = status === 401 ? this.o.explain401(said) : `1mcp serve answered ${status}${said ? `: ${said}` : ''}`;
    write(this.error(message.id, why));
  }

  /**
   * No serve to send to. A discover still gets an answer, as `initialize` does on the legacy path, so the
   * client keeps the proxy and later requests look for serve again; other requests get the reason.
   */
  private unreachable(message: JsonRpcMessage & { id: JsonRpcId }, target: { problem: string; refused: boolean }, write: (m: JsonRpcMessage) => void): void {
    if (message.method !== 'server/discover' || target.refused) return write(this.error(message.id, target.problem));
    write({
      jsonrpc: '2.0',
      id: message.id,
      result: {
        supportedVersions: SUPPORTED_VERSIONS,
        capabilities: { tools: { listChanged: true }, prompts: { listChanged: true }, resources: { listChanged: true }, completions: {} },
        instructions: `1mcp proxy: ${target.problem}`,
        resultType: 'complete',
        // Not to be cached: the next discover should find serve once it runs.
        ttlMs: 0,
        cacheScope: 'private',
        _meta: { [META_SERVER_INFO]: { name: '1mcp', version: this.o.version } },
      },
    });
  }

  /** Keep what each listed tool mirrors into headers. */
  private remember(result: Record<string, unknown>): void {
    if (!Array.isArray(result.tools)) return;
    for (const tool of result.tools) if (isObject(tool) && typeof tool.name === 'string') this.paramHeaders.set(tool.name, paramHeadersOf(tool.inputSchema));
  }

  /** List the tools ourselves (every page), with the envelope of the request that needs them. Whether that tool is now known. */
  private async learnTools(target: { endpoint: string; token?: string }, message: JsonRpcMessage, signal: AbortSignal): Promise<boolean> {
    const meta = (message.params as { _meta?: Record<string, unknown> })._meta;
    let cursor: string | undefined;
    for (let page = 0; page < 100; page++) {
      const list: JsonRpcMessage = { jsonrpc: '2.0', id: `1mcp-proxy-tools-${page}`, method: 'tools/list', params: { _meta: meta, ...(cursor ? { cursor } : {}) } };
      const response = await this.post(target, list, signal).catch(() => undefined);
      const body = response?.ok ? (parseJson(await response.text().catch(() => '')) as JsonRpcMessage | undefined) : undefined;
      if (!isObject(body?.result)) return false;
      this.remember(body.result);
      cursor = typeof body.result.nextCursor === 'string' ? body.result.nextCursor : undefined;
      if (!cursor) break;
    }
    return this.paramHeaders.has(String(message.params?.name));
  }

  private error(id: JsonRpcId, message: string, code = ERROR_CONNECTION): JsonRpcMessage {
    return { jsonrpc: '2.0', id, error: { code, message } };
  }

  private replyError(id: JsonRpcId, message: string, code = ERROR_CONNECTION): void {
    this.o.write(this.error(id, message, code));
  }
}
