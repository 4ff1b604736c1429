/**
 * The standard samplers chosen by OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG: always_on, always_off,
 * traceidratio and their parentbased_ forms (the default is parentbased_always_on).
 */
import type { SpanContext } from './trace-context.ts';

/** Decides whether a new span is recorded and exported; `parent` is the caller's span context, if any. */
export type Sampler = (traceId: string, parent: SpanContext | undefined) => boolean;

export const SAMPLER_NAMES = ['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio'] as const;

/**
 * The ratio sampler looks at the trace id's last 56 bits, which W3C Trace Context makes random: every
 * service that samples by ratio keeps or drops the same traces.
 */
function ratioSampler(ratio: number): Sampler {
  if (ratio >= 1) return () => true;
  if (ratio <= 0) return () => false;
  const bound = ratio * 2 ** 56;
  return (traceId) => parseInt(traceId.slice(18), 16) < bound;
}

/**
 * The sampler for these settings; `warn` hears about an unknown name or a bad ratio (then the default is
 * used: telemetry settings never stop serve).
 */
export function samplerFrom(name: string | undefined, arg: string | undefined, warn: (message: string) => void): Sampler {
  const wanted = (name ?? '').trim().toLowerCase() || 'parentbased_always_on';
  let ratio = 1;
  if (wanted.endsWith('traceidratio') && arg !== undefined && arg.trim() !== '') {
    const n = Number(arg);
    if (Number.isFinite(n) && n >= 0 && n <= 1) ratio = n;
    else warn(`OTEL_TRACES_SAMPLER_ARG=${arg} is not a ratio between 0 and 1; sampling every trace`);
  }
  const root: Sampler | undefined =
    wanted === 'always_on' || wanted === 'parentbased_always_on'
      ? () => true
      : wanted === 'always_off' || wanted === 'parentbased_always_off'
        ? () => false
        : wanted === 'traceidratio' || wanted === 'parentbased_traceidratio'
          ? ratioSampler(ratio)
          : undefined;
  if (!root) {
    warn(`OTEL_TRACES_SAMPLER=${name} is not supported (use one of ${SAMPLER_NAMES.join(', ')}); using parentbased_always_on`);
    return (_id, parent) => parent?.sampled ?? true;
  }
  if (!wanted.startsWith('parentbased_')) return root;
  // A caller's decision wins: its sampled flag says whether the trace is being recorded upstream.
  return (traceId, parent) => (parent ? parent.sampled : root(traceId, parent));
}
