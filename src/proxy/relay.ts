/**
 * The stdio ⇄ Streamable HTTP relay (docs/design.md, "The proxy"). Messages pass through untouched in both
 * directions. This file is the session's state machine: it opens the session with the client's own
 * `initialize`, and when serve restarts it finds serve again and re-initializes with the same
 * parameters; a request in flight then gets an error, never a hang. The HTTP side (posting, relaying
 * bodies, the GET stream) is http-leg.ts. A 2026-07-28 client (`server/discover`, or requests carrying the
 * `_meta` envelope) has no session at all: its requests go to modern-relay.ts, each on its own.
 */
import { isRequest, type JsonRpcId, type JsonRpcMessage } from '../jsonrpc.ts';
import type { Discovered, DiscoveryResult } from './discovery.ts';
import { HttpLeg, SessionLost, type Posted } from './http-leg.ts';
import { isModernRequest, ModernRelay, type ModernTarget } from './modern-relay.ts';

export interface RelayOptions {
  discover(): Promise<DiscoveryResult>;
  /** Query string choosing the view, e.g. "preset=web" (may be empty). */
  viewQuery: string;
  /** Bearer token (--token, .1mcprc token_env, ONE_MCP_TOKEN); sent only where discovery allows it. */
  token?: string;
  timeoutMs: number;
  write(message: JsonRpcMessage): void;
  /** A problem the person running the proxy must see (stderr), beside the JSON-RPC error. */
  notice?(message: string): void;
  log(level: 'debug' | 'info' | 'warn' | 'error', message: string): void;
  version: string;
}

const ERROR_CONNECTION = -32000;

export class Relay {
  private readonly leg: HttpLeg;
  private readonly modern: ModernRelay;
  /** Where modern requests go (found once, looked for again when it stops answering). */
  private modernTarget?: Promise<ModernTarget>;
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

  constructor(private readonly o: RelayOptions) {
    this.leg = new HttpLeg({ timeoutMs: o.timeoutMs, write: o.write, log: o.log });
    this.modern = new ModernRelay({
      target: (fresh) => this.locateForModern(fresh),
      explain401: (serveSaid) => this.authHint(this.target?.url ?? 'serve', serveSaid),
      timeoutMs: o.timeoutMs,
      write: o.write,
      log: o.log,
      version: o.version,
    });
  }

  /** One message from the client (stdin). */
  async handle(message: JsonRpcMessage): Promise<void> {
    // The era is the message's own (as on serve's /mcp): a client may probe server/discover, then initialize.
    if (isModernRequest(message)) return this.modern.handle(message as JsonRpcMessage & { id: JsonRpcId });
    if (message.method === 'notifications/cancelled' && this.modern.owns(message.params?.requestId)) return this.modern.cancel(message.params?.requestId);
    if (message.method === 'initialize' && message.id !== undefined) {
      this.initializing = this.initialize(message);
      return this.initializing;
    }
    await this.initializing;
    if (message.method === 'notifications/initialized') {
      this.clientInitialized = true;
      if (this.leg.sessionId) {
        await this.send(message).catch(() => {});
        this.openGetStream();
      }
      return;
    }
    const request = isRequest(message);
    if (!(await this.ensureConnected())) {
      if (request) this.replyError(message.id, this.refused ?? `no running 1mcp serve found: ${this.lastProblem}. Start it with "1mcp serve" (or point the proxy at it with --url)`);
      return;
    }
    try {
      await this.send(message);
    } catch (error) {
      if (error instanceof SessionLost) {
        // serve restarted between two requests: reconnect and send it again.
        this.dropSession();
        if (await this.ensureConnected()) {
          try {
            await this.send(message);
            return;
          } catch (again) {
            error = again;
          }
        }
      }
      if (request) this.replyError(message.id, `request to 1mcp serve failed: ${(error as Error).message}`);
    }
  }

  /** Post in the session and act on the outcome. Throws SessionLost when the message never reached it. */
  private async send(message: JsonRpcMessage): Promise<void> {
    const posted: Posted = await this.leg.post(message);
    if (posted.unanswered && isRequest(message)) this.replyError(message.id, posted.unanswered);
    if (posted.lost) this.dropSession();
  }

  private async initialize(message: JsonRpcMessage): Promise<void> {
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

  /** serve's endpoint (with the view) for modern requests, or why there is none; `fresh` looks again. */
  private locateForModern(fresh: boolean): Promise<ModernTarget> {
    if (fresh) this.modernTarget = undefined;
    const located = (this.modernTarget ??= this.locate());
    // Not found is not remembered: the next request looks again (serve may have started meanwhile).
    void located.then((t) => {
      if ('problem' in t && this.modernTarget === located) this.modernTarget = undefined;
    });
    return located;
  }

  private async locate(): Promise<ModernTarget> {
    const discovery = await this.o.discover();
    if (discovery.refused) {
      this.o.log('error', discovery.refused);
      this.notice(discovery.refused);
      return { problem: discovery.refused, refused: true };
    }
    if (!discovery.found) {
      const problem = `no running 1mcp serve found (looked at ${discovery.tried.join('; ')}); start it with "1mcp serve" or pass --url`;
      this.o.log('warn', problem);
      this.notice(problem);
      return { problem, refused: false };
    }
    this.target = discovery.found;
    if (this.o.token && !discovery.found.tokenAllowed) this.o.log('warn', discovery.found.tokenWithheld ?? 'token not sent');
    const base = new URL(discovery.found.url);
    if (this.o.viewQuery) base.search = this.o.viewQuery;
    return { endpoint: base.toString(), token: discovery.found.tokenAllowed ? this.o.token : undefined };
  }

  private async ensureConnected(): Promise<boolean> {
    if (this.leg.sessionId) return true;
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
  private async connect(clientMessage: JsonRpcMessage | undefined): Promise<boolean> {
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
    const endpoint = base.toString();
    const init: JsonRpcMessage = clientMessage ?? { jsonrpc: '2.0', id: `1mcp-proxy-reinit-${Date.now()}`, method: 'initialize', params: this.initParams };
    const opened = await this.leg.open(endpoint, discovery.found.tokenAllowed ? this.o.token : undefined, init);
    if (opened.kind === 'unreachable') {
      this.lastProblem = `${endpoint} did not answer (${opened.problem})`;
      this.o.log('warn', this.lastProblem);
      this.notice(`no running 1mcp serve found: ${this.lastProblem}; start it with "1mcp serve"`);
      return false;
    }
    if (opened.kind === 'refused') {
      this.lastProblem = `${endpoint} answered ${opened.status}: ${opened.body.slice(0, 300)}`;
      this.o.log('error', this.lastProblem);
      // A real answer from serve (bad view, auth): the client should see it as is, and later requests too.
      const why = opened.status === 401 ? this.authHint(discovery.found.url, opened.serveSaid) : (opened.serveSaid ?? String(opened.status));
      this.refused = `1mcp serve refused the session: ${why}`;
      this.notice(this.refused);
      if (clientMessage) {
        this.replyError(clientMessage.id!, this.refused);
        return true;
      }
      return false;
    }
    const { sessionId, answer } = opened;
    if (!answer || answer.error || !sessionId) {
      this.lastProblem = `initialize failed: ${JSON.stringify(answer?.error ?? 'no session id')}`;
      if (clientMessage && answer) this.o.write(answer);
      return !!clientMessage && !!answer;
    }
    this.leg.join(sessionId, (answer.result as { protocolVersion?: string })?.protocolVersion);
    this.o.log('info', `connected to ${endpoint} (${discovery.found.source}), session ${sessionId}`);
    if (clientMessage) this.o.write(answer);
    else if (this.clientInitialized) {
      await this.send({ jsonrpc: '2.0', method: 'notifications/initialized' }).catch(() => {});
      this.openGetStream();
    }
    return true;
  }

  /** Keep the GET stream open while the session lives; it carries list_changed, logs and serve's requests. */
  private openGetStream(): void {
    if (this.closed || !this.leg.sessionId || this.getStream) return;
    const controller = new AbortController();
    this.getStream = controller;
    const session = this.leg.sessionId;
    void this.leg.listen(controller.signal).then((how) => {
      if (this.getStream === controller) this.getStream = undefined;
      if (this.closed || this.leg.sessionId !== session || controller.signal.aborted) return;
      if (how === 'lost') this.dropSession();
      else setTimeout(() => this.openGetStream(), 250).unref?.();
    });
  }

  /**
   * Without waiting for the client's next request, find serve again and re-open the session, so
   * server-initiated messages (list_changed, logs) keep flowing after a restart. Discovery is cheap
   * (a file and three local ports), so it retries at most a second apart.
   */
  private recover(delay = 250): void {
    if (this.closed || this.leg.sessionId || !this.clientInitialized) return;
    setTimeout(async () => {
      if (this.closed || this.leg.sessionId) return;
      if (!(await this.ensureConnected())) this.recover(Math.min(delay * 2, 1000));
    }, delay).unref?.();
  }

  /** The session is gone (serve restarted or went away): forget it and start looking for serve again. */
  private dropSession(): void {
    this.leg.forget();
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

  private replyError(id: JsonRpcId, message: string): void {
    this.o.write({ jsonrpc: '2.0', id, error: { code: ERROR_CONNECTION, message } });
  }

  /** End the session politely (bounded: the proxy must exit within 100 ms). */
  async close(): Promise<void> {
    this.closed = true;
    this.modern.close();
    this.getStream?.abort();
    await this.leg.end(50);
  }
}
