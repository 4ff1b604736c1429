/**
 * The HTTP side of the proxy: one Streamable HTTP session at serve's /mcp endpoint. It posts messages
 * and relays what comes back (a JSON body or an event stream), and holds the GET stream for what serve
 * sends outside any request. It decides nothing about reconnecting: it reports what happened and the
 * relay (relay.ts) chooses what to do.
 */
import { isRequest, messagesOf, type JsonRpcMessage } from '../jsonrpc.ts';
import { readSse } from '../runtime/sse-parser.ts';
import { hasTimeLimit, NoAnswer } from './time-limit.ts';

/** The request never reached a session (connection refused, 404): safe to reconnect and send again. */
export class SessionLost extends Error {}

/** What became of opening a session with an initialize request. */
export type Opened =
  | { kind: 'unreachable'; problem: string }
  | { kind: 'refused'; status: number; body: string; serveSaid?: string }
  | { kind: 'answered'; sessionId?: string; answer?: JsonRpcMessage };

/** What became of a posted message, when not simply delivered. */
export interface Posted {
  /** The request got no answer: why, for the error the relay sends the client. */
  unanswered?: string;
  /** The session is gone (the stream broke or ended early): serve must be found again. */
  lost?: boolean;
}

export interface HttpLegOptions {
  timeoutMs: number;
  /** Where every message from serve goes (the client, on stdout). */
  write(message: JsonRpcMessage): void;
  log(level: 'debug' | 'info' | 'warn' | 'error', message: string): void;
}

export class HttpLeg {
  endpoint?: string;
  sessionId?: string;
  private protocolVersion?: string;
  /** Sent only where discovery allowed it. */
  private token?: string;

  constructor(private readonly o: HttpLegOptions) {}

  /**
   * POST an initialize to `endpoint`. Its answer is returned, not written: the relay decides whether
   * the client sees it. Anything else serve sends on that stream goes to the client.
   */
  async open(endpoint: string, token: string | undefined, init: JsonRpcMessage): Promise<Opened> {
    this.endpoint = endpoint;
    this.token = token;
    let response: Response;
    try {
      response = await this.fetchWithTimeout(endpoint, { method: 'POST', headers: this.headers(), body: JSON.stringify(init) });
    } catch (error) {
      return { kind: 'unreachable', problem: (error as Error).message };
    }
    if (!response.ok) {
      const body = await response.text().catch(() => '');
      return { kind: 'refused', status: response.status, body, serveSaid: serveSaid(body) };
    }
    const sessionId = response.headers.get('mcp-session-id') ?? undefined;
    let answer: JsonRpcMessage | undefined;
    await this.relayBody(response, (m) => {
      if (m.id === init.id && (m.result || m.error)) answer = m;
      else this.o.write(m);
    });
    return { kind: 'answered', sessionId, answer };
  }

  /** The session serve opened: later requests carry its id and protocol version. */
  join(sessionId: string, protocolVersion: string | undefined): void {
    this.sessionId = sessionId;
    this.protocolVersion = protocolVersion;
  }

  forget(): void {
    this.sessionId = undefined;
  }

  /** Send one message in the session; its answer and whatever else comes back go to the client. */
  async post(message: JsonRpcMessage): Promise<Posted> {
    const request = isRequest(message);
    let response: Response;
    try {
      response = await this.fetchWithTimeout(this.endpoint!, { method: 'POST', headers: this.headers(), body: JSON.stringify(message) }, hasTimeLimit(message.method));
    } catch (error) {
      // serve took it and is silent: it may be working on it, so it must not be sent again.
      if (error instanceof NoAnswer) return { unanswered: `1mcp serve did not answer ${message.method} within ${this.o.timeoutMs} ms (--timeout)` };
      // Connection refused: serve is gone (restarting?). Treat like a lost session.
      this.o.log('warn', `POST failed: ${(error as Error).message}`);
      throw new SessionLost((error as Error).message);
    }
    if (response.status === 404) {
      await response.body?.cancel().catch(() => {});
      throw new SessionLost('session not found');
    }
    if (response.status === 202) {
      await response.body?.cancel().catch(() => {});
      return {};
    }
    if (!response.ok) {
      const body = await response.text().catch(() => '');
      return { unanswered: `1mcp serve answered ${response.status}: ${serveSaid(body) ?? body.slice(0, 200)}` };
    }
    let answered = !request;
    let lost = false;
    try {
      await this.relayBody(response, (m) => {
        if (request && m.id === message.id && (m.result !== undefined || m.error !== undefined)) answered = true;
        this.o.write(m);
      });
    } catch (error) {
      this.o.log('warn', `stream for ${message.method} broke: ${(error as Error).message}`);
      lost = true;
    }
    if (!answered) return { unanswered: 'the connection to 1mcp serve was lost during this request (serve restarted?); try again', lost: true };
    return lost ? { lost } : {};
  }

  /**
   * The GET stream: what serve sends outside any request (list_changed, logs, its own requests), until
   * it ends or `signal` aborts. 'lost' when the session is gone (404, or the stream broke unasked).
   */
  async listen(signal: AbortSignal): Promise<'lost' | 'ended'> {
    try {
      const headers = this.headers();
      delete headers['content-type'];
      headers.accept = 'text/event-stream';
      const response = await fetch(this.endpoint!, { method: 'GET', headers, signal });
      if (response.status === 404) return 'lost';
      if (!response.ok || !response.body) return 'ended';
      await readSse(response.body, (event) => deliver(event.data, this.o.write));
      return 'ended';
    } catch {
      // The stream broke or serve is not there: it may be restarting (perhaps on another port).
      return signal.aborted ? 'ended' : 'lost';
    }
  }

  /** End the session politely, within `ms`. */
  async end(ms: number): Promise<void> {
    if (!this.sessionId || !this.endpoint) return;
    await fetch(this.endpoint, { method: 'DELETE', headers: this.headers(), signal: AbortSignal.timeout(ms) }).catch(() => {});
  }

  private headers(): Record<string, string> {
    const h: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
    };
    if (this.token) h.authorization = `Bearer ${this.token}`;
    if (this.sessionId) h['mcp-session-id'] = this.sessionId;
    if (this.protocolVersion) h['mcp-protocol-version'] = this.protocolVersion;
    return h;
  }

  /**
   * Time limit to the response headers only, and only when `limited` (time-limit.ts): a long tool call
   * takes as long as it takes. A request that got no headers in time throws NoAnswer.
   */
  private async fetchWithTimeout(url: string, init: RequestInit, limited = true): Promise<Response> {
    if (!limited) return fetch(url, init);
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new NoAnswer(`no answer within ${this.o.timeoutMs} ms`)), this.o.timeoutMs);
    try {
      return await fetch(url, { ...init, signal: controller.signal });
    } catch (error) {
      throw controller.signal.aborted ? new NoAnswer(`no answer within ${this.o.timeoutMs} ms`) : error;
    } finally {
      clearTimeout(timer);
    }
  }

  /** A JSON body or an event stream; either may hold one message or a batch. */
  private async relayBody(response: Response, onMessage: (m: JsonRpcMessage) => void): Promise<void> {
    const type = response.headers.get('content-type') ?? '';
    if (type.includes('text/event-stream') && response.body) {
      await readSse(response.body, (event) => {
        if (!event.event || event.event === 'message') deliver(event.data, onMessage);
      });
      return;
    }
    const text = await response.text();
    if (text) deliver(text, onMessage);
  }
}

/** Each JSON-RPC message in `text`; what is not JSON, or not an object, is dropped. */
function deliver(text: string, onMessage: (m: JsonRpcMessage) => void): void {
  for (const m of messagesOf(parseJson(text))) if (m && typeof m === 'object') onMessage(m as JsonRpcMessage);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The error message in a JSON-RPC error body, if it is one. */
function serveSaid(body: string): string | undefined {
  const parsed = parseJson(body) as { error?: { message?: string } } | undefined;
  return parsed?.error?.message;
}
