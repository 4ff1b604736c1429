/**
 * A remote (Streamable HTTP, legacy era) backend that goes away while in use fails once: the request
 * that found it unreachable and the closing transport both report the same broken connection, and
 * serve must count that as one failure — one log line, one restart timer, one reconnect.
 *
 * The backend is the HTTP fixture behind a TCP gate in this test process: closing the gate refuses
 * and cuts every connection (to serve, the server is gone), reopening it on the same port is
 * immediate, so the first retry finds the server back however slow the machine is.
 */
import { afterAll, describe, expect, test } from 'bun:test';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { startHttpFixture } from '../helpers/fixture.ts';
import { connectHttp, textOf } from '../helpers/mcp-client.ts';
import { assertNoSurvivors, waitFor } from '../helpers/processes.ts';
import { startServe } from '../helpers/serve.ts';

afterAll(async () => {
  await assertNoSurvivors();
});

async function status(origin: string, name: string): Promise<{ state: string; restarts: number; lastError?: string }> {
  return (await (await fetch(`${origin}/health/mcp/${name}`)).json()) as never;
}

/** A TCP forwarder to 127.0.0.1:target that can be closed (refusing and cutting) and opened again on its port. */
async function tcpGate(target: number): Promise<{ port: number; close(): Promise<void>; open(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      const s = createServer((inbound) => {
        const outbound = connect(target, '127.0.0.1');
        for (const socket of [inbound, outbound]) {
          sockets.add(socket);
          socket.on('close', () => sockets.delete(socket));
          socket.on('error', () => {
            inbound.destroy();
            outbound.destroy();
          });
        }
        inbound.pipe(outbound).pipe(inbound);
      });
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => resolve((s.address() as AddressInfo).port));
      server = s;
    });
  const port = await listen(0);
  return {
    port,
    async close() {
      const closed = new Promise((resolve) => server!.close(resolve));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
    async open() {
      await listen(port);
    },
  };
}

/** serve's stderr lines about this server from `from` on. */
function linesAbout(stderr: string, name: string, from: number): string[] {
  return stderr.slice(from).split('\n').filter((line) => line.includes(`[${name}]`));
}

describe('a remote backend that goes away', () => {
  test('counts as one failure: one WARN line, restarts 1, one reconnect when it comes back', async () => {
    const fixture = await startHttpFixture('http', ['--name', 'remote']);
    const gate = await tcpGate(fixture.port);
    // The first retry comes restartDelay after the failure; a second timer would fire restartDelay later.
    const restartDelay = 1000;
    const serve = await startServe({ mcpServers: { remote: { url: `http://127.0.0.1:${gate.port}/mcp`, restartDelay, maxRestarts: 5 } } });
    const client = await connectHttp(serve.url);
    try {
      expect(textOf(await client.callTool({ name: 'remote_1mcp_echo', arguments: { text: 'before' } }))).toBe('before');
      const mark = serve.stderr().length;

      await gate.close();
      const failedCall = await client.callTool({ name: 'remote_1mcp_echo', arguments: { text: 'lost' } }).catch((error: unknown) => error);
      expect(failedCall).toBeInstanceOf(Error);
      const down = await status(serve.origin, 'remote');
      expect(down.state).toBe('restarting');
      expect(down.lastError).toContain('unreachable');
      expect(down.restarts).toBe(1);

      // Back before the first retry: that retry connects.
      await gate.open();
      await waitFor(async () => (await status(serve.origin, 'remote')).state === 'connected', { timeout: 15_000, what: 'remote to reconnect' });
      // Long enough for a second restart timer (2 × restartDelay after the failure) to have fired too.
      await Bun.sleep(2 * restartDelay + 500);

      const lines = linesAbout(serve.stderr(), 'remote', mark);
      const warnings = lines.filter((line) => / WARN /.test(line));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain('unreachable');
      expect(lines.filter((line) => /\] connected/.test(line))).toHaveLength(1);
      const up = await status(serve.origin, 'remote');
      expect(up.state).toBe('connected');
      expect(up.restarts).toBe(1);

      // The legitimate path: the reconnected backend answers; the fixture saw the first session and one more.
      expect(textOf(await client.callTool({ name: 'remote_1mcp_echo', arguments: { text: 'after' } }))).toBe('after');
      const stats = JSON.parse(textOf(await client.callTool({ name: 'remote_1mcp_stats', arguments: {} })));
      expect(stats.initializeCount).toBe(2);
    } finally {
      await client.close();
      await serve.stop();
      await gate.close();
      await fixture.stop();
    }
  }, 60_000);
});
