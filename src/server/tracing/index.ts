/**
 * Traces for serve, started only when an OTLP endpoint is configured (serve loads this file lazily; see
 * wanted.ts). Returns undefined, after one warning, when the settings cannot work.
 */
import { traceHeaders } from '../../backends/trace-header.ts';
import type { Logger } from '../../log.ts';
import { VERSION } from '../../version.ts';
import { readTracingConfig } from './config.ts';
import { BatchExporter } from './exporter.ts';
import { Tracer } from './tracer.ts';

export { Tracer } from './tracer.ts';

export interface Tracing {
  tracer: Tracer;
  /** Send the spans still queued (bounded by `withinMs`), then stop. */
  shutdown(withinMs?: number): Promise<void>;
}

export function startTracing(env: NodeJS.ProcessEnv, log: Logger): Tracing | undefined {
  const config = readTracingConfig(env, VERSION, (m) => log.warn(m));
  if (typeof config === 'string') {
    log.warn(`traces are off: ${config}`);
    return undefined;
  }
  const exporter = new BatchExporter(config, { name: '1mcp', version: VERSION }, log);
  const tracer = new Tracer(config.sampler, (span) => exporter.add(span));
  // Remote backends also get the context as an HTTP traceparent header.
  traceHeaders.enabled = true;
  log.info(`sending traces to ${new URL(config.url).host} (${config.protocol})`);
  return {
    tracer,
    shutdown: (withinMs = Math.min(config.exportTimeoutMs, 2000)) => exporter.shutdown(withinMs),
  };
}
