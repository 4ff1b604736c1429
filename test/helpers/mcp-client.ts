/**
 * SDK clients for tests. Every client declares sampling, elicitation and roots, so each route can be
 * exercised; `hooks` answer those server requests (without a hook the server gets "Method not found").
 *
 *   connectStdio(command, args, options)  spawns the server (its pid is tracked for assertNoSurvivors)
 *   connectHttp(url, options | name, headers?)   Streamable HTTP
 *   connectSse(url, options | name, headers?)    legacy HTTP+SSE
 * Each returns the SDK Client; `client.close()` ends the connection (and a stdio server process).
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  ListRootsRequestSchema,
  type CreateMessageRequest,
  type ElicitRequest,
  type ElicitResult,
  type Root,
} from '@modelcontextprotocol/sdk/types.js';
import { track } from './processes.ts';

export interface ClientHooks {
  /** Reply text for sampling/createMessage. */
  sampling?: (params: CreateMessageRequest['params']) => string | Promise<string>;
  elicitation?: (params: ElicitRequest['params']) => ElicitResult | Promise<ElicitResult>;
  roots?: Root[] | (() => Root[] | Promise<Root[]>);
}

export interface ConnectOptions {
  name?: string;
  headers?: Record<string, string>;
  hooks?: ClientHooks;
}

export function newTestClient(name = 'test-client', hooks: ClientHooks = {}): Client {
  const client = new Client({ name, version: '1.0.0' }, { capabilities: { sampling: {}, elicitation: {}, roots: { listChanged: true } } });
  setHooks(client, hooks);
  return client;
}

/** Answer the server's sampling, elicitation and roots requests; may be called again to change them. */
export function setHooks(client: Client, hooks: ClientHooks): void {
  const { sampling, elicitation, roots } = hooks;
  if (sampling) client.setRequestHandler(CreateMessageRequestSchema, async (req) => ({ role: 'assistant', content: { type: 'text', text: await sampling(req.params) }, model: 'test-model' }));
  if (elicitation) client.setRequestHandler(ElicitRequestSchema, async (req) => elicitation(req.params));
  if (roots) client.setRequestHandler(ListRootsRequestSchema, async () => ({ roots: typeof roots === 'function' ? await roots() : roots }));
}

export interface StdioOptions {
  name?: string;
  hooks?: ClientHooks;
  /** Added to the SDK's default environment (HOME, PATH, …). */
  env?: Record<string, string>;
  cwd?: string;
  /** The server's stderr: 'ignore' by default (a flooding server must not fill the test output). */
  stderr?: 'ignore' | 'inherit' | 'pipe';
  /** Largest message accepted; the SDK default is 10 MiB and it closes the connection above it. */
  maxBufferSize?: number;
}

export async function connectStdio(command: string, args: string[] = [], options: StdioOptions = {}): Promise<Client> {
  const client = newTestClient(options.name, options.hooks);
  const transport = new StdioClientTransport({ command, args, env: options.env, cwd: options.cwd, stderr: options.stderr ?? 'ignore', maxBufferSize: options.maxBufferSize });
  try {
    await client.connect(transport);
  } finally {
    if (transport.pid) track(transport.pid);
  }
  return client;
}

/** The server process behind a client made by connectStdio. */
export function stdioPid(client: Client): number {
  const pid = (client.transport as StdioClientTransport | undefined)?.pid;
  if (!pid) throw new Error('not a connected stdio client');
  return pid;
}

function connectOptions(nameOrOptions: string | ConnectOptions | undefined, headers?: Record<string, string>): ConnectOptions {
  return typeof nameOrOptions === 'object' ? nameOrOptions : { name: nameOrOptions, headers };
}

export async function connectHttp(url: string, nameOrOptions?: string | ConnectOptions, headers: Record<string, string> = {}): Promise<Client> {
  const options = connectOptions(nameOrOptions, headers);
  const client = newTestClient(options.name, options.hooks);
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: options.headers ?? {} } }));
  return client;
}

export async function connectSse(url: string, nameOrOptions?: string | ConnectOptions, headers: Record<string, string> = {}): Promise<Client> {
  const options = connectOptions(nameOrOptions, headers);
  const client = newTestClient(options.name, options.hooks);
  // The SDK sends requestInit headers on the event stream's GET as well as on each POST.
  await client.connect(new SSEClientTransport(new URL(url), { requestInit: { headers: options.headers ?? {} } }));
  return client;
}

/** The concatenated text contents of a tool result. */
export function textOf(result: unknown): string {
  return ((result as { content?: { type: string; text?: string }[] }).content ?? []).map((c) => c.text ?? '').join('');
}
