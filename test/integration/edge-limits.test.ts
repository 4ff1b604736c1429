/**
 * Resource limits of the HTTP edge (issue 10 item 7), against a real serve: a flood of initializes under
 * --max-sessions keeps serve healthy with bounded memory; beyond a cap the least recently active idle
 * session is evicted, and with every session busy a new one gets 503; per-token caps; a stalled body is
 * dropped after --body-timeout; --max-large-bodies bounds concurrent bodies over 1 MiB.
 */
import { describe, expect, test } from 'bun:test';
import { readFileSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { hashToken, newToken } from '../../src/config/tokens.ts';
import { fixtureEntry } from '../helpers/fixture.ts';
import { connectHttp, textOf } from '../helpers/mcp-client.ts';
import { waitFor } from '../helpers/processes.ts';
import { JSON_HEADERS, openRawSession } from '../helpers/raw-http.ts';
import { startServe } from '../helpers/serve.ts';

const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
const INIT = JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'flood', version: '1' } } });

/** POST initialize; the session id, or the status when refused. */
async function initialize(url: string, headers: Record<string, string> = {}): Promise<{ id?: string; status: number; body: string }> {
  const r = await fetch(url, { method: 'POST', headers: { ...JSON_HEADERS, ...headers }, body: INIT });
  const body = await r.text();
  return { id: r.headers.get('mcp-session-id') ?? undefined, status: r.status, body };
}

/** Start a call that does not finish by itself (the fixture's `hang`); abort() ends it. */
function hangingCall(url: string, sessionId: string, headers: Record<string, string> = {}): { abort(): void } {
  const controller = new AbortController();
  void fetch(url, {
    method: 'POST',
    headers: { ...JSON_HEADERS, ...headers, 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-06-18' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'f_1mcp_hang', arguments: {} } }),
    signal: controller.signal,
  }).catch(() => {});
  return { abort: () => controller.abort() };
}

/** Wait until serve counts `n` sessions with a call in progress (what makes a session not idle). */
async function busySessions(origin: string, n: number, headers: Record<string, string> = {}): Promise<void> {
  await waitFor(async () => ((await (await fetch(`${origin}/api/status`, { headers })).json()) as { busySessions: number }).busySessions === n, { what: `${n} busy sessions` });
}

const ping = async (url: string, sessionId: string, headers: Record<string, string> = {}) => {
  const r = await fetch(url, { method: 'POST', headers: { ...JSON_HEADERS, ...headers, 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-06-18' }, body: JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'ping' }) });
  await r.text();
  return r.status;
};

/** A raw HTTP request on its own socket; resolves with what came back when the server closes it. */
function rawRequest(port: number, head: string, firstBytes: string): { socket: Socket; closed: Promise<string> } {
  const socket = connect(port, '127.0.0.1');
  let received = '';
  socket.on('data', (d) => (received += d));
  socket.on('error', () => {});
  const closed = new Promise<string>((resolve) => socket.on('close', () => resolve(received)));
  socket.write(head + firstBytes);
  return { socket, closed };
}

describe('session caps', () => {
  test('5,000 initializes under --max-sessions 1000: sessions stay capped, serve stays healthy, memory bounded, a normal client works', async () => {
    const serve = await startServe({ mcpServers: { f: fixtureEntry(['--name', 'f']) } }, { args: ['--max-sessions', '1000'] });
    try {
      const pid = serve.child.pid!;
      const warm = await openRawSession(serve.url);
      for (let i = 0; i < 50; i++) await warm.request('tools/list');
      const rssStart = rssMb(pid);
      let opened = 0;
      let refused = 0;
      let next = 0;
      let rssAt1000 = 0;
      const worker = async () => {
        while (next < 5000) {
          const n = ++next;
          const r = await initialize(serve.url);
          if (r.id) opened++;
          else refused++;
          if (n === 1000) rssAt1000 = rssMb(pid);
        }
      };
      await Promise.all(Array.from({ length: 16 }, worker));
      const rssPeak = rssMb(pid);
      const status = (await (await fetch(`${serve.origin}/api/status`)).json()) as { sessions: number; status: string };
      console.log(
        `flood: ${opened} opened, ${refused} refused; RSS start ${rssStart.toFixed(0)} MB, after 1,000 sessions ${rssAt1000.toFixed(0)} MB (${(((rssAt1000 - rssStart) * 1024) / 1000).toFixed(1)} KiB/session), after 5,000 initializes ${rssPeak.toFixed(0)} MB; ${status.sessions} open`,
      );
      // Idle sessions are evicted, oldest first: every initialize succeeds and the table never exceeds the cap.
      expect(refused).toBe(0);
      expect(status.sessions).toBeLessThanOrEqual(1000);
      expect(status.status).toBe('healthy');
      // Measured (2 shared cores, Bun 1.4.5): start ~67 MB; 1,000 sessions ≈ +47 KiB each (~113 MB); after 5,000
      // initializes ~170-180 MB and flat from there (20,000 tried). Without the cap, 5,000 live sessions would hold
      // ~5 × 47 MB more; the bound leaves room for GC timing on a busy machine.
      expect(rssPeak).toBeLessThan(rssStart + 250);
      const client = await connectHttp(serve.url);
      expect(textOf(await client.callTool({ name: 'f_1mcp_echo', arguments: { text: 'after the flood' } }))).toBe('after the flood');
      await client.close();
      expect((await fetch(`${serve.origin}/health`)).status).toBe(200);
    } finally {
      await serve.stop();
    }
  }, 120_000);

  test('beyond --max-sessions the least recently active idle session is evicted; with every session busy, 503', async () => {
    const serve = await startServe({ mcpServers: { f: fixtureEntry(['--name', 'f']) } }, { args: ['--max-sessions', '2'] });
    try {
      const a = await openRawSession(serve.url);
      const b = await openRawSession(serve.url);
      await Bun.sleep(5); // distinct millisecond timestamps, so "least recently active" is unambiguous
      await a.request('ping'); // a is now more recently active than b
      const c = await initialize(serve.url);
      expect(c.status).toBe(200);
      expect(await ping(serve.url, b.id)).toBe(404); // b was the oldest idle: evicted
      expect(await ping(serve.url, a.id)).toBe(200);

      // Both open sessions busy with a call: no room, and nobody's call is cut.
      const hangA = hangingCall(serve.url, a.id);
      const hangC = hangingCall(serve.url, c.id!);
      await busySessions(serve.origin, 2);
      const refused = await initialize(serve.url);
      expect(refused.status).toBe(503);
      expect(refused.body).toContain('--max-sessions');
      expect(await ping(serve.url, a.id)).toBe(200);

      // One call ends: its session is idle again, so a new client gets in (and that session goes).
      hangA.abort();
      const admitted = await waitFor(async () => {
        const r = await initialize(serve.url);
        return r.status === 200 ? r : undefined;
      }, { what: 'room for a new session' });
      expect(admitted.id).toBeDefined();
      expect(await ping(serve.url, a.id)).toBe(404);
      hangC.abort();
    } finally {
      await serve.stop();
    }
  });

  test('--max-sessions-per-token: one token cannot take every place; other tokens are unaffected', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), '1mcp-limits-'));
    const greedy = newToken();
    const other = newToken();
    const created = new Date().toISOString();
    writeFileSync(join(dir, 'tokens.json'), JSON.stringify({ version: 1, tokens: { greedy: { name: 'greedy', hash: hashToken(greedy), created }, other: { name: 'other', hash: hashToken(other), created } } }));
    const serve = await startServe({ mcpServers: { f: fixtureEntry(['--name', 'f']) } }, { dir, args: ['--enable-auth', '--max-sessions-per-token', '2', '--max-sessions', '10'] });
    try {
      const g = { authorization: `Bearer ${greedy}` };
      const o = { authorization: `Bearer ${other}` };
      const otherSession = (await initialize(serve.url, o)).id!;
      const first = (await initialize(serve.url, g)).id!;
      const second = (await initialize(serve.url, g)).id!;
      const third = await initialize(serve.url, g);
      expect(third.status).toBe(200);
      expect(await ping(serve.url, first, g)).toBe(404); // its own oldest idle session went
      expect(await ping(serve.url, otherSession, o)).toBe(200); // never another token's

      const h2 = hangingCall(serve.url, second, g);
      const h3 = hangingCall(serve.url, third.id!, g);
      await busySessions(serve.origin, 2, g);
      const refused = await initialize(serve.url, g);
      expect(refused.status).toBe(503);
      expect(refused.body).toContain('--max-sessions-per-token');
      expect((await initialize(serve.url, o)).status).toBe(200);
      h2.abort();
      h3.abort();
    } finally {
      await serve.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('request bodies', () => {
  test('a stalled body is dropped after --body-timeout (408, connection closed); other requests are served meanwhile', async () => {
    const serve = await startServe({ mcpServers: { f: fixtureEntry(['--name', 'f']) } }, { args: ['--body-timeout', '1'] });
    try {
      const head = `POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:${serve.port}\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\nContent-Length: 1000\r\n\r\n`;
      const stalled = rawRequest(serve.port, head, '{"jsonrpc":"2.0",');
      const session = await openRawSession(serve.url);
      expect((await session.request('tools/call', { name: 'f_1mcp_echo', arguments: { text: 'meanwhile' } })).content[0].text).toBe('meanwhile');
      const answer = await Promise.race([stalled.closed, Bun.sleep(15_000).then(() => 'still open after 15 s')]);
      expect(answer).toContain('408');
      expect(answer).toContain('--body-timeout');
      // A chunked body that stops coming is dropped the same way.
      const chunked = rawRequest(serve.port, head.replace('Content-Length: 1000', 'Transfer-Encoding: chunked'), '5\r\n{"jso\r\n');
      expect(await Promise.race([chunked.closed, Bun.sleep(15_000).then(() => 'still open after 15 s')])).toContain('408');
      expect((await fetch(`${serve.origin}/health`)).status).toBe(200);
    } finally {
      await serve.stop();
    }
  }, 60_000);

  test('--max-large-bodies: bodies over 1 MiB beyond the limit get 503 while small ones pass; a slot frees when a body is done', async () => {
    const serve = await startServe({ mcpServers: { f: fixtureEntry(['--name', 'f']) } }, { args: ['--max-large-bodies', '1', '--body-timeout', '30'] });
    try {
      const session = await openRawSession(serve.url);
      const big = 2 * 1024 * 1024;
      const head = `POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:${serve.port}\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\nContent-Length: ${big}\r\n\r\n`;
      const holding = rawRequest(serve.port, head, '{"jsonrpc":"2.0","id":1,"method":"ping","pad":"');
      await Bun.sleep(300); // let serve take the slot for it
      const bigBody = JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'f_1mcp_echo', arguments: { text: 'x'.repeat(big) } } });
      const headers = { ...JSON_HEADERS, 'mcp-session-id': session.id, 'mcp-protocol-version': '2025-06-18' };
      const second = await fetch(serve.url, { method: 'POST', headers, body: bigBody });
      expect(second.status).toBe(503);
      expect(await second.text()).toContain('--max-large-bodies');
      expect((await session.request('tools/call', { name: 'f_1mcp_echo', arguments: { text: 'small' } })).content[0].text).toBe('small');
      holding.socket.destroy();
      await holding.closed;
      const third = await waitFor(async () => {
        const r = await fetch(serve.url, { method: 'POST', headers, body: bigBody });
        const text = await r.text();
        return r.status === 200 ? text : undefined;
      }, { what: 'the large-body slot to free' });
      expect(third.length).toBeGreaterThan(big);
    } finally {
      await serve.stop();
    }
  }, 60_000);
});
