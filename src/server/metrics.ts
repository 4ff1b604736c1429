/**
 * What `GET /metrics` shows (Prometheus text format 0.0.4; docs/protocol.md). Counters and histograms
 * are updated on the hot path by index into arrays made once per series: no string is built and
 * nothing is allocated once a series exists. The text is rendered only when scraped. What describes
 * the present (open sessions, backend states, catalog sizes) is read from serve at scrape time.
 *
 * Label values come from bounded sets only: known MCP methods (else "other"), servers and tools of the
 * catalog, a capped number of tool series, and `?app=` values cut short by sessions/labels.ts.
 */

/** How a request or a call ended; the index is used on the hot path, the name in the output. */
export const OUTCOMES = ['ok', 'tool-error', 'rpc-error', 'cancelled', 'timeout'] as const;
export type Outcome = (typeof OUTCOMES)[number];
export const OK = 0;
export const TOOL_ERROR = 1;
export const RPC_ERROR = 2;
export const CANCELLED = 3;
export const TIMEOUT = 4;

/** Upper bounds in seconds: gateway overhead is sub-millisecond, a tool call may take a minute. */
export const BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** Client → server methods counted by name; anything else is counted as "other". */
const KNOWN_METHODS = new Set([
  'initialize',
  'ping',
  'tools/list',
  'tools/call',
  'prompts/list',
  'prompts/get',
  'resources/list',
  'resources/templates/list',
  'resources/read',
  'resources/subscribe',
  'resources/unsubscribe',
  'completion/complete',
  'logging/setLevel',
  'tasks/get',
  'tasks/result',
  'tasks/list',
  'tasks/cancel',
]);

/** Tool series kept at most; a server that keeps inventing tool names cannot grow /metrics without end. */
const MAX_TOOL_SERIES = 5000;
const OTHER = 'other';

export class Histogram {
  /** Per bucket (not cumulative); the last slot is beyond the largest bound. */
  readonly counts = new Float64Array(BUCKETS.length + 1);
  sum = 0;
  count = 0;

  observe(seconds: number): void {
    let i = 0;
    while (i < BUCKETS.length && seconds > BUCKETS[i]!) i++;
    this.counts[i]!++;
    this.sum += seconds;
    this.count++;
  }
}

/** One client method: requests by outcome, time in serve, and the part of it that was not backend time. */
export class MethodSeries {
  readonly outcomes = new Float64Array(OUTCOMES.length);
  readonly duration = new Histogram();
  readonly overhead = new Histogram();
  constructor(readonly method: string) {}
}

export class ToolSeries {
  readonly outcomes = new Float64Array(OUTCOMES.length);
  seconds = 0;
}

/** What /metrics reads of serve when scraped (server/serve.ts provides it). */
export interface MetricsSource {
  version: string;
  startedAt: number;
  backends(): ReadonlyArray<{
    name: string;
    state: string;
    stderr: { total: number };
    lists: { tools: unknown[]; resources: unknown[]; resourceTemplates: unknown[]; prompts: unknown[] };
  }>;
  /** Open sessions, with the labels given at creation (sessions/labels.ts); other listeners have none and are not counted. */
  sessions(): Iterable<{ labels?: { transport: string; era: string; app?: string } }>;
}

const BACKEND_STATES = ['starting', 'connected', 'restarting', 'crash-loop', 'disabled', 'error', 'stopped', 'awaiting-auth'];

export class Metrics {
  private readonly methods = new Map<string, MethodSeries>();
  private readonly tools = new Map<string, Map<string, ToolSeries>>();
  private toolSeriesCount = 0;
  private readonly backendTime = new Map<string, Map<string, Histogram>>();
  private readonly restarts = new Map<string, number>();
  private readonly lastState = new Map<string, string>();
  searchQueries = 0;
  auditWriteErrors = 0;

  /** The series of a client method (made on first use; unknown methods share "other"). */
  method(name: string): MethodSeries {
    const key = KNOWN_METHODS.has(name) ? name : OTHER;
    let series = this.methods.get(key);
    if (!series) this.methods.set(key, (series = new MethodSeries(key)));
    return series;
  }

  /** The series of one tool of one server. */
  tool(server: string, tool: string): ToolSeries {
    let byTool = this.tools.get(server);
    if (!byTool) this.tools.set(server, (byTool = new Map()));
    let series = byTool.get(tool);
    if (!series) {
      if (this.toolSeriesCount >= MAX_TOOL_SERIES) tool = OTHER;
      series = byTool.get(tool);
      if (!series) {
        byTool.set(tool, (series = new ToolSeries()));
        this.toolSeriesCount++;
      }
    }
    return series;
  }

  /** Time a backend took to answer one request of `method` (forwarded methods only: a small set). */
  backend(server: string, method: string): Histogram {
    let byMethod = this.backendTime.get(server);
    if (!byMethod) this.backendTime.set(server, (byMethod = new Map()));
    let h = byMethod.get(method);
    if (!h) byMethod.set(method, (h = new Histogram()));
    return h;
  }

  /** A backend changed state: entering "restarting" from another state is one restart. */
  backendState(server: string, state: string): void {
    const before = this.lastState.get(server);
    if (before === state) return;
    this.lastState.set(server, state);
    if (state === 'restarting') this.restarts.set(server, (this.restarts.get(server) ?? 0) + 1);
  }

  render(source: MetricsSource): string {
    const out: string[] = [];
    const family = (name: string, type: 'counter' | 'gauge' | 'histogram', help: string) => out.push(`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} ${type}`);
    const sample = (name: string, labels: [string, string][], value: number) => out.push(`${name}${labelText(labels)} ${formatValue(value)}`);

    family('onemcp_info', 'gauge', 'Version of this 1mcp serve (always 1).');
    sample('onemcp_info', [['version', source.version]], 1);
    family('process_start_time_seconds', 'gauge', 'Start time of the process since the Unix epoch in seconds.');
    sample('process_start_time_seconds', [], Math.floor(source.startedAt / 1000));
    family('process_resident_memory_bytes', 'gauge', 'Resident memory size in bytes.');
    sample('process_resident_memory_bytes', [], process.memoryUsage().rss);

    const methods = [...this.methods.values()];
    family('onemcp_requests_total', 'counter', 'Client JSON-RPC requests answered (or cancelled), by method and outcome.');
    for (const m of methods) OUTCOMES.forEach((o, i) => m.outcomes[i] && sample('onemcp_requests_total', [['method', m.method], ['outcome', o]], m.outcomes[i]!));
    family('onemcp_request_duration_seconds', 'histogram', 'Time from a client request reaching serve to its answer, backend time included.');
    for (const m of methods) histogram(out, 'onemcp_request_duration_seconds', [['method', m.method]], m.duration);
    family('onemcp_gateway_overhead_seconds', 'histogram', 'Time serve itself added to requests forwarded to a backend (request duration minus backend time).');
    for (const m of methods) if (m.overhead.count) histogram(out, 'onemcp_gateway_overhead_seconds', [['method', m.method]], m.overhead);
    family('onemcp_backend_request_duration_seconds', 'histogram', 'Time a backend took to answer a forwarded request.');
    for (const [server, byMethod] of this.backendTime) for (const [method, h] of byMethod) histogram(out, 'onemcp_backend_request_duration_seconds', [['server', server], ['method', method]], h);

    family('onemcp_tool_calls_total', 'counter', 'tools/call requests forwarded to a backend, by server, tool (its name at the server) and outcome.');
    for (const [server, byTool] of this.tools) {
      for (const [tool, s] of byTool) OUTCOMES.forEach((o, i) => s.outcomes[i] && sample('onemcp_tool_calls_total', [['server', server], ['tool', tool], ['outcome', o]], s.outcomes[i]!));
    }
    family('onemcp_tool_call_duration_seconds_total', 'counter', 'Total backend time spent in tools/call, by server and tool.');
    for (const [server, byTool] of this.tools) for (const [tool, s] of byTool) sample('onemcp_tool_call_duration_seconds_total', [['server', server], ['tool', tool]], s.seconds);

    const sessions = new Map<string, { labels: [string, string][]; n: number }>();
    for (const { labels } of source.sessions()) {
      if (!labels) continue;
      const key = `${labels.transport}\0${labels.era}\0${labels.app ?? ''}`;
      const entry = sessions.get(key);
      if (entry) entry.n++;
      else sessions.set(key, { labels: [['transport', labels.transport], ['era', labels.era], ['app', labels.app ?? '']], n: 1 });
    }
    family('onemcp_sessions_open', 'gauge', 'Open client sessions by transport, protocol era and ?app= label.');
    for (const { labels, n } of sessions.values()) sample('onemcp_sessions_open', labels, n);

    const backends = source.backends();
    family('onemcp_backend_state', 'gauge', 'State of each configured server: 1 for its current state, 0 for the others.');
    for (const b of backends) for (const s of BACKEND_STATES) sample('onemcp_backend_state', [['server', b.name], ['state', s]], b.state === s ? 1 : 0);
    family('onemcp_backend_restarts_total', 'counter', 'Automatic restarts of each server after it failed.');
    for (const b of backends) sample('onemcp_backend_restarts_total', [['server', b.name]], this.restarts.get(b.name) ?? 0);
    family('onemcp_backend_stderr_lines_total', 'counter', 'Lines each server wrote to stderr.');
    for (const b of backends) sample('onemcp_backend_stderr_lines_total', [['server', b.name]], b.stderr.total);
    family('onemcp_catalog_items', 'gauge', 'Tools, resources, resource templates and prompts each server offers.');
    for (const b of backends) {
      sample('onemcp_catalog_items', [['server', b.name], ['kind', 'tools']], b.lists.tools.length);
      sample('onemcp_catalog_items', [['server', b.name], ['kind', 'resources']], b.lists.resources.length);
      sample('onemcp_catalog_items', [['server', b.name], ['kind', 'resource_templates']], b.lists.resourceTemplates.length);
      sample('onemcp_catalog_items', [['server', b.name], ['kind', 'prompts']], b.lists.prompts.length);
    }
    family('onemcp_search_queries_total', 'counter', 'Searches made through the search-mode meta-tool.');
    sample('onemcp_search_queries_total', [], this.searchQueries);
    family('onemcp_audit_write_errors_total', 'counter', 'Audit log lines that could not be written.');
    sample('onemcp_audit_write_errors_total', [], this.auditWriteErrors);
    return `${out.join('\n')}\n`;
  }
}

function histogram(out: string[], name: string, labels: [string, string][], h: Histogram): void {
  let cumulative = 0;
  for (let i = 0; i < BUCKETS.length; i++) {
    cumulative += h.counts[i]!;
    out.push(`${name}_bucket${labelText([...labels, ['le', String(BUCKETS[i])]])} ${formatValue(cumulative)}`);
  }
  out.push(`${name}_bucket${labelText([...labels, ['le', '+Inf']])} ${formatValue(h.count)}`);
  out.push(`${name}_sum${labelText(labels)} ${formatValue(h.sum)}`);
  out.push(`${name}_count${labelText(labels)} ${formatValue(h.count)}`);
}

/** A label value in the text format: backslash, double quote and line feed are escaped. */
export function escapeLabelValue(value: string): string {
  return value.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
}

/** HELP text: backslash and line feed are escaped. */
function escapeHelp(text: string): string {
  return text.replace(/[\\\n]/g, (c) => (c === '\n' ? '\\n' : '\\\\'));
}

function labelText(labels: [string, string][]): string {
  if (labels.length === 0) return '';
  return `{${labels.map(([k, v]) => `${k}="${escapeLabelValue(v)}"`).join(',')}}`;
}

export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

/** The metrics of this process: one serve per process. */
export const metrics = new Metrics();

/** One search made through search mode's meta-tool (called by the search-mode handlers). */
export function countSearchQuery(): void {
  metrics.searchQueries++;
}
