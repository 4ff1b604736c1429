/**
 * Tracing's pure parts (trace context, samplers, OTEL_* settings), its export queue against a collector
 * that never answers, and that serve loads none of it unless an endpoint is configured.
 */
import { describe, expect, test } from 'bun:test';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Logger } from '../../src/log.ts';
import { readTracingConfig, type TracingConfig } from '../../src/server/tracing/config.ts';
import { BatchExporter } from '../../src/server/tracing/exporter.ts';
import { samplerFrom } from '../../src/server/tracing/sampler.ts';
import type { SpanData } from '../../src/server/tracing/span.ts';
import { formatTraceparent, newSpanId, newTraceId, parseTraceparent } from '../../src/server/tracing/trace-context.ts';
import { tracingRequested } from '../../src/server/tracing/wanted.ts';

const ROOT = join(import.meta.dir, '..', '..');
const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';

describe('traceparent', () => {
  test('a valid value is read; flags give the sampled bit; format gives it back', () => {
    expect(parseTraceparent(`00-${TRACE}-${SPAN}-01`)).toEqual({ traceId: TRACE, spanId: SPAN, sampled: true });
    expect(parseTraceparent(`00-${TRACE}-${SPAN}-00`)?.sampled).toBe(false);
    expect(formatTraceparent({ traceId: TRACE, spanId: SPAN, sampled: true })).toBe(`00-${TRACE}-${SPAN}-01`);
    // A later version may add fields; its first four are still understood.
    expect(parseTraceparent(`01-${TRACE}-${SPAN}-01-extra`)?.traceId).toBe(TRACE);
  });

  test('malformed values are ignored (W3C: start a new trace)', () => {
    for (const bad of [
      undefined,
      42,
      '',
      `00-${TRACE.toUpperCase()}-${SPAN}-01`,
      `00-${'0'.repeat(32)}-${SPAN}-01`,
      `00-${TRACE}-${'0'.repeat(16)}-01`,
      `ff-${TRACE}-${SPAN}-01`,
      `00-${TRACE}-${SPAN}-01-extra`,
      `00-${TRACE.slice(1)}-${SPAN}-01`,
    ]) {
      expect(parseTraceparent(bad)).toBeUndefined();
    }
  });

  test('new ids are lowercase hex of the right length and differ', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => newSpanId()));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{16}$/);
    expect(newTraceId()).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe('samplers (OTEL_TRACES_SAMPLER)', () => {
  const sampled = { traceId: TRACE, spanId: SPAN, sampled: true };
  const dropped = { ...sampled, sampled: false };
  const noWarning = (m: string) => {
    throw new Error(`unexpected warning: ${m}`);
  };

  test('the default follows the caller and records new traces', () => {
    const s = samplerFrom(undefined, undefined, noWarning);
    expect(s(TRACE, undefined)).toBe(true);
    expect(s(TRACE, sampled)).toBe(true);
    expect(s(TRACE, dropped)).toBe(false);
  });

  test('always_on / always_off ignore the caller; parentbased_always_off records only what the caller records', () => {
    expect(samplerFrom('always_on', undefined, noWarning)(TRACE, dropped)).toBe(true);
    expect(samplerFrom('always_off', undefined, noWarning)(TRACE, sampled)).toBe(false);
    const pOff = samplerFrom('parentbased_always_off', undefined, noWarning);
    expect(pOff(TRACE, undefined)).toBe(false);
    expect(pOff(TRACE, sampled)).toBe(true);
  });

  test('traceidratio keeps about that share of trace ids, the same decision for the same id', () => {
    const half = samplerFrom('traceidratio', '0.5', noWarning);
    const ids = Array.from({ length: 4000 }, () => newTraceId());
    const kept = ids.filter((id) => half(id, undefined)).length;
    expect(kept).toBeGreaterThan(1600);
    expect(kept).toBeLessThan(2400);
    for (const id of ids.slice(0, 50)) expect(half(id, undefined)).toBe(half(id, undefined));
    expect(samplerFrom('traceidratio', '0', noWarning)(TRACE, undefined)).toBe(false);
  });

  test('an unknown sampler or a bad ratio is warned about and replaced by a working default', () => {
    const warnings: string[] = [];
    expect(samplerFrom('jaeger_remote', undefined, (m) => warnings.push(m))(TRACE, undefined)).toBe(true);
    expect(samplerFrom('traceidratio', 'half', (m) => warnings.push(m))(TRACE, undefined)).toBe(true);
    expect(warnings).toEqual([
      'OTEL_TRACES_SAMPLER=jaeger_remote is not supported (use one of always_on, always_off, traceidratio, parentbased_always_on, parentbased_always_off, parentbased_traceidratio); using parentbased_always_on',
      'OTEL_TRACES_SAMPLER_ARG=half is not a ratio between 0 and 1; sampling every trace',
    ]);
  });
});

describe('OTEL_* settings', () => {
  const read = (env: Record<string, string>) => {
    const warnings: string[] = [];
    const config = readTracingConfig(env, '9.9.9', (m) => warnings.push(m));
    return { config, warnings };
  };

  test('traces are wanted only with an endpoint, and not when the SDK or the exporter is switched off', () => {
    expect(tracingRequested({})).toBe(false);
    expect(tracingRequested({ OTEL_SERVICE_NAME: 'x' })).toBe(false);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' })).toBe(true);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:4318/v1/traces' })).toBe(true);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_SDK_DISABLED: 'true' })).toBe(false);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_TRACES_EXPORTER: 'none' })).toBe(false);
  });

  test('defaults: /v1/traces under the endpoint, http/protobuf, service 1mcp, the batch limits of the OTel spec', () => {
    const { config, warnings } = read({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' });
    expect(warnings).toEqual([]);
    const c = config as TracingConfig;
    expect(c.url).toBe('http://collector:4318/v1/traces');
    expect(c.protocol).toBe('http/protobuf');
    expect(c.gzip).toBe(false);
    expect(c.resource).toMatchObject({ 'service.name': '1mcp', 'service.version': '9.9.9' });
    expect([c.maxQueueSize, c.maxExportBatchSize, c.scheduleDelayMs, c.exportTimeoutMs]).toEqual([2048, 512, 5000, 10_000]);
  });

  test('the traces endpoint is used as given; headers and resource attributes are percent-decoded; OTEL_SERVICE_NAME wins', () => {
    const { config } = read({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://ignored:4318',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://traces.example/custom',
      OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20abc, x-tenant=t1',
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'x-tenant=t2',
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=prod,service.name=from-attrs',
      OTEL_SERVICE_NAME: 'gateway',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip',
    });
    const c = config as TracingConfig;
    expect(c.url).toBe('https://traces.example/custom');
    expect(c.headers).toEqual({ authorization: 'Bearer abc', 'x-tenant': 't2' });
    expect(c.resource).toMatchObject({ 'service.name': 'gateway', 'deployment.environment': 'prod' });
    expect(c.protocol).toBe('http/json');
    expect(c.gzip).toBe(true);
    expect((read({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c', OTEL_RESOURCE_ATTRIBUTES: 'service.name=from-attrs' }).config as TracingConfig).resource['service.name']).toBe('from-attrs');
  });

  test('settings that cannot work turn traces off with a reason; odd values fall back with a warning', () => {
    expect(read({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' }).config).toBe('OTEL_EXPORTER_OTLP_ENDPOINT=collector:4318 is not an http:// or https:// URL (e.g. http://127.0.0.1:4318)');
    expect(read({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4317', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }).config).toMatch(/^OTEL_EXPORTER_OTLP_PROTOCOL=grpc is not supported/);
    const { config, warnings } = read({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/thrift', OTEL_BSP_SCHEDULE_DELAY: 'soon', OTEL_EXPORTER_OTLP_HEADERS: 'novalue' });
    expect((config as TracingConfig).protocol).toBe('http/protobuf');
    expect((config as TracingConfig).scheduleDelayMs).toBe(5000);
    expect(warnings).toEqual([
      'OTEL_EXPORTER_OTLP_PROTOCOL=http/thrift is not known (http/protobuf or http/json); using http/protobuf',
      'OTEL_EXPORTER_OTLP_HEADERS: "novalue" is not key=value; ignored',
      'OTEL_BSP_SCHEDULE_DELAY=soon is not a positive whole number; using 5000',
    ]);
  });
});

describe('export queue', () => {
  test('a collector that never answers: the queue stays bounded, one warning, and shutdown returns within its bound', async () => {
    let received = 0;
    const hanging = createServer(() => void received++); // reads nothing, answers nothing
    await new Promise<void>((r) => hanging.listen(0, '127.0.0.1', r));
    const port = (hanging.address() as { port: number }).port;
    const lines: string[] = [];
    const log = { warn: (m: string) => lines.push(m), info: () => {}, debug: () => {}, error: (m: string) => lines.push(m) } as unknown as Logger;
    const config = readTracingConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_BSP_MAX_QUEUE_SIZE: '4', OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '2' }, '0', () => {}) as TracingConfig;
    const exporter = new BatchExporter(config, { name: '1mcp', version: '0' }, log);
    const span = (): SpanData => ({ context: { traceId: newTraceId(), spanId: newSpanId(), sampled: true }, name: 's', kind: 2, startNs: 1n, endNs: 2n, attributes: {}, status: { code: 0 } });
    try {
      for (let i = 0; i < 50; i++) exporter.add(span());
      // One POST is stuck at the collector; the rest waits in a queue that never grew past its limit.
      for (let i = 0; i < 200 && received === 0; i++) await new Promise((r) => setTimeout(r, 25));
      expect(received).toBe(1);
      expect(lines).toEqual([`trace export queue is full (OTEL_BSP_MAX_QUEUE_SIZE=4); dropping spans until http://127.0.0.1:${port}/v1/traces catches up`]);
      await exporter.shutdown(100);
      exporter.add(span()); // after shutdown: ignored, nothing thrown
    } finally {
      hanging.closeAllConnections();
      await new Promise<void>((r) => hanging.close(() => r()));
    }
  });
});

describe('export to a collector', () => {
  test('gzip when asked; a failing collector is reported once, and its recovery once', async () => {
    const answers = [500, 500, 200];
    const got: { encoding?: string; spans: number }[] = [];
    const collector = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks);
        const body = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
        got.push({ encoding: req.headers['content-encoding'], spans: JSON.parse(body.toString()).resourceSpans[0].scopeSpans[0].spans.length });
        res.writeHead(answers.shift() ?? 200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((r) => collector.listen(0, '127.0.0.1', r));
    const port = (collector.address() as { port: number }).port;
    const lines: string[] = [];
    const log = { warn: (m: string) => lines.push(`warn: ${m}`), info: (m: string) => lines.push(`info: ${m}`), debug: () => {}, error: (m: string) => lines.push(m) } as unknown as Logger;
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip', OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '1' };
    const exporter = new BatchExporter(readTracingConfig(env, '0', () => {}) as TracingConfig, { name: '1mcp', version: '0' }, log);
    const span = (): SpanData => ({ context: { traceId: newTraceId(), spanId: newSpanId(), sampled: true }, name: 's', kind: 2, startNs: 1n, endNs: 2n, attributes: { n: 1 }, status: { code: 0 } });
    try {
      for (let i = 0; i < 3; i++) {
        exporter.add(span());
        for (let t = 0; t < 200 && got.length <= i; t++) await new Promise((r) => setTimeout(r, 25));
      }
      await exporter.shutdown(1000);
      expect(got).toEqual([
        { encoding: 'gzip', spans: 1 },
        { encoding: 'gzip', spans: 1 },
        { encoding: 'gzip', spans: 1 },
      ]);
      const where = `http://127.0.0.1:${port}/v1/traces`;
      expect(lines).toEqual([`warn: could not send 1 span(s) to ${where}: HTTP 500; dropping them and trying again with the next batch`, `info: traces reach ${where} again`]);
    } finally {
      await new Promise<void>((r) => collector.close(() => r()));
    }
  });
});

test('serve loads tracing only when asked: its modules sit in a chunk of their own, apart from serve', async () => {
  const outdir = join(ROOT, 'node_modules', '.cache', `tracing-chunks-${process.pid}`);
  const built = await Bun.build({
    entrypoints: [join(ROOT, 'src/server/serve.ts')],
    target: 'bun',
    splitting: true,
    outdir,
    metafile: true,
    packages: 'external',
    // Generated dashboard assets may not exist in a source checkout; they do not matter here.
    plugins: [
      {
        name: 'generated',
        setup(b: import('bun').PluginBuilder) {
          b.onResolve({ filter: /dashboard\/page-(js|css|html)/ }, (a: { path: string }) => ({ path: a.path, external: true }));
        },
      },
    ],
  } as unknown as Parameters<typeof Bun.build>[0]);
  const { rmSync } = await import('node:fs');
  rmSync(outdir, { recursive: true, force: true });
  expect(built.success).toBe(true);
  const outputs = Object.values((built as unknown as { metafile: { outputs: Record<string, { entryPoint?: string; inputs: Record<string, unknown> }> } }).metafile.outputs);
  const serveChunk = outputs.find((o) => o.entryPoint === 'src/server/serve.ts')!;
  const serveInputs = Object.keys(serveChunk.inputs);
  expect(serveInputs).toContain('src/server/tracing/wanted.ts');
  for (const lazy of ['tracer.ts', 'exporter.ts', 'otlp-proto.ts', 'otlp-json.ts', 'config.ts']) expect(serveInputs).not.toContain(`src/server/tracing/${lazy}`);
  expect(outputs.some((o) => o.entryPoint === 'src/server/tracing/index.ts' && 'src/server/tracing/exporter.ts' in o.inputs)).toBe(true);
});
