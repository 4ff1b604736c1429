/**
 * src/server/sessions/sdk-initialize.ts reaches into the SDK Server's private `_oninitialize`. These
 * tests pin what serve relies on, so an SDK update that renames or changes it fails here, loudly,
 * instead of breaking initialize for every client: the version negotiation, and the client's
 * capabilities and info recorded for the public getters the router reads.
 */
import { describe, expect, test } from 'bun:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { InitializeRequestSchema, LATEST_PROTOCOL_VERSION, SUPPORTED_PROTOCOL_VERSIONS, type InitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { sdkInitialize } from '../../src/server/sessions/sdk-initialize.ts';

const newServer = () => new Server({ name: 'under-test', version: '9.9.9' }, { capabilities: { tools: { listChanged: true }, logging: {} } });

const request = (protocolVersion: string): InitializeRequest => ({
  method: 'initialize',
  params: { protocolVersion, capabilities: { sampling: {}, roots: { listChanged: true } }, clientInfo: { name: 'probe', version: '1.2.3' } },
});

describe('sdkInitialize: the one private SDK member serve uses', () => {
  test('exists on this SDK version (if this fails, adapt src/server/sessions/sdk-initialize.ts)', () => {
    expect(typeof sdkInitialize(newServer())).toBe('function');
  });

  test('keeps a requested version the SDK supports, and records the client for the public getters', async () => {
    const server = newServer();
    const oldest = SUPPORTED_PROTOCOL_VERSIONS[SUPPORTED_PROTOCOL_VERSIONS.length - 1]!;
    const result = await sdkInitialize(server)(request(oldest));
    expect(result.protocolVersion).toBe(oldest);
    expect(result.serverInfo).toEqual({ name: 'under-test', version: '9.9.9' });
    expect(result.capabilities).toEqual({ tools: { listChanged: true }, logging: {} });
    expect(server.getClientCapabilities()).toEqual({ sampling: {}, roots: { listChanged: true } });
    expect(server.getClientVersion()).toEqual({ name: 'probe', version: '1.2.3' });
  });

  test('answers an unknown version with the latest one', async () => {
    const result = await sdkInitialize(newServer())(request('1999-01-01'));
    expect(result.protocolVersion).toBe(LATEST_PROTOCOL_VERSION);
  });

  test('through a real client: our handler wraps it and adds instructions, and the handshake completes', async () => {
    const server = newServer();
    const negotiate = sdkInitialize(server);
    server.setRequestHandler(InitializeRequestSchema, async (req) => ({ ...(await negotiate(req)), instructions: 'added by the wrapper' }));
    const client = new Client({ name: 'probe', version: '1.2.3' }, { capabilities: { roots: { listChanged: true } } });
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await server.connect(serverSide);
    await client.connect(clientSide);
    try {
      expect(client.getInstructions()).toBe('added by the wrapper');
      expect(client.getServerVersion()).toEqual({ name: 'under-test', version: '9.9.9' });
      expect(server.getClientCapabilities()).toMatchObject({ roots: { listChanged: true } });
      expect(server.getClientVersion()).toEqual({ name: 'probe', version: '1.2.3' });
    } finally {
      await client.close();
      await server.close();
    }
  });

  test('a Server without the member fails with a message that says what to adapt', () => {
    const stripped = Object.create(null) as Server;
    expect(() => sdkInitialize(stripped)).toThrow(/no _oninitialize any more; adapt src\/server\/sessions\/sdk-initialize\.ts/);
  });
});
