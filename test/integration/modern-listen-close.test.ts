/**
 * When serve stops, an open subscriptions/listen ends with the revision's closing result (an empty result
 * carrying the subscription id), so the SDK v2 client reports the subscription closed 'graceful' — not
 * 'remote', which means a lost connection (docs/protocol.md, "Two eras on one endpoint").
 */
import { afterAll, describe, expect, test } from 'bun:test';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { fixtureEntry } from '../helpers/fixture.ts';
import { startServe, type ServeHandle } from '../helpers/serve.ts';

async function connectModern(url: string): Promise<Client> {
  const client = new Client({ name: 'listen-close', version: '1.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  return client;
}

describe('subscriptions/listen when serve stops', () => {
  const started: ServeHandle[] = [];
  afterAll(async () => {
    for (const s of started) await s.stop().catch(() => {});
  });

  test('the open listen ends gracefully; a listen the client closed itself stays "local"', async () => {
    const serve = await startServe({ mcpServers: { web: fixtureEntry(['--name', 'web']) } });
    started.push(serve);
    const client = await connectModern(serve.url);
    try {
      // The legitimate path: the client's own close.
      const mine = await client.listen({ toolsListChanged: true });
      await mine.close();
      expect(await mine.closed).toBe('local');

      const open = await client.listen({ toolsListChanged: true, promptsListChanged: true });
      expect(open.honoredFilter.toolsListChanged).toBe(true);
      await serve.stop();
      expect(await open.closed).toBe('graceful');
    } finally {
      await client.close().catch(() => {});
    }
  });
});
