/**
 * ExportTraceServiceRequest in OTLP/JSON (protocol http/json): ids as hex, enums as numbers, 64-bit
 * integers as decimal strings, as the OTLP specification's JSON mapping asks.
 */
import type { Attributes, AttributeValue, SpanData } from './span.ts';

export interface Scope {
  name: string;
  version: string;
}

function anyValue(value: AttributeValue): Record<string, unknown> {
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  return Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value };
}

export function jsonAttributes(attributes: Attributes): { key: string; value: Record<string, unknown> }[] {
  return Object.entries(attributes).map(([key, value]) => ({ key, value: anyValue(value) }));
}

export function encodeJson(resource: Attributes, scope: Scope, spans: SpanData[]): string {
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: jsonAttributes(resource) },
        scopeSpans: [
          {
            scope,
            spans: spans.map((s) => ({
              traceId: s.context.traceId,
              spanId: s.context.spanId,
              ...(s.traceState ? { traceState: s.traceState } : {}),
              ...(s.parentSpanId ? { parentSpanId: s.parentSpanId } : {}),
              name: s.name,
              kind: s.kind,
              startTimeUnixNano: String(s.startNs),
              endTimeUnixNano: String(s.endNs),
              attributes: jsonAttributes(s.attributes),
              status: { code: s.status.code, ...(s.status.message ? { message: s.status.message } : {}) },
              flags: s.context.sampled ? 1 : 0,
            })),
          },
        ],
      },
    ],
  });
}
