/**
 * Which failures of a remote backend mean "re-initialize" or "reconnect", decided by the error's type
 * (src/backends/transport-errors.ts), with errors thrown by real fetch calls, real SDK transports and
 * a real serve; and results passed through by the SDK client without a schema walk (AnyResult).
 */
import { describe, expect, test } from 'bun:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { createServer } from 'node:net';
import { AnyResult } from '../../src/backends/forward.ts';
import { sessionLost, unreachable } from '../../src/backends/transport-errors.ts';
import { startHttpFixture } from '../helpers/fixture.ts';
import { connectHttp, textOf } from '../helpers/mcp-client.ts';
import { startServe } from '../helpers/serve.ts';

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

/** A port nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** An HTTP server answering every request with `status` and a body. */
function answering(status: number, body: string) {
  return Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => new Response(body, { status, headers: { 'content-type': 'application/json' } }) });
}

describe('transport error kinds', () => {
  test('refused and reset connections are unreachable, never a lost session', async () => {
    const refused = await rejection(fetch(`http://127.0.0.1:${await closedPort()}/mcp`, { method: 'POST', body: '{}' }));
    expect(unreachable(refused)).toBe(true);
    expect(sessionLost(refused)).toBe(false);

    const resetting = createServer((socket) => socket.once('data', () => socket.destroy())).listen(0, '127.0.0.1');
    await new Promise((resolve) => resetting.once('listening', resolve));
    try {
      const reset = await rejection(fetch(`http://127.0.0.1:${(resetting.address() as { port: number }).port}/mcp`, { method: 'POST', body: '{}' }));
      expect(unreachable(reset)).toBe(true);
    } finally {
      resetting.close();
    }
  });

  test('a 404 from a Streamable HTTP server is a lost session; other statuses and a JSON-RPC error are not', async () => {
    const gone = answering(404, '{"jsonrpc":"2.0","error":{"code":-32001,"message":"Session not found"},"id":null}');
    const bad = answering(400, '{"jsonrpc":"2.0","error":{"code":-32600,"message":"Bad Request"},"id":null}');
    try {
      const post = (port: number) => rejection(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/mcp`)).send({ jsonrpc: '2.0', id: 1, method: 'ping' }));
      const lost = await post(gone.port!);
      expect(lost).toBeInstanceOf(StreamableHTTPError);
      expect(sessionLost(lost)).toBe(true);
      expect(unreachable(lost)).toBe(false);
      const other = await post(bad.port!);
      expect(sessionLost(other)).toBe(false);
      expect(unreachable(other)).toBe(false);
    } finally {
      gone.stop(true);
      bad.stop(true);
    }
    // A backend's own JSON-RPC error is an answer, whatever its text says.
    expect(sessionLost(new McpError(-32001, 'Session not found'))).toBe(false);
    // A programming error is neither.
    expect(unreachable(new TypeError("Cannot read properties of undefined (reading 'x')"))).toBe(false);
  });

  test('the SSE transport: a POST answered 404 is a lost session (its error names the status only in text)', async () => {
    const endpoint = Bun.serve({
      port: 0,
      hostname: '127.0.0.1',
      fetch(request) {
        if (request.method === 'GET') {
          return new Response(`event: endpoint\ndata: /messages?sessionId=x\n\n`, { headers: { 'content-type': 'text/event-stream' } });
        }
        return new Response('no such session', { status: 404 });
      },
    });
    const transport = new SSEClientTransport(new URL(`http://127.0.0.1:${endpoint.port}/sse`));
    try {
      await transport.start();
      const error = await rejection(transport.send({ jsonrpc: '2.0', id: 1, method: 'ping' }));
      expect(sessionLost(error)).toBe(true);
      expect(unreachable(error)).toBe(false);
    } finally {
      await transport.close();
      endpoint.stop(true);
    }
  });
});

describe('AnyResult', () => {
  test('the SDK client hands a result on unchanged, extra fields and all', async () => {
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    const answer = { content: [], structuredContent: { deep: { list: [1, 2] } }, extra: 'kept' };
    serverSide.onmessage = (message) => {
      const { id, method } = message as { id?: number; method?: string };
      if (method === 'initialize') {
        void serverSide.send({ jsonrpc: '2.0', id: id!, result: { protocolVersion: '2025-06-18', capabilities: { tools: {} }, serverInfo: { name: 'raw', version: '1' } } });
      } else if (id !== undefined) {
        void serverSide.send({ jsonrpc: '2.0', id, result: answer });
      }
    };
    await serverSide.start();
    const client = new Client({ name: 'test', version: '1' });
    await client.connect(clientSide);
    try {
      expect(await client.request({ method: 'tools/call', params: { name: 'x' } }, AnyResult)).toEqual(answer);
    } finally {
      await client.close();
    }
  });

  test('a result that is not a JSON object is refused with a clear message', () => {
    // The SDK drops such a response before any schema sees it; the guard keeps AnyResult honest on its own.
    for (const data of ['text', [1], null]) {
      const parsed = AnyResult.safeParse(data);
      expect(parsed.success).toBe(false);
      expect(String(parsed.error?.message)).toContain('not a JSON object');
    }
  });
});

describe('through serve', () => {
  test('a backend error that says "Session not found" is relayed once: no re-initialize, no second call', async () => {
    const http = await startHttpFixture('http', ['--name', 'remote', '--fidelity']);
    const serve = await startServe({ mcpServers: { remote: { url: http.url } } });
    try {
      const client = await connectHttp(serve.url);
      const failed = (await client.callTool({ name: 'remote_1mcp_fail', arguments: { code: -32001, message: 'Session not found' } }).catch((e) => e)) as McpError;
      expect(failed).toBeInstanceOf(McpError);
      expect(failed.code).toBe(-32001);
      const stats = JSON.parse(textOf(await client.callTool({ name: 'remote_1mcp_stats', arguments: {} })));
      expect(stats.initializeCount).toBe(1);
      expect(stats.calls.filter((c: { name: string }) => c.name === 'fail')).toHaveLength(1);
      // The legitimate path still works on the same connection.
      expect(textOf(await client.callTool({ name: 'remote_1mcp_echo', arguments: { text: 'still here' } }))).toBe('still here');
      await client.close();
    } finally {
      await serve.stop();
      await http.stop();
    }
  });
});
