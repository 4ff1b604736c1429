/** SDK clients for tests, declaring sampling, elicitation and roots so every route can be exercised. */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

export function newTestClient(name = 'test-client'): Client {
  return new Client({ name, version: '1.0.0' }, { capabilities: { sampling: {}, elicitation: {}, roots: { listChanged: true } } });
}

export async function connectHttp(url: string, name?: string, headers: Record<string, string> = {}): Promise<Client> {
  const client = newTestClient(name);
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
  return client;
}

export async function connectSse(url: string, name?: string): Promise<Client> {
  const client = newTestClient(name);
  await client.connect(new SSEClientTransport(new URL(url)));
  return client;
}

export function textOf(result: unknown): string {
  return ((result as { content?: { type: string; text?: string }[] }).content ?? []).map((c) => c.text ?? '').join('');
}
