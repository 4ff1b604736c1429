/**
 * MCP client transport over a child's stdin/stdout. Unlike the SDK's: the child gets its own process
 * group (so wrapper chains die with it), stderr is always drained into a ring, big messages are
 * framed in linear time, and a line that is not JSON-RPC closes the connection (the backend is
 * then restarted) instead of being silently skipped.
 */
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { LineSplitter } from '../runtime/lines.ts';
import { signalGroup, spawnInGroup, stopChild } from '../runtime/process.ts';
import type { StderrRing } from './stderr-ring.ts';

export interface StdioTransportOptions {
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd?: string;
  stderr: StderrRing;
}

export class ChildStdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  child?: ChildProcessWithoutNullStreams;
  /** We asked it to stop (or gave up on it). */
  private closing = false;
  /** onclose has been called. */
  private ended = false;

  constructor(private readonly options: StdioTransportOptions) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): Promise<void> {
    // Started once: the era probe (modern/era.ts) starts it before the SDK client's connect does.
    if (this.child) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const child = spawnInGroup(this.options);
      this.child = child;
      const splitter = new LineSplitter(
        (line) => this.handleLine(line),
        256 * 1024 * 1024,
        (bytes) => this.fail(new Error(`backend wrote a message larger than ${bytes} bytes`)),
      );
      child.stdout.on('data', (chunk: Buffer) => splitter.push(chunk));
      child.stderr.on('data', (chunk: Buffer) => this.options.stderr.push(chunk));
      child.stdin.on('error', () => {});
      child.once('error', (error) => {
        reject(error);
        this.fail(error);
      });
      child.once('spawn', () => resolve());
      child.once('exit', (code, signal) => {
        if (!this.closing) this.onerror?.(new Error(`process exited (${signal ?? `code ${code}`})`));
        // Whatever it left in its process group (a wrapper's grandchild) goes with it.
        signalGroup(child.pid, 'SIGKILL');
        this.end();
      });
    });
  }

  private handleLine(line: string): void {
    // After a protocol violation nothing more from this process is trusted.
    if (this.closing) return;
    let message: JSONRPCMessage;
    try {
      message = JSON.parse(line);
    } catch {
      this.fail(new Error(`backend wrote something that is not JSON-RPC to stdout: ${JSON.stringify(line.slice(0, 120))}`));
      return;
    }
    if (!message || typeof message !== 'object' || (message as { jsonrpc?: string }).jsonrpc !== '2.0') {
      this.fail(new Error(`backend wrote an invalid JSON-RPC message: ${line.slice(0, 120)}`));
      return;
    }
    this.onmessage?.(message);
  }

  private fail(error: Error): void {
    if (this.closing) return;
    this.onerror?.(error);
    void this.close();
  }

  send(message: JSONRPCMessage): Promise<void> {
    return new Promise((resolve, reject) => {
      const stdin = this.child?.stdin;
      if (!stdin || this.closing || !stdin.writable) return reject(new Error('backend is not running'));
      const ok = stdin.write(`${JSON.stringify(message)}\n`);
      if (ok) resolve();
      else stdin.once('drain', resolve);
    });
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    this.onclose?.();
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    if (this.child) await stopChild(this.child, 100, 2000);
    this.end();
  }
}
