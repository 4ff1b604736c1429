/**
 * Spans for serve: one SERVER span per client request, one CLIENT span (its child) per request sent on
 * to a backend, named and described after OpenTelemetry's MCP semantic conventions. The caller's trace
 * context comes from `params._meta.traceparent` (SEP-414) or else the HTTP `traceparent` header; each
 * backend request carries its own span's context on (docs/protocol.md).
 */
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { formatTraceparent, newSpanId, newTraceId, parseTraceparent, type SpanContext } from './trace-context.ts';
import type { Sampler } from './sampler.ts';
import { nowNs, SpanKind, StatusCode, type Attributes, type SpanData } from './span.ts';

type Params = Record<string, unknown> | undefined;
type Meta = Record<string, unknown> | undefined;

/** What a span needs from a backend. */
export interface TracedBackend {
  readonly name: string;
  readonly config: { type: string; url?: string };
}

/** A span being timed. Not recorded when the sampler said no; its context is still passed on. */
export class LiveSpan {
  private readonly startNs = nowNs();
  private ended = false;

  constructor(
    readonly context: SpanContext,
    private readonly parentSpanId: string | undefined,
    private readonly traceState: string | undefined,
    private readonly name: string,
    private readonly kind: number,
    readonly attributes: Attributes,
    private readonly sink: ((span: SpanData) => void) | undefined,
  ) {}

  /** What goes into the `_meta` of a request this span makes (W3C keys, as SEP-414 names them). */
  get meta(): Record<string, string> {
    const traceparent = formatTraceparent(this.context);
    return this.traceState ? { traceparent, tracestate: this.traceState } : { traceparent };
  }

  /** The request answered: a tool result with isError counts as an error (semantic conventions: tool_error). */
  end(result?: unknown): void {
    if ((result as { isError?: unknown } | undefined)?.isError === true) this.finish(StatusCode.ERROR, 'tool_error', 'the tool reported an error (isError)');
    else this.finish(StatusCode.UNSET);
  }

  /** The request failed: JSON-RPC errors are described by their code. */
  fail(error: unknown): void {
    const code = (error as { code?: unknown })?.code;
    if (typeof code === 'number') this.attributes['rpc.response.status_code'] = String(code);
    const type = typeof code === 'number' ? String(code) : (error as Error)?.name || '_OTHER';
    this.finish(StatusCode.ERROR, type, (error as Error)?.message ?? String(error));
  }

  private finish(code: number, errorType?: string, message?: string): void {
    if (this.ended) return;
    this.ended = true;
    if (!this.sink) return;
    if (errorType) this.attributes['error.type'] = errorType;
    this.sink({
      context: this.context,
      parentSpanId: this.parentSpanId,
      traceState: this.traceState,
      name: this.name,
      kind: this.kind,
      startNs: this.startNs,
      endNs: nowNs(),
      attributes: this.attributes,
      status: message ? { code, message } : { code },
    });
  }
}

/** Span name `{method} {target}`: the tool or prompt name; never a resource URI (too many distinct values). */
function spanName(method: string, params: Params): string {
  const target = method === 'tools/call' || method === 'prompts/get' ? params?.name : undefined;
  return typeof target === 'string' ? `${method} ${target}` : method;
}

/** The attributes every MCP span gets from its method and params. */
function methodAttributes(method: string, params: Params): Attributes {
  const a: Attributes = { 'mcp.method.name': method };
  if (method === 'tools/call' && typeof params?.name === 'string') {
    a['gen_ai.tool.name'] = params.name;
    a['gen_ai.operation.name'] = 'execute_tool';
  }
  if (method === 'prompts/get' && typeof params?.name === 'string') a['gen_ai.prompt.name'] = params.name;
  if (typeof params?.uri === 'string') a['mcp.resource.uri'] = params.uri;
  return a;
}

/** The first value of a header as the SDK hands them over (lowercase names). */
function header(headers: unknown, name: string): string | undefined {
  const v = (headers as Record<string, string | string[] | undefined> | undefined)?.[name];
  return Array.isArray(v) ? v[0] : v;
}

export class Tracer {
  /** Each client request's span, by the SDK's per-request `extra` object, for the backend spans under it. */
  private readonly requests = new WeakMap<object, LiveSpan>();

  constructor(
    private readonly sampler: Sampler,
    private readonly sink: (span: SpanData) => void,
  ) {}

  private start(name: string, kind: number, parent: SpanContext | undefined, traceState: string | undefined, attributes: Attributes): LiveSpan {
    const traceId = parent?.traceId ?? newTraceId();
    const sampled = this.sampler(traceId, parent);
    return new LiveSpan({ traceId, spanId: newSpanId(), sampled }, parent?.spanId, traceState, name, kind, attributes, sampled ? this.sink : undefined);
  }

  /** Every request handler registered on this session's Server from now on runs inside a SERVER span. */
  instrument(server: Server, session: { readonly id: string }): void {
    const register = server.setRequestHandler.bind(server) as (schema: unknown, handler: (req: any, extra: any) => unknown) => void;
    (server as { setRequestHandler: unknown }).setRequestHandler = (schema: unknown, handler: (req: any, extra: any) => unknown) =>
      register(schema, (req, extra) => this.serve(req, extra, session, handler));
  }

  private async serve(req: { method: string; params?: Params }, extra: any, session: { readonly id: string }, handler: (req: any, extra: any) => unknown): Promise<unknown> {
    const meta = req.params?._meta as Meta;
    // The message's own context first (it survives any transport), then the HTTP header.
    let parent = parseTraceparent(meta?.traceparent);
    let traceState = parent && typeof meta?.tracestate === 'string' ? meta.tracestate : undefined;
    if (!parent) {
      const headers = extra?.requestInfo?.headers;
      parent = parseTraceparent(header(headers, 'traceparent'));
      traceState = parent ? header(headers, 'tracestate') : undefined;
    }
    const attributes = methodAttributes(req.method, req.params);
    if (session.id) attributes['mcp.session.id'] = session.id;
    if (extra?.requestId !== undefined) attributes['jsonrpc.request.id'] = String(extra.requestId);
    attributes['network.protocol.name'] = 'http';
    const span = this.start(spanName(req.method, req.params), SpanKind.SERVER, parent, traceState, attributes);
    if (extra && typeof extra === 'object') this.requests.set(extra, span);
    try {
      const result = await handler(req, extra);
      span.end(result);
      return result;
    } catch (error) {
      span.fail(error);
      throw error;
    }
  }

  /**
   * A CLIENT span for a request sent to `backend` while serving the client request of `extra`, as its
   * child; its `meta` goes into the forwarded request's `_meta`. `params` are the ones the backend sees
   * (original names).
   */
  backendCall(extra: object, backend: TracedBackend, method: string, params: Params): LiveSpan {
    const parent = this.requests.get(extra);
    if (parent) parent.attributes['onemcp.server.name'] ??= backend.name;
    const attributes = methodAttributes(method, params);
    attributes['onemcp.server.name'] = backend.name;
    if (backend.config.type === 'stdio') attributes['network.transport'] = 'pipe';
    else if (backend.config.url) {
      attributes['network.transport'] = 'tcp';
      attributes['network.protocol.name'] = 'http';
      try {
        const u = new URL(backend.config.url);
        attributes['server.address'] = u.hostname;
        attributes['server.port'] = Number(u.port || (u.protocol === 'https:' ? 443 : 80));
      } catch {}
    }
    const parentState = parent?.meta.tracestate;
    return this.start(spanName(method, params), SpanKind.CLIENT, parent?.context, parentState, attributes);
  }
}
