/**
 * The stdio ⇄ Streamable HTTP relay (SPEC §6.2, §6.4). Messages pass through untouched in both
 * directions; the relay only owns the HTTP session: it opens it with the client's own `initialize`,
 * keeps the GET stream for server-initiated messages, and — when serve restarts — finds it again and
 * re-initializes with the same parameters. A request that was in flight then gets an error, never a hang.
 */
import type { Discovered, DiscoveryResult } from './discovery.ts';
import { readSse } from './sse-parser.ts';

type Id = string | number;
interface Message {
  jsonrpc: '2.0';
  id?: Id | null;
  method?: string;
  params?: Record<string, unknown>;
  result?: unknown;
  error?: unknown;
}

export interface RelayOptions {
  discover(): Promise<DiscoveryResult>;
  /** Query string choosing the view, e.g. "preset=web" (may be empty). */
  viewQuery: string;
  /** Bearer token (--token, .1mcprc token_env, ONE_MCP_TOKEN); sent only where discovery allows it. */
  token?: string;
  timeoutMs: number;
  write(message: unknown): void;
  /** A problem the person running the proxy must see (stderr), beside the JSON-RPC error. */
  notice?(message: string): void;
  log(level: 'debug' | 'info' | 'warn' | 'error', message: string): void;
  version: string;
}

const ERROR_CONNECTION = -32000;

class SessionLost extends Error {}

export class Relay {
  private endpoint?: string;
  private sessionId?: string;
  private protocolVersion?: string;
  private initParams?: Record<string, unknown>;
  private clientInitialized = false;
  private connecting?: Promise<boolean>;
  private getStream?: AbortController;
  private closed = false;
  private lastProblem = '';
  private target?: Discovered;
  /** Why we will not or cannot open a session though serve may be there (.1mcprc url not approved, 401, bad view). */
  private refused?: string;
  private noticed = new Set<string>();
  /** Settles when the client's initialize has been dealt with; everything else waits for it. */
  private initializing: Promise<void> = Promise.resolve();

  constructor(private readonly o: RelayOptions) {}

  /** One message from the client (stdin). */
  async handle(message: Message): Promise<void> {
    if (message.method === 'initialize' && message.id !== undefined) {
      this.initializing = this.initialize(message);
      return this.initializing;
    }
    await this.initializing;
    if (message.method === 'notifications/initialized') {
      this.clientInitialized = true;
      if (this.sessionId) {
        await this.post(message).catch(() => {});
        this.openGetStream();
      }
      return;
    }
    const isRequest = message.method !== undefined && message.id !== undefined && message.id !== null;
    if (!(await this.ensureConnected())) {
      if (isRequest) this.replyError(message.id!, this.refused ?? `no running 1mcp serve found: ${this.lastProblem}. Start it with "1mcp serve" (or point the proxy at it with --url)`);
      return;
    }
    try {
      await this.post(message);
    } catch (error) {
      if (error instanceof SessionLost) {
        // serve restarted between two requests: reconnect and send it again.
        this.dropSession();
        if (await this.ensureConnected()) {
          try {
            await this.post(message);
            return;
          } catch (again) {
            error = again;
          }
        }
      }
      if (isRequest) this.replyError(message.id!, `request to 1mcp serve failed: ${(error as Error).message}`);
    }
  }

  private async initialize(message: Message): Promise<void> {
    this.initParams = message.params;
    const found = await this.connect(message);
    if (found) return;
    // No serve yet: answer so the client stays, and explain; later requests retry discovery.
    const requested = (message.params?.protocolVersion as string) ?? '2025-06-18';
    this.o.write({
      jsonrpc: '2.0',
      id: message.id,
      result: {
        protocolVersion: requested,
        capabilities: { tools: { listChanged: true }, prompts: { listChanged: true }, resources: { listChanged: true }, logging: {} },
        serverInfo: { name: '1mcp', version: this.o.version },
        instructions: this.refused ? `1mcp proxy: ${this.refused}` : `1mcp proxy: no running 1mcp serve was found (${this.lastProblem}). Start it with "1mcp serve".`,
      },
    });
  }

  private async ensureConnected(): Promise<boolean> {
    if (this.sessionId) return true;
    if (!this.initParams) {
      this.lastProblem = 'the client has not sent initialize';
      return false;
    }
    this.connecting ??= this.connect(undefined).finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  /**
   * Discover serve and initialize a session with the client's parameters. When `clientMessage` is
   * given its response goes to the client; otherwise (a re-initialize) it is consumed here.
   */
  private async connect(clientMessage: Message | undefined): Promise<boolean> {
    const discovery = await this.o.discover();
    this.refused = discovery.refused;
    if (discovery.refused) {
      this.lastProblem = discovery.refused;
      this.o.log('error', discovery.refused);
      this.notice(discovery.refused);
      return false;
    }
    if (!discovery.found) {
      this.lastProblem = `looked at ${discovery.tried.join('; ')}`;
      this.o.log('warn', `no serve found (${this.lastProblem}); start it with "1mcp serve"`);
      this.notice(`no running 1mcp serve found (${this.lastProblem}); start it with "1mcp serve" or pass --url`);
      return false;
    }
    this.target = discovery.found;
    if (this.o.token && !discovery.found.tokenAllowed) this.o.log('warn', discovery.found.tokenWithheld ?? 'token not sent');
    const base = new URL(discovery.found.url);
    if (this.o.viewQuery) base.search = this.o.viewQuery;
    this.endpoint = base.toString();
    const init: Message = clientMessage ?? { jsonrpc: '2.0', id: `1mcp-proxy-reinit-${Date.now()}`, method: 'initialize', params: this.initParams };
    let response: Response;
    try {
      response = await this.fetchWithTimeout(this.endpoint, { method: 'POST', headers: this.headers(), body: JSON.stringify(init) });
    } catch (error) {
      this.lastProblem = `${this.endpoint} did not answer (${(error as Error).message})`;
      this.o.log('warn', this.lastProblem);
      this.notice(`no running 1mcp serve found: ${this.lastProblem}; start it with "1mcp serve"`);
      return false;
    }
    if (!response.ok) {
      const body = await response.text().catch(() => '');
      this.lastProblem = `${this.endpoint} answered ${response.status}: ${body.slice(0, 300)}`;
      this.o.log('error', this.lastProblem);
      // A real answer from serve (bad view, auth): the client should see it as is, and later requests too.
      const why = response.status === 401 ? this.authHint(discovery.found.url, extractMessage(body)) : (extractMessage(body) ?? String(response.status));
      this.refused = `1mcp serve refused the session: ${why}`;
      this.notice(this.refused);
      if (clientMessage) {
        this.replyError(clientMessage.id!, this.refused);
        return true;
      }
      return false;
    }
    const sessionId = response.headers.get('mcp-session-id') ?? undefined;
    let initResult: Message | undefined;
    await this.relayBody(response, (m) => {
      if (m.id === init.id && (m.result || m.error)) initResult = m;
      else this.o.write(m);
    });
    if (!initResult || initResult.error || !sessionId) {
      this.lastProblem = `initialize failed: ${JSON.stringify(initResult?.error ?? 'no session id')}`;
      if (clientMessage && initResult) this.o.write(initResult);
      return !!clientMessage && !!initResult;
    }
    this.sessionId = sessionId;
    this.protocolVersion = (initResult.result as { protocolVersion?: string })?.protocolVersion;
    this.o.log('info', `connected to ${this.endpoint} (${discovery.found.source}), session ${sessionId}`);
    if (clientMessage) this.o.write(initResult);
    else if (this.clientInitialized) {
      await this.post({ jsonrpc: '2.0', method: 'notifications/initialized' }).catch(() => {});
      this.openGetStream();
    }
    return true;
  }

  private headers(): Record<string, string> {
    const h: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
    };
    if (this.o.token && this.target?.tokenAllowed) h.authorization = `Bearer ${this.o.token}`;
    if (this.sessionId) h['mcp-session-id'] = this.sessionId;
    if (this.protocolVersion) h['mcp-protocol-version'] = this.protocolVersion;
    return h;
  }

  /** Time limit to the response headers only: a long tool call streams for as long as it takes. */
  private async fetchWithTimeout(url: string, init: RequestInit): Promise<Response> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error(`no answer within ${this.o.timeoutMs} ms`)), this.o.timeoutMs);
    try {
      return await fetch(url, { ...init, signal: controller.signal });
    } finally {
      clearTimeout(timer);
    }
  }

  private async post(message: Message): Promise<void> {
    const isRequest = message.method !== undefined && message.id !== undefined && message.id !== null;
    let response: Response;
    try {
      response = await this.fetchWithTimeout(this.endpoint!, { method: 'POST', headers: this.headers(), body: JSON.stringify(message) });
    } catch (error) {
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
      return;
    }
    if (!response.ok) {
      const body = await response.text().catch(() => '');
      if (isRequest) this.replyError(message.id!, `1mcp serve answered ${response.status}: ${extractMessage(body) ?? body.slice(0, 200)}`);
      return;
    }
    let answered = !isRequest;
    try {
      await this.relayBody(response, (m) => {
        if (isRequest && m.id === message.id && (m.result !== undefined || m.error !== undefined)) answered = true;
        this.o.write(m);
      });
    } catch (error) {
      this.o.log('warn', `stream for ${message.method} broke: ${(error as Error).message}`);
      this.dropSession();
    }
    if (!answered) {
      this.replyError(message.id!, 'the connection to 1mcp serve was lost during this request (serve restarted?); try again');
      this.dropSession();
    }
  }

  private async relayBody(response: Response, deliver: (m: Message) => void): Promise<void> {
    const type = response.headers.get('content-type') ?? '';
    if (type.includes('text/event-stream') && response.body) {
      for await (const event of readSse(response.body)) {
        if (event.event && event.event !== 'message') continue;
        const parsed = safeParse(event.data);
        for (const m of Array.isArray(parsed) ? parsed : parsed ? [parsed] : []) deliver(m as Message);
      }
      return;
    }
    const text = await response.text();
    if (!text) return;
    const parsed = safeParse(text);
    for (const m of Array.isArray(parsed) ? parsed : parsed ? [parsed] : []) deliver(m as Message);
  }

  /** The GET stream carries what serve sends outside any request (list_changed, logs, requests). */
  private openGetStream(): void {
    if (this.closed || !this.sessionId || this.getStream) return;
    const controller = new AbortController();
    this.getStream = controller;
    const session = this.sessionId;
    let lost = false;
    void (async () => {
      try {
        const headers = this.headers();
        delete headers['content-type'];
        headers.accept = 'text/event-stream';
        const response = await fetch(this.endpoint!, { method: 'GET', headers, signal: controller.signal });
        if (response.status === 404) {
          lost = true;
          return;
        }
        if (!response.ok || !response.body) return;
        for await (const event of readSse(response.body)) {
          const parsed = safeParse(event.data);
          for (const m of Array.isArray(parsed) ? parsed : parsed ? [parsed] : []) this.o.write(m);
        }
      } catch {
        // The stream broke or serve is not there: it may be restarting (perhaps on another port).
        lost = !controller.signal.aborted;
      } finally {
        if (this.getStream === controller) this.getStream = undefined;
        if (this.closed || this.sessionId !== session || controller.signal.aborted) return;
        if (lost) this.dropSession();
        else setTimeout(() => this.openGetStream(), 250).unref?.();
      }
    })();
  }

  /**
   * Without waiting for the client's next request, find serve again and re-open the session, so
   * server-initiated messages (list_changed, logs) keep flowing after a restart. Discovery is cheap
   * (a file and three local ports), so it retries at most a second apart.
   */
  private recover(delay = 250): void {
    if (this.closed || this.sessionId || !this.clientInitialized) return;
    setTimeout(async () => {
      if (this.closed || this.sessionId) return;
      if (!(await this.ensureConnected())) this.recover(Math.min(delay * 2, 1000));
    }, delay).unref?.();
  }

  /** The session is gone (serve restarted or went away): forget it and start looking for serve again. */
  private dropSession(): void {
    this.sessionId = undefined;
    this.getStream?.abort();
    this.getStream = undefined;
    this.recover();
  }

  /** What to do about a 401, depending on whether we had a token and whether we sent it. */
  private authHint(url: string, serveSaid: string | undefined): string {
    const how = 'pass --token <token>, set ONE_MCP_TOKEN, or name an ONE_MCP_* variable in .1mcprc ("token_env": "ONE_MCP_TOKEN_WORK"); create one with "1mcp auth token create"';
    if (!this.o.token) return `401: ${url} requires a bearer token (serve runs with --enable-auth) and none was given: ${how}`;
    if (!this.target?.tokenAllowed) return `401: ${url} requires a bearer token; one is set but was withheld: ${this.target?.tokenWithheld ?? 'not trusted'}`;
    return `401: ${url} rejected the token${serveSaid ? ` (${serveSaid})` : ''}: check it with "1mcp auth token list", or create a new one with "1mcp auth token create"`;
  }

  /** Each distinct problem once on stderr: a client that retries must not flood the terminal. */
  private notice(message: string): void {
    if (this.noticed.has(message)) return;
    this.noticed.add(message);
    this.o.notice?.(message);
  }

  private replyError(id: Id, message: string): void {
    this.o.write({ jsonrpc: '2.0', id, error: { code: ERROR_CONNECTION, message } });
  }

  /** End the session politely (bounded: the proxy must exit within 100 ms). */
  async close(): Promise<void> {
    this.closed = true;
    this.getStream?.abort();
    if (this.sessionId && this.endpoint) {
      await fetch(this.endpoint, { method: 'DELETE', headers: this.headers(), signal: AbortSignal.timeout(50) }).catch(() => {});
    }
  }
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function extractMessage(body: string): string | undefined {
  const parsed = safeParse(body) as { error?: { message?: string } } | undefined;
  return parsed?.error?.message;
}
