/**
 * ExportTraceServiceRequest in protobuf (protocol http/protobuf, the OTLP default), encoded by hand:
 * only the fields 1mcp fills, with the field numbers of opentelemetry-proto's
 * collector/trace/v1/trace_service.proto, trace/v1/trace.proto, common/v1/common.proto and
 * resource/v1/resource.proto. Avoids a protobuf runtime in the binary.
 */
import type { Attributes, AttributeValue, SpanData } from './span.ts';
import type { Scope } from './otlp-json.ts';

const VARINT = 0;
const FIXED64 = 1;
const BYTES = 2;
const FIXED32 = 5;

/** Appends protobuf fields to a growing buffer. */
class Writer {
  private buf = new Uint8Array(256);
  private len = 0;

  private room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.len + n));
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  private byte(b: number): void {
    this.room(1);
    this.buf[this.len++] = b;
  }

  varint(value: number | bigint): void {
    let v = BigInt.asUintN(64, BigInt(value));
    while (v > 0x7fn) {
      this.byte(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.byte(Number(v));
  }

  private tag(field: number, wire: number): void {
    this.varint((field << 3) | wire);
  }

  raw(bytes: Uint8Array): void {
    this.room(bytes.length);
    this.buf.set(bytes, this.len);
    this.len += bytes.length;
  }

  bytesField(field: number, bytes: Uint8Array): void {
    this.tag(field, BYTES);
    this.varint(bytes.length);
    this.raw(bytes);
  }

  stringField(field: number, value: string): void {
    this.bytesField(field, new TextEncoder().encode(value));
  }

  varintField(field: number, value: number | bigint): void {
    this.tag(field, VARINT);
    this.varint(value);
  }

  fixed64Field(field: number, value: bigint): void {
    this.tag(field, FIXED64);
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, value), true);
    this.raw(b);
  }

  fixed32Field(field: number, value: number): void {
    this.tag(field, FIXED32);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, value >>> 0, true);
    this.raw(b);
  }

  doubleField(field: number, value: number): void {
    this.tag(field, FIXED64);
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, value, true);
    this.raw(b);
  }

  messageField(field: number, build: (w: Writer) => void): void {
    const inner = new Writer();
    build(inner);
    this.bytesField(field, inner.finish());
  }

  finish(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }
}

function hexBytes(hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

/** AnyValue: string_value 1, bool_value 2, int_value 3, double_value 4. */
function anyValue(w: Writer, value: AttributeValue): void {
  if (typeof value === 'string') w.stringField(1, value);
  else if (typeof value === 'boolean') w.varintField(2, value ? 1 : 0);
  else if (Number.isInteger(value)) w.varintField(3, value);
  else w.doubleField(4, value);
}

/** repeated KeyValue (key 1, value 2) under `field`. */
function attributes(w: Writer, field: number, attrs: Attributes): void {
  for (const [key, value] of Object.entries(attrs)) {
    w.messageField(field, (kv) => {
      kv.stringField(1, key);
      kv.messageField(2, (v) => anyValue(v, value));
    });
  }
}

/** Span: trace_id 1, span_id 2, trace_state 3, parent_span_id 4, name 5, kind 6, start 7, end 8, attributes 9, status 15, flags 16. */
function span(w: Writer, s: SpanData): void {
  w.bytesField(1, hexBytes(s.context.traceId));
  w.bytesField(2, hexBytes(s.context.spanId));
  if (s.traceState) w.stringField(3, s.traceState);
  if (s.parentSpanId) w.bytesField(4, hexBytes(s.parentSpanId));
  w.stringField(5, s.name);
  w.varintField(6, s.kind);
  w.fixed64Field(7, s.startNs);
  w.fixed64Field(8, s.endNs);
  attributes(w, 9, s.attributes);
  // Status: message 2, code 3 (field 1 is reserved).
  w.messageField(15, (st) => {
    if (s.status.message) st.stringField(2, s.status.message);
    if (s.status.code) st.varintField(3, s.status.code);
  });
  w.fixed32Field(16, s.context.sampled ? 1 : 0);
}

/** ExportTraceServiceRequest { resource_spans 1 { resource 1 { attributes 1 }, scope_spans 2 { scope 1 { name 1, version 2 }, spans 2 } } } */
export function encodeProtobuf(resource: Attributes, scope: Scope, spans: SpanData[]): Uint8Array {
  const w = new Writer();
  w.messageField(1, (rs) => {
    rs.messageField(1, (r) => attributes(r, 1, resource));
    rs.messageField(2, (ss) => {
      ss.messageField(1, (sc) => {
        sc.stringField(1, scope.name);
        sc.stringField(2, scope.version);
      });
      for (const s of spans) ss.messageField(2, (sw) => span(sw, s));
    });
  });
  return w.finish();
}
