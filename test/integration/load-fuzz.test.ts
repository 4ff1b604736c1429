/** Load and fuzz against a real serve (issue: proof by fault injection and load). */
import { describe, expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { fixtureEntry } from '../helpers/fixture.ts';
import { waitFor } from '../helpers/processes.ts';
import { seededRandom } from '../helpers/random.ts';
import { JSON_HEADERS, messagesOf, openRawSession } from '../helpers/raw-http.ts';
import { startServe } from '../helpers/serve.ts';

const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

describe('load', () => {
  test('200 concurrent sessions × 50 calls: no error, every answer to its caller; memory returns after idle expiry', async () => {
    // Idle sessions expire after 3 s here (0.05 minutes).
    const serve = await startServe({ mcpServers: { a: fixtureEntry(['--name', 'a']), b: fixtureEntry(['--name', 'b']) } }, { args: ['--session-idle-timeout', '0.05'] });
    try {
      const pid = serve.child.pid!;
      // Warm up, then take the baseline.
      const warm = await openRawSession(serve.url);
      for (let i = 0; i < 200; i++) await warm.request('tools/call', { name: 'a_1mcp_echo', arguments: { text: 'warm' } });
      const rssStart = rssMb(pid);

      const sessions = await Promise.all(Array.from({ length: 200 }, () => openRawSession(serve.url)));
      let errors = 0;
      let mismatched = 0;
      await Promise.all(
        sessions.map(async (s, i) => {
          for (let k = 0; k < 50; k++) {
            const text = `s${i}-c${k}`;
            try {
              const result = await s.request('tools/call', { name: i % 2 ? 'a_1mcp_echo' : 'b_1mcp_echo', arguments: { text } });
              if (result.content?.[0]?.text !== text) mismatched++;
            } catch {
              errors++;
            }
          }
        }),
      );
      expect(errors).toBe(0);
      expect(mismatched).toBe(0);
      const rssPeak = rssMb(pid);
      const health = async () => (await (await fetch(`${serve.origin}/health?x=1`)).json()) as { status: string };
      expect((await health()).status).toBe('healthy');
      // All 201 sessions go idle and expire.
      await waitFor(async () => ((await (await fetch(`${serve.origin}/api/status`)).json()) as { sessions: number }).sessions === 0, { timeout: 15_000, what: 'idle sessions to expire' });
      await Bun.sleep(1000);
      const rssEnd = rssMb(pid);
      console.log(`RSS start ${rssStart.toFixed(0)} MB, peak ${rssPeak.toFixed(0)} MB, after expiry ${rssEnd.toFixed(0)} MB`);
      expect(rssEnd).toBeLessThan(rssStart + 40);
    } finally {
      await serve.stop();
    }
  }, 60_000);
});

describe('fuzz', () => {
  test('10,000 generated and mutated requests: no crash, every reply well-formed, healthy afterwards', async () => {
    const serve = await startServe({ mcpServers: { f: fixtureEntry(['--name', 'f']) } });
    try {
      const session = await openRawSession(serve.url);
      const sse = await fetch(`${serve.origin}/sse`);
      const reader = sse.body!.getReader();
      const first = new TextDecoder().decode((await reader.read()).value);
      const messagesPath = /data: (\S+)/.exec(first)![1]!;

      const rand = seededRandom(12345);
      const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;
      const valid = () => ({ jsonrpc: '2.0', id: Math.floor(rand() * 1e6), method: pick(['tools/list', 'tools/call', 'ping', 'resources/read', 'prompts/get']), params: { name: 'f_1mcp_echo', arguments: { text: 'x' } } });
      const mutate = (msg: any): string => {
        switch (Math.floor(rand() * 14)) {
          case 0: return JSON.stringify(msg).slice(0, Math.floor(rand() * 40));
          case 1: return Array.from({ length: Math.floor(rand() * 200) }, () => String.fromCharCode(Math.floor(rand() * 256))).join('');
          case 2: return JSON.stringify({ ...msg, id: { nested: [1, 2] } });
          case 3: return JSON.stringify({ ...msg, id: 10 ** 300 });
          case 4: return JSON.stringify({ ...msg, id: 'x'.repeat(10_000) });
          case 5: return JSON.stringify({ ...msg, method: 12 });
          case 6: return JSON.stringify({ ...msg, method: `unknown/${Math.floor(rand() * 100)}` });
          case 7: return JSON.stringify({ ...msg, jsonrpc: '1.0' });
          case 8: return JSON.stringify([msg, 'garbage', 42, null]);
          case 9: return JSON.stringify({ ...msg, params: 'not an object' });
          case 10: return JSON.stringify({ ...msg, params: { name: 42, arguments: [1, 2, 3] } });
          case 11: return 'null';
          case 12: return JSON.stringify([]);
          default: return JSON.stringify(msg);
        }
      };
      const variants = () => {
        const body = mutate(valid());
        const kind = Math.floor(rand() * 10);
        const headers: Record<string, string> = { ...JSON_HEADERS };
        if (kind <= 5) headers['mcp-session-id'] = session.id;
        if (kind === 6) headers['mcp-session-id'] = 'bogus-' + Math.floor(rand() * 1e9);
        if (kind === 7) headers['content-type'] = pick(['text/plain', 'application/xml', '']);
        if (kind === 8) headers.accept = pick(['text/html', '*/*', '']);
        const target = kind === 9 ? `${serve.origin}${messagesPath}${rand() < 0.5 ? '' : 'x'}` : `${serve.url}${rand() < 0.1 ? '?tags=' + encodeURIComponent(body.slice(0, 20)) : ''}`;
        // DELETE only with a bogus session: with the real one it would (rightly) end the session under test.
        const method = rand() < 0.05 ? pick(kind === 6 ? ['GET', 'PUT', 'DELETE', 'PATCH'] : ['GET', 'PUT', 'PATCH']) : 'POST';
        return { target, init: { method, headers, body: method === 'GET' ? undefined : body } as RequestInit };
      };

      const TOTAL = 10_000;
      let done = 0;
      const problems: string[] = [];
      const worker = async () => {
        while (done < TOTAL) {
          done++;
          const { target, init } = variants();
          const controller = new AbortController();
          const timer = setTimeout(() => controller.abort(), 5000);
          try {
            const r = await fetch(target, { ...init, signal: controller.signal });
            const type = r.headers.get('content-type');
            if (r.status >= 500) problems.push(`${r.status} for ${String(init.body).slice(0, 80)}`);
            // A GET on a session opens its notification stream: enough to see it opened well.
            if (init.method === 'GET' && type?.includes('text/event-stream')) {
              await r.body?.cancel();
              continue;
            }
            const text = await r.text();
            if (type?.includes('application/json') || type?.includes('text/event-stream')) {
              try {
                for (const m of messagesOf(type, text)) if (m.jsonrpc !== '2.0') problems.push(`not JSON-RPC: ${text.slice(0, 80)}`);
              } catch {
                problems.push(`malformed ${type}: ${text.slice(0, 80)}`);
              }
            }
          } catch (e) {
            if (!controller.signal.aborted) problems.push(`request failed: ${(e as Error).message}`);
          } finally {
            clearTimeout(timer);
          }
        }
      };
      await Promise.all(Array.from({ length: 16 }, worker));
      await reader.cancel();
      expect(problems.slice(0, 10)).toEqual([]);
      const health = await fetch(`${serve.origin}/health`);
      expect(health.status).toBe(200);
      expect(((await health.json()) as { status: string }).status).toBe('healthy');
      expect((await session.request('tools/call', { name: 'f_1mcp_echo', arguments: { text: 'alive' } })).content[0].text).toBe('alive');
    } finally {
      await serve.stop();
    }
  }, 120_000);
});
