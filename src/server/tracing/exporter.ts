/**
 * Batch export over OTLP/HTTP: spans wait in a bounded queue and leave in batches, one POST at a time.
 * A full queue drops new spans; a failed POST drops its batch. Neither ever reaches a client's request:
 * tracing must not make the gateway slower or less reliable than without it.
 */
import type { Logger } from '../../log.ts';
import type { TracingConfig } from './config.ts';
import { encodeJson, type Scope } from './otlp-json.ts';
import { encodeProtobuf } from './otlp-proto.ts';
import type { SpanData } from './span.ts';

export class BatchExporter {
  private queue: SpanData[] = [];
  private timer?: ReturnType<typeof setTimeout>;
  private sending?: Promise<void>;
  private dropped = 0;
  /** Set while exports fail, so an outage is reported once (and its end once), not per batch. */
  private failing = false;
  private closed = false;

  constructor(
    private readonly config: TracingConfig,
    private readonly scope: Scope,
    private readonly log: Logger,
  ) {}

  /** Where spans go, for messages: no user name or password of the URL. */
  private get where(): string {
    const u = new URL(this.config.url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  }

  add(span: SpanData): void {
    if (this.closed) return;
    if (this.queue.length >= this.config.maxQueueSize) {
      if (this.dropped++ === 0) this.log.warn(`trace export queue is full (OTEL_BSP_MAX_QUEUE_SIZE=${this.config.maxQueueSize}); dropping spans until ${this.where} catches up`);
      return;
    }
    this.queue.push(span);
    if (this.queue.length >= this.config.maxExportBatchSize) this.kick();
    else if (!this.timer) {
      this.timer = setTimeout(() => this.kick(), this.config.scheduleDelayMs);
      // Waiting spans never keep the process alive.
      (this.timer as { unref?: () => void }).unref?.();
    }
  }

  /** Start sending what is queued unless a POST is already under way (it sends the rest when done). */
  private kick(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.sending || this.queue.length === 0) return;
    this.sending = this.drain().finally(() => {
      this.sending = undefined;
      if (this.queue.length > 0 && !this.closed) this.kick();
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.config.maxExportBatchSize);
      await this.send(batch);
    }
  }

  private async send(batch: SpanData[]): Promise<void> {
    const json = this.config.protocol === 'http/json';
    const headers: Record<string, string> = { ...this.config.headers, 'content-type': json ? 'application/json' : 'application/x-protobuf' };
    try {
      let body: Uint8Array | string = json ? encodeJson(this.config.resource, this.scope, batch) : encodeProtobuf(this.config.resource, this.scope, batch);
      if (this.config.gzip) {
        // Loaded only by the few who turn compression on.
        const { gzipSync } = await import('node:zlib');
        body = gzipSync(body);
        headers['content-encoding'] = 'gzip';
      }
      const response = await fetch(this.config.url, { method: 'POST', headers, body: body as BodyInit, signal: AbortSignal.timeout(this.config.exportTimeoutMs) });
      await response.arrayBuffer().catch(() => undefined);
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      if (this.failing) this.log.info(`traces reach ${this.where} again`);
      this.failing = false;
    } catch (error) {
      // Everything that can go wrong ends here: an export never throws into serve.
      const reason = (error as Error)?.name === 'TimeoutError' ? `no answer within ${this.config.exportTimeoutMs} ms` : ((error as Error)?.message ?? String(error));
      if (!this.failing) this.log.warn(`could not send ${batch.length} span(s) to ${this.where}: ${reason}; dropping them and trying again with the next batch`);
      else this.log.debug(`could not send ${batch.length} span(s) to ${this.where}: ${reason}`);
      this.failing = true;
    }
  }

  /** Send what is left, waiting at most `withinMs`; later spans are ignored. */
  async shutdown(withinMs: number): Promise<void> {
    this.kick();
    const done = (async () => {
      while (this.sending) await this.sending;
    })();
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([done, new Promise<void>((r) => (timer = setTimeout(r, withinMs)))]);
    clearTimeout(timer);
    this.closed = true;
    this.queue = [];
  }
}
