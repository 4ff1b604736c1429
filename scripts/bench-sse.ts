/**
 * How fast the proxy reads a big text/event-stream event: our parser (src/runtime/sse-parser.ts) against
 * eventsource-parser (the MCP SDK's dependency), bytes in → events out, under Bun and then Node.
 *
 *   bun scripts/bench-sse.ts            both runtimes (bundles itself for Node into a temp dir)
 *   bun scripts/bench-sse.ts --bun-only
 *
 * Cases: one 20 MB event (a tools/call result) in 64 KiB chunks with LF and with CRLF line ends
 * (eventsource-parser takes a slower path once a chunk holds a CR), and 20,000 small events.
 * Figures are the median of 11 runs after 2 warm-ups; the readers take turns, with a full GC before each run.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createParser } from 'eventsource-parser';
import { EventSourceParserStream } from 'eventsource-parser/stream';
import { readSse } from '../src/runtime/sse-parser.ts';

const CHUNK = 64 * 1024;
const RUNS = 11;
const WARMUPS = 2;

interface Case {
  name: string;
  bytes: Uint8Array;
  /** What every parser must give back: the events' data lengths. */
  lengths: number[];
}

function bigEvent(eol: string): Case {
  // A realistic result: mostly ASCII JSON with some 2- and 3-byte characters, so chunks cut characters.
  const unit = 'line of output, with "quotes", \\escapes\\ and é日 ';
  const text = unit.repeat(Math.ceil((20 * 1024 * 1024) / unit.length)).slice(0, 20 * 1024 * 1024);
  const payload = JSON.stringify({ jsonrpc: '2.0', id: 1, result: { content: [{ type: 'text', text }] } });
  return { name: `one 20 MB event, ${eol === '\n' ? 'LF' : 'CRLF'}`, bytes: new TextEncoder().encode(`event: message${eol}data: ${payload}${eol}${eol}`), lengths: [payload.length] };
}

function smallEvents(): Case {
  const lengths: number[] = [];
  let text = '';
  for (let i = 0; i < 20_000; i++) {
    const payload = JSON.stringify({ jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: i, progress: i, total: 20_000 } });
    text += `event: message\nid: ${i}\ndata: ${payload}\n\n`;
    lengths.push(payload.length);
  }
  return { name: '20,000 small events, LF', bytes: new TextEncoder().encode(text), lengths };
}

function chunksOf(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += CHUNK) out.push(bytes.subarray(i, i + CHUNK));
  return out;
}

function streamOf(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream({
    pull(controller) {
      if (i < chunks.length) controller.enqueue(chunks[i++]!);
      else controller.close();
    },
  });
}

type Reader = (chunks: Uint8Array[]) => Promise<number[]>;

const READERS: Record<string, Reader> = {
  /** What the relay runs. */
  '1mcp readSse': async (chunks) => {
    const lengths: number[] = [];
    await readSse(streamOf(chunks), (e) => lengths.push(e.data.length));
    return lengths;
  },
  /** The parser alone, fed by the same TextDecoder as ours. */
  'eventsource-parser createParser': async (chunks) => {
    const lengths: number[] = [];
    const parser = createParser({ onEvent: (e) => lengths.push(e.data.length) });
    const decoder = new TextDecoder();
    const reader = streamOf(chunks).getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      parser.feed(decoder.decode(value, { stream: true }));
    }
    return lengths;
  },
  /** As the SDK's client transport uses it: TextDecoderStream piped into EventSourceParserStream. */
  'eventsource-parser stream (SDK way)': async (chunks) => {
    const lengths: number[] = [];
    const events = streamOf(chunks)
      .pipeThrough(new TextDecoderStream() as unknown as TransformStream<Uint8Array, string>)
      .pipeThrough(new EventSourceParserStream());
    const reader = events.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      lengths.push(value.data.length);
    }
    return lengths;
  },
};

/** A full collection before each run, so one reader's garbage is not billed to the next. */
function collect(): void {
  const g = globalThis as { Bun?: { gc(full: boolean): void }; gc?: () => void };
  if (g.Bun) g.Bun.gc(true);
  else g.gc?.();
}

/** Median ms per reader; the readers take turns run by run, so a slow moment of the machine hits all of them. */
async function measure(c: Case): Promise<Map<string, number>> {
  const chunks = chunksOf(c.bytes);
  const times = new Map<string, number[]>(Object.keys(READERS).map((name) => [name, []]));
  for (let run = 0; run < WARMUPS + RUNS; run++) {
    for (const [name, read] of Object.entries(READERS)) {
      collect();
      const started = performance.now();
      const lengths = await read(chunks);
      const ms = performance.now() - started;
      if (lengths.length !== c.lengths.length || lengths.some((l, i) => l !== c.lengths[i])) {
        throw new Error(`${name}, ${c.name}: wrong events (${lengths.length} of ${c.lengths.length})`);
      }
      if (run >= WARMUPS) times.get(name)!.push(ms);
    }
  }
  const medians = new Map<string, number>();
  for (const [name, list] of times) medians.set(name, list.sort((a, b) => a - b)[Math.floor(list.length / 2)]!);
  return medians;
}

async function benchHere(): Promise<void> {
  const runtime = typeof (globalThis as { Bun?: { version: string } }).Bun !== 'undefined' ? `Bun ${(globalThis as unknown as { Bun: { version: string } }).Bun.version}` : `Node ${process.versions.node}`;
  console.log(`\n${runtime} — median of ${RUNS} runs, ${CHUNK / 1024} KiB chunks`);
  for (const c of [bigEvent('\n'), bigEvent('\r\n'), smallEvents()]) {
    const medians = await measure(c);
    console.log(`  ${c.name.padEnd(26)} ${[...medians].map(([name, ms]) => `${name} ${ms.toFixed(1)} ms`).join(' | ')}`);
  }
}

/** Bundle this very file for Node (eventsource-parser and our parser inlined) and run it there. */
async function benchUnderNode(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-sse-'));
  try {
    const bun = (globalThis as unknown as { Bun: { build(o: object): Promise<{ success: boolean; logs: unknown[] }> } }).Bun;
    const built = await bun.build({ entrypoints: [import.meta.path], outdir: dir, target: 'node', format: 'esm', naming: 'bench-sse.mjs' });
    if (!built.success) throw new Error(`bundling for Node failed: ${built.logs.join('\n')}`);
    const ran = spawnSync('node', ['--expose-gc', join(dir, 'bench-sse.mjs'), '--here'], { stdio: 'inherit' });
    if (ran.status !== 0) throw new Error(`node exited with ${ran.status ?? ran.signal}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await benchHere();
const underBun = typeof (globalThis as { Bun?: unknown }).Bun !== 'undefined';
if (underBun && !process.argv.includes('--bun-only') && !process.argv.includes('--here')) await benchUnderNode();
