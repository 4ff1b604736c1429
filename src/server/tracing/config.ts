/**
 * Tracing settings from the standard OTEL_* variables (the OpenTelemetry SDK environment specification);
 * what 1mcp reads is listed in docs/configuration.md. A bad value is warned about and replaced by the
 * default: telemetry never stops serve.
 */
import { samplerFrom, type Sampler } from './sampler.ts';
import type { Attributes } from './span.ts';

export type OtlpProtocol = 'http/protobuf' | 'http/json';

export interface TracingConfig {
  /** Where spans are POSTed (the traces endpoint itself, e.g. http://127.0.0.1:4318/v1/traces). */
  url: string;
  headers: Record<string, string>;
  protocol: OtlpProtocol;
  gzip: boolean;
  resource: Attributes;
  sampler: Sampler;
  /** Batch span processor limits (OTEL_BSP_*). */
  maxQueueSize: number;
  maxExportBatchSize: number;
  scheduleDelayMs: number;
  exportTimeoutMs: number;
}

/** "k=v,k2=v2" with percent-encoded values (OTEL_EXPORTER_OTLP_HEADERS, OTEL_RESOURCE_ATTRIBUTES). */
export function parseKeyValues(text: string | undefined, what: string, warn: (m: string) => void): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (text ?? '').split(',')) {
    if (!part.trim()) continue;
    const eq = part.indexOf('=');
    const key = eq > 0 ? part.slice(0, eq).trim() : '';
    if (!key) {
      warn(`${what}: "${part.trim().slice(0, 40)}" is not key=value; ignored`);
      continue;
    }
    const raw = part.slice(eq + 1).trim();
    try {
      out[key] = decodeURIComponent(raw);
    } catch {
      out[key] = raw;
    }
  }
  return out;
}

function positive(env: NodeJS.ProcessEnv, name: string, fallback: number, warn: (m: string) => void): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  if (Number.isInteger(n) && n > 0) return n;
  warn(`${name}=${raw} is not a positive whole number; using ${fallback}`);
  return fallback;
}

/** OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is used as it is; OTEL_EXPORTER_OTLP_ENDPOINT gets /v1/traces appended. */
function tracesUrl(env: NodeJS.ProcessEnv): string | undefined {
  const specific = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim();
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  const candidate = specific || (base ? `${base.replace(/\/+$/, '')}/v1/traces` : undefined);
  if (!candidate) return undefined;
  try {
    const url = new URL(candidate);
    if (url.protocol === 'http:' || url.protocol === 'https:') return url.href;
  } catch {}
  return undefined;
}

/**
 * The settings, or a reason why traces stay off (an endpoint that is not an http(s) URL, gRPC). `serviceVersion`
 * becomes service.version.
 */
export function readTracingConfig(env: NodeJS.ProcessEnv, serviceVersion: string, warn: (m: string) => void): TracingConfig | string {
  const url = tracesUrl(env);
  if (!url) {
    const name = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim() ? 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT' : 'OTEL_EXPORTER_OTLP_ENDPOINT';
    return `${name}=${env[name]} is not an http:// or https:// URL (e.g. http://127.0.0.1:4318)`;
  }
  const protocolName = (env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL ?? '').trim().toLowerCase() || 'http/protobuf';
  if (protocolName === 'grpc') return 'OTEL_EXPORTER_OTLP_PROTOCOL=grpc is not supported; use http/protobuf or http/json (an OTLP/HTTP endpoint, usually port 4318)';
  let protocol: OtlpProtocol = 'http/protobuf';
  if (protocolName === 'http/json') protocol = 'http/json';
  else if (protocolName !== 'http/protobuf') warn(`OTEL_EXPORTER_OTLP_PROTOCOL=${protocolName} is not known (http/protobuf or http/json); using http/protobuf`);

  const compression = (env.OTEL_EXPORTER_OTLP_TRACES_COMPRESSION ?? env.OTEL_EXPORTER_OTLP_COMPRESSION ?? '').trim().toLowerCase();
  if (compression && compression !== 'gzip' && compression !== 'none') warn(`OTEL_EXPORTER_OTLP_COMPRESSION=${compression} is not supported (gzip or none); sending uncompressed`);

  const headers = {
    ...parseKeyValues(env.OTEL_EXPORTER_OTLP_HEADERS, 'OTEL_EXPORTER_OTLP_HEADERS', warn),
    ...parseKeyValues(env.OTEL_EXPORTER_OTLP_TRACES_HEADERS, 'OTEL_EXPORTER_OTLP_TRACES_HEADERS', warn),
  };
  const resource: Attributes = {
    ...parseKeyValues(env.OTEL_RESOURCE_ATTRIBUTES, 'OTEL_RESOURCE_ATTRIBUTES', warn),
    'service.name': env.OTEL_SERVICE_NAME?.trim() || '1mcp',
    'service.version': serviceVersion,
    'telemetry.sdk.name': '1mcp',
    'telemetry.sdk.language': 'nodejs',
    'telemetry.sdk.version': serviceVersion,
  };
  // OTEL_SERVICE_NAME wins over a service.name in OTEL_RESOURCE_ATTRIBUTES; that one wins over the default.
  const fromAttributes = parseKeyValues(env.OTEL_RESOURCE_ATTRIBUTES, 'OTEL_RESOURCE_ATTRIBUTES', () => {})['service.name'];
  if (!env.OTEL_SERVICE_NAME?.trim() && fromAttributes) resource['service.name'] = fromAttributes;

  const maxQueueSize = positive(env, 'OTEL_BSP_MAX_QUEUE_SIZE', 2048, warn);
  return {
    url,
    headers,
    protocol,
    gzip: compression === 'gzip',
    resource,
    sampler: samplerFrom(env.OTEL_TRACES_SAMPLER, env.OTEL_TRACES_SAMPLER_ARG, warn),
    maxQueueSize,
    maxExportBatchSize: Math.min(positive(env, 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE', 512, warn), maxQueueSize),
    scheduleDelayMs: positive(env, 'OTEL_BSP_SCHEDULE_DELAY', 5000, warn),
    exportTimeoutMs: positive(env, 'OTEL_EXPORTER_OTLP_TRACES_TIMEOUT', positive(env, 'OTEL_EXPORTER_OTLP_TIMEOUT', 10_000, warn), warn),
  };
}
