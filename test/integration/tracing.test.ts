/**
 * OpenTelemetry traces of a real serve, received by a real OTLP/HTTP endpoint (a local HTTP server in
 * this test that keeps what arrives): span structure and attributes, the caller's traceparent (from
 * _meta and from the HTTP header) as parent, the context passed on to stdio and HTTP backends, the
 * protobuf encoding checked by protoc against the official OTLP schema, and nothing at all without
 * the variables.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { exposedName } from '../../src/catalog/names.ts';
import { BUN_BIN, ROOT } from '../helpers/cli.ts';
import { connectHttp, textOf } from '../helpers/mcp-client.ts';
import { freePort } from '../helpers/ports.ts';
import { assertNoSurvivors, killTree, readLine, spawnTracked, waitFor } from '../helpers/processes.ts';
import { startServe, type ServeHandle } from '../helpers/serve.ts';

// Whatever the machine running the tests has set must not leak into the serves started here.
for (const key of Object.keys(process.env)) if (key.startsWith('OTEL_')) delete process.env[key];

const TRACE_BACKEND = join(ROOT, 'test', 'fixtures', 'trace-backend.ts');
const PROTO_DIR = join(ROOT, 'test', 'fixtures', 'otlp-proto');
const CLIENT_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CLIENT_SPAN = '00f067aa0ba902b7';

interface Received {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

interface Receiver {
  url: string;
  posts: Received[];
  close(): Promise<void>;
}

/** An OTLP/HTTP endpoint: answers every export with success and keeps it. */
async function startReceiver(): Promise<Receiver> {
  const posts: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      posts.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
      const json = String(req.headers['content-type']).includes('json');
      res.writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' });
      res.end(json ? '{}' : '');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}`, posts, close: () => new Promise<void>((r) => server.close(() => r())) };
}

interface Span {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  traceState?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: Record<string, unknown>;
  status: { code?: number; message?: string };
  resource: Record<string, unknown>;
}

function plain(attrs: { key: string; value: Record<string, unknown> }[] = []): Record<string, unknown> {
  return Object.fromEntries(attrs.map(({ key, value }) => [key, Object.values(value)[0]]));
}

/** Every span of every JSON export so far, with its resource's attributes. */
function spansOf(receiver: Receiver): Span[] {
  return receiver.posts.flatMap((p) =>
    (JSON.parse(p.body.toString()).resourceSpans as any[]).flatMap((rs) =>
      (rs.scopeSpans as any[]).flatMap((ss) => (ss.spans as any[]).map((s) => ({ ...s, attributes: plain(s.attributes), resource: plain(rs.resource.attributes) }))),
    ),
  );
}

interface Backend {
  url: string;
  stop(): Promise<void>;
}

async function startHttpTraceBackend(): Promise<Backend> {
  const child = spawnTracked(BUN_BIN, [TRACE_BACKEND, '--http'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const [, port] = await readLine(child.stdout!, /^LISTENING (\d+)$/);
  child.stdout!.resume();
  return { url: `http://127.0.0.1:${port}/mcp`, stop: async () => void killTree(child.pid!) };
}

const stdioEntry = (extra: Record<string, unknown> = {}) => ({ command: BUN_BIN, args: [TRACE_BACKEND], ...extra });
const sessionIdOf = (client: Client) => (client.transport as StreamableHTTPClientTransport).sessionId;
/** What the trace backend saw of a call: its _meta and the HTTP traceparent header. */
const seenBy = (result: unknown) => JSON.parse(textOf(result)) as { meta: Record<string, unknown> | null; traceparent: string | null };

describe('traces over OTLP/HTTP (http/json)', () => {
  let receiver: Receiver;
  let remote: Backend;
  let serve: ServeHandle;
  const clients: Client[] = [];

  beforeAll(async () => {
    receiver = await startReceiver();
    remote = await startHttpTraceBackend();
    serve = await startServe(
      { mcpServers: { ctx: stdioEntry(), web: { url: remote.url } } },
      {
        env: {
          OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
          OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
          OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=secret%20value',
          OTEL_BSP_SCHEDULE_DELAY: '50',
        },
      },
    );
  });

  afterAll(async () => {
    for (const c of clients) await c.close().catch(() => {});
    await serve?.stop();
    await remote?.stop();
    await receiver?.close();
    await assertNoSurvivors();
  });

  const waitForSpan = (match: (s: Span) => boolean, what: string) => waitFor(() => spansOf(receiver).find(match), { what, timeout: 10_000 });
  const childrenOf = (parent: Span) => spansOf(receiver).filter((s) => s.parentSpanId === parent.spanId && s.traceId === parent.traceId);

  test('a tool call is a SERVER span with a CLIENT child for the backend, whose context the stdio backend receives in _meta', async () => {
    const client = await connectHttp(serve.url);
    clients.push(client);
    const result = await client.callTool({ name: exposedName('ctx', 'context'), arguments: {} });
    const seen = seenBy(result);

    const call = await waitForSpan((s) => s.name === `tools/call ${exposedName('ctx', 'context')}`, 'the tools/call span');
    expect(call.kind).toBe(2); // SERVER
    expect(call.parentSpanId ?? '').toBe(''); // the client sent no context: a new trace
    expect(call.attributes).toMatchObject({
      'mcp.method.name': 'tools/call',
      'gen_ai.tool.name': exposedName('ctx', 'context'),
      'gen_ai.operation.name': 'execute_tool',
      'mcp.session.id': sessionIdOf(client),
      'onemcp.server.name': 'ctx',
    });
    expect(call.attributes['jsonrpc.request.id']).toBeDefined();
    expect(BigInt(call.endTimeUnixNano) >= BigInt(call.startTimeUnixNano)).toBe(true);
    expect(call.resource['service.name']).toBe('1mcp');

    const [backendSpan, ...more] = childrenOf(call);
    expect(more).toHaveLength(0);
    expect(backendSpan!.kind).toBe(3); // CLIENT
    expect(backendSpan!.name).toBe('tools/call context'); // the backend's own name for the tool
    expect(backendSpan!.attributes).toMatchObject({ 'mcp.method.name': 'tools/call', 'gen_ai.tool.name': 'context', 'onemcp.server.name': 'ctx', 'network.transport': 'pipe' });

    // The backend was handed the CLIENT span's context.
    expect(seen.meta?.traceparent).toBe(`00-${call.traceId}-${backendSpan!.spanId}-01`);

    // The export itself: the traces path, JSON, and the configured header (percent-decoded).
    const post = receiver.posts[0]!;
    expect(post.path).toBe('/v1/traces');
    expect(String(post.headers['content-type'])).toBe('application/json');
    expect(post.headers['x-api-key']).toBe('secret value');
  });

  test("a client's _meta.traceparent becomes the parent; a remote backend gets the context in _meta and as an HTTP header", async () => {
    const client = await connectHttp(serve.url);
    clients.push(client);
    const traceparent = `00-${CLIENT_TRACE}-${CLIENT_SPAN}-01`;
    const result = await client.callTool({ name: exposedName('web', 'context'), arguments: {}, _meta: { traceparent, tracestate: 'vendor=abc' } });
    const seen = seenBy(result);

    const call = await waitForSpan((s) => s.name === `tools/call ${exposedName('web', 'context')}`, 'the remote tools/call span');
    expect(call.traceId).toBe(CLIENT_TRACE);
    expect(call.parentSpanId).toBe(CLIENT_SPAN);
    expect(call.traceState).toBe('vendor=abc');
    const [backendSpan] = childrenOf(call);
    expect(backendSpan!.attributes).toMatchObject({ 'onemcp.server.name': 'web', 'network.transport': 'tcp', 'server.address': '127.0.0.1', 'server.port': String(new URL(remote.url).port) });

    const expected = `00-${CLIENT_TRACE}-${backendSpan!.spanId}-01`;
    expect(seen.meta?.traceparent).toBe(expected);
    expect(seen.meta?.tracestate).toBe('vendor=abc');
    expect(seen.traceparent).toBe(expected);
  });

  test("a caller that does not sample (flags 00): nothing is exported for its trace, and the backend still gets the context, unsampled", async () => {
    const client = await connectHttp(serve.url);
    clients.push(client);
    const quietTrace = 'c'.repeat(31) + '2';
    const seen = seenBy(await client.callTool({ name: exposedName('ctx', 'context'), arguments: {}, _meta: { traceparent: `00-${quietTrace}-${CLIENT_SPAN}-00` } }));
    expect(String(seen.meta?.traceparent)).toMatch(new RegExp(`^00-${quietTrace}-[0-9a-f]{16}-00$`));
    // A sampled call made afterwards is exported; spans leave in order, so the unsampled one would be there by now.
    const marker = seenBy(await client.callTool({ name: exposedName('ctx', 'context'), arguments: {} }));
    const markerTrace = String(marker.meta?.traceparent).split('-')[1];
    await waitForSpan((s) => s.traceId === markerTrace && s.kind === 2, 'the sampled call after the unsampled one');
    expect(spansOf(receiver).filter((s) => s.traceId === quietTrace)).toHaveLength(0);
  });

  test('without _meta the HTTP traceparent header of the client request is the parent', async () => {
    const headerTrace = 'a'.repeat(31) + '1';
    const client = await connectHttp(serve.url, { headers: { traceparent: `00-${headerTrace}-${'b'.repeat(16)}-01` } });
    clients.push(client);
    await client.listTools();
    const list = await waitForSpan((s) => s.name === 'tools/list' && s.traceId === headerTrace, 'the tools/list span under the header trace');
    expect(list.parentSpanId).toBe('b'.repeat(16));
    expect(list.kind).toBe(2);
    expect(childrenOf(list)).toHaveLength(0); // lists are answered from the cache, no backend request
  });

  test('prompts/get and resources/read get spans with a backend child; errors are marked', async () => {
    const client = await connectHttp(serve.url);
    clients.push(client);
    await client.getPrompt({ name: exposedName('ctx', 'hello') });
    const uri = (await client.listResources()).resources.find((r) => r.uri.includes('static'))!.uri;
    await client.readResource({ uri });
    const broken = await client.callTool({ name: exposedName('ctx', 'broken'), arguments: {} });
    expect(broken.isError).toBe(true);
    await expect(client.callTool({ name: 'no_such_tool', arguments: {} })).rejects.toThrow();

    const prompt = await waitForSpan((s) => s.name === `prompts/get ${exposedName('ctx', 'hello')}`, 'the prompts/get span');
    expect(prompt.attributes['gen_ai.prompt.name']).toBe(exposedName('ctx', 'hello'));
    expect(childrenOf(prompt).map((s) => s.name)).toEqual(['prompts/get hello']);

    const read = await waitForSpan((s) => s.name === 'resources/read' && s.kind === 2 && s.attributes['mcp.session.id'] === sessionIdOf(client), 'the resources/read span');
    expect(read.attributes['mcp.resource.uri']).toBe(uri);
    expect(childrenOf(read)).toHaveLength(1);

    const toolError = await waitForSpan((s) => s.name === `tools/call ${exposedName('ctx', 'broken')}`, 'the failing tool span');
    expect(toolError.status.code).toBe(2); // ERROR
    expect(toolError.attributes['error.type']).toBe('tool_error');
    expect(childrenOf(toolError)[0]!.attributes['error.type']).toBe('tool_error');

    const unknown = await waitForSpan((s) => s.name === 'tools/call no_such_tool', 'the unknown tool span');
    expect(unknown.status.code).toBe(2);
    expect(typeof unknown.attributes['rpc.response.status_code']).toBe('string');
    expect(unknown.attributes['error.type']).toBe(unknown.attributes['rpc.response.status_code']);
    expect(childrenOf(unknown)).toHaveLength(0);
  });
});

/** Bytes from protoc's text format (C escapes: \\n \\r \\t \\" \\' \\\\ and three-digit octal). */
function unescapeC(text: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] !== '\\') {
      bytes.push(text.charCodeAt(i));
      continue;
    }
    const next = text[++i]!;
    if (/[0-7]/.test(next)) {
      bytes.push(parseInt(text.slice(i, i + 3), 8));
      i += 2;
    } else bytes.push(({ n: 10, r: 13, t: 9 } as Record<string, number>)[next] ?? next.charCodeAt(0));
  }
  return Buffer.from(bytes);
}

const protoc = spawnSync('protoc', ['--version']).status === 0;

describe('traces in http/protobuf, the OTLP default', () => {
  let receiver: Receiver;
  let serve: ServeHandle;

  beforeAll(async () => {
    receiver = await startReceiver();
    serve = await startServe({ mcpServers: { ctx: stdioEntry() } }, { env: { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.url}/custom/path`, OTEL_SERVICE_NAME: 'gateway-under-test', OTEL_BSP_SCHEDULE_DELAY: '50' } });
  });

  afterAll(async () => {
    await serve?.stop();
    await receiver?.close();
    await assertNoSurvivors();
  });

  test.skipIf(!protoc)('what arrives decodes with protoc against the official OTLP schema (skipped without protoc: apt-get install protobuf-compiler)', async () => {
    const client = await connectHttp(serve.url);
    const seen = seenBy(await client.callTool({ name: exposedName('ctx', 'context'), arguments: {} }));
    await client.close();
    const traceId = String(seen.meta?.traceparent).split('-')[1]!;
    const decoded = await waitFor(
      () => {
        const texts = receiver.posts.map((p) => {
          const out = spawnSync('protoc', ['--decode=opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest', '-I', PROTO_DIR, 'opentelemetry/proto/collector/trace/v1/trace_service.proto'], { input: p.body, cwd: PROTO_DIR });
          if (out.status !== 0) throw new Error(`protoc could not decode an export: ${out.stderr}`);
          return out.stdout.toString();
        });
        const all = texts.join('\n');
        return all.includes('name: "tools/call context"') ? all : undefined;
      },
      { what: 'the backend span in a protobuf export' },
    );
    expect(receiver.posts.every((p) => p.path === '/custom/path' && p.headers['content-type'] === 'application/x-protobuf')).toBe(true);
    expect(decoded).toContain(`name: "tools/call ${exposedName('ctx', 'context')}"`);
    expect(decoded).toContain('kind: SPAN_KIND_SERVER');
    expect(decoded).toContain('kind: SPAN_KIND_CLIENT');
    expect(decoded).toContain('key: "service.name"\n      value {\n        string_value: "gateway-under-test"');
    expect(decoded).toContain('key: "mcp.method.name"');
    // protoc prints bytes with C escapes; the trace id the backend saw is the one exported.
    const ids = [...decoded.matchAll(/trace_id: "((?:[^"\\]|\\.)*)"/g)].map((m) => unescapeC(m[1]!).toString('hex'));
    expect(ids).toContain(traceId);
  });
});

describe('traces off', () => {
  test('without OTEL_EXPORTER_OTLP_ENDPOINT nothing is sent, nothing is added to _meta, and a client traceparent passes through as it was', async () => {
    const receiver = await startReceiver();
    const serve = await startServe({ mcpServers: { ctx: stdioEntry() } }, { env: { OTEL_BSP_SCHEDULE_DELAY: '10', OTEL_TRACES_SAMPLER: 'always_on' } });
    try {
      const client = await connectHttp(serve.url, { headers: { traceparent: `00-${CLIENT_TRACE}-${CLIENT_SPAN}-01` } });
      const plainCall = seenBy(await client.callTool({ name: exposedName('ctx', 'context'), arguments: {} }));
      expect(plainCall.meta?.traceparent).toBeUndefined();
      const traceparent = `00-${CLIENT_TRACE}-${CLIENT_SPAN}-01`;
      const passed = seenBy(await client.callTool({ name: exposedName('ctx', 'context'), arguments: {}, _meta: { traceparent } }));
      expect(passed.meta?.traceparent).toBe(traceparent);
      await client.close();
    } finally {
      await serve.stop();
    }
    expect(serve.stderr()).not.toContain('traces');
    expect(receiver.posts).toHaveLength(0);
    await receiver.close();
  });

  test('an unreachable collector never fails a request; serve warns once and still stops promptly', async () => {
    const port = await freePort();
    const serve = await startServe({ mcpServers: { ctx: stdioEntry() } }, { env: { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`, OTEL_BSP_SCHEDULE_DELAY: '10' } });
    try {
      const client = await connectHttp(serve.url);
      for (let i = 0; i < 5; i++) {
        const seen = seenBy(await client.callTool({ name: exposedName('ctx', 'context'), arguments: {} }));
        expect(String(seen.meta?.traceparent)).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
        await new Promise((r) => setTimeout(r, 30)); // let a batch go out (and fail) between calls
      }
      await client.close();
      await waitFor(() => serve.stderr().includes('could not send'), { what: 'the export warning' });
    } finally {
      await serve.stop();
    }
    expect(serve.stderr().match(/could not send/g)?.length).toBe(1);
  });

  test('a gRPC protocol setting is refused with one clear line; serve runs without traces', async () => {
    const receiver = await startReceiver();
    const serve = await startServe({ mcpServers: { ctx: stdioEntry() } }, { env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_BSP_SCHEDULE_DELAY: '10' } });
    try {
      const client = await connectHttp(serve.url);
      const seen = seenBy(await client.callTool({ name: exposedName('ctx', 'context'), arguments: {} }));
      expect(seen.meta?.traceparent).toBeUndefined();
      await client.close();
    } finally {
      await serve.stop();
    }
    expect(serve.stderr()).toContain('traces are off: OTEL_EXPORTER_OTLP_PROTOCOL=grpc is not supported; use http/protobuf or http/json');
    expect(receiver.posts).toHaveLength(0);
    await receiver.close();
  });
});
