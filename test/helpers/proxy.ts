/** `1mcp proxy` in tests: started the way Codex does, a home for it to discover serve from, a raw line-level view. */
import { afterAll, beforeAll } from 'bun:test';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { cliCommand, type CliMode } from './cli.ts';
import { newTestClient } from './mcp-client.ts';
import { waitFor } from './processes.ts';
import { startServe, type ServeHandle } from './serve.ts';

/** Start `1mcp proxy` the way Codex does: a cleaned environment (HOME and PATH), cwd = the project. */
export async function connectProxy(options: { home: string; cwd: string; args?: string[]; mode?: CliMode; env?: Record<string, string> }) {
  const [command, ...pre] = cliCommand(options.mode);
  const transport = new StdioClientTransport({
    command: command!,
    args: [...pre, 'proxy', ...(options.args ?? [])],
    cwd: options.cwd,
    env: { HOME: options.home, PATH: process.env.PATH ?? '/usr/bin:/bin', ...options.env },
    stderr: 'pipe',
  });
  const client = newTestClient('proxy-test');
  await client.connect(transport);
  return { client, transport, pid: transport.pid! };
}

/** A home with the default config dir and a project (a git repository, with src/deep) in it: the proxy finds serve from HOME alone, as under Codex. */
export function makeHome(prefix = '1mcp-home-') {
  const home = mkdtempSync(join(tmpdir(), prefix));
  const configDir = join(home, '.config', '1mcp');
  const project = join(home, 'work', 'project');
  mkdirSync(configDir, { recursive: true });
  mkdirSync(join(project, 'src', 'deep'), { recursive: true });
  // A repository: outside the home, the .1mcprc lookup stops at the repository root.
  mkdirSync(join(project, '.git'));
  return { home, configDir, project };
}

/**
 * A serve whose config dir is a fresh home's default one, started before and stopped after the enclosing
 * describe block; `afterStop` runs once serve is gone (before the home is removed).
 */
export function serveInHome(config: unknown, options: { prefix?: string; afterStop?: () => Promise<void> } = {}): { h: ReturnType<typeof makeHome>; serve: () => ServeHandle } {
  const h = makeHome(options.prefix);
  let serve: ServeHandle;
  beforeAll(async () => {
    serve = await startServe(config, { dir: h.configDir });
  });
  afterAll(async () => {
    await serve.stop();
    await options.afterStop?.();
    rmSync(h.home, { recursive: true, force: true });
  });
  return { h, serve: () => serve };
}

/** `1mcp proxy` as a raw process, the way Codex starts it: write lines, read the JSON lines it writes. */
export function startRawProxy(options: { home: string; cwd: string; args?: string[] }) {
  const [command, ...pre] = cliCommand();
  const child = spawn(command!, [...pre, 'proxy', ...(options.args ?? [])], { cwd: options.cwd, env: { HOME: options.home, PATH: process.env.PATH ?? '/usr/bin:/bin' }, stdio: ['pipe', 'pipe', 'pipe'] }) as ChildProcessWithoutNullStreams;
  const received: any[] = [];
  let buffer = '';
  child.stdout.on('data', (chunk) => {
    buffer += chunk;
    for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      if (line.trim()) received.push(JSON.parse(line)); // anything but JSON on stdout fails the test here
    }
  });
  const send = (message: unknown) => child.stdin.write(`${typeof message === 'string' ? message : JSON.stringify(message)}\n`);
  const answer = (id: unknown) => waitFor(() => received.find((m) => m.id === id && (m.result !== undefined || m.error !== undefined)), { what: `the answer to ${JSON.stringify(id)}` });
  /** Send a request (with `meta` as its `_meta`, when given) and wait for its answer. */
  const request = (id: unknown, method: string, params: Record<string, unknown> = {}, meta?: Record<string, unknown> | null) => {
    send({ jsonrpc: '2.0', id, method, params: meta ? { ...params, _meta: meta } : params });
    return answer(id);
  };
  /** Close stdin and wait for the proxy to exit, as it must at end of input. */
  const end = () => {
    child.stdin.end();
    return waitFor(() => child.exitCode !== null, { what: 'the proxy to exit at end of input' });
  };
  return { child, received, send, answer, request, end };
}
