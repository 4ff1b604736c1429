/**
 * The HTTP edge after the per-request shortcuts: the peer address is still there when asked for,
 * requests that waited for serve's app and requests after it are both answered by the app, and the
 * Host check remembers nothing that lets a bad Host through.
 */
import { afterEach, describe, expect, test } from 'bun:test';
import { join } from 'node:path';
import { listenFirst } from '../../src/server/listen-first.ts';
import { makeHostGuard } from '../../src/server/http/guard.ts';
import { serveHttp, type HttpServerHandle } from '../../src/runtime/http.ts';
import { makeTempDir } from '../helpers/tmp.ts';

const handles: HttpServerHandle[] = [];
afterEach(async () => {
  for (const h of handles.splice(0)) await h.close(true);
});

describe('HTTP edge hot path', () => {
  test('the peer address is read only when asked, and is right', async () => {
    const http = await serveHttp({ port: 0, host: '127.0.0.1', fetch: (_request, info) => new Response(String(info.remoteAddress)) });
    handles.push(http);
    expect(await (await fetch(`http://127.0.0.1:${http.port}/`)).text()).toBe('127.0.0.1');
  });

  test('a request that waited for the app and one after it both reach the app', async () => {
    const dir = makeTempDir();
    try {
      const early = await listenFirst({ port: 0, host: '127.0.0.1', mcpJson: join(dir.path, 'mcp.json') });
      handles.push(early.http);
      const url = `http://127.0.0.1:${early.http.port}/mcp`;
      const waiting = fetch(url);
      await Bun.sleep(50);
      early.ready(async (request) => new Response(`app ${new URL(request.url).pathname}`));
      expect(await (await waiting).text()).toBe('app /mcp');
      expect(await (await fetch(url)).text()).toBe('app /mcp');
    } finally {
      dir.cleanup();
    }
  });

  test('the Host check: a good Host passes every time, a bad one after it is still refused', () => {
    let port = 4000;
    const guard = makeHostGuard('127.0.0.1', () => port);
    const req = (host: string) => new Request('http://x/mcp', { headers: { host } });
    expect(guard(req('127.0.0.1:4000'))).toBeUndefined();
    expect(guard(req('127.0.0.1:4000'))).toBeUndefined();
    expect(guard(req('evil.example:4000'))).toContain('is not allowed');
    expect(guard(req('127.0.0.1:4000'))).toBeUndefined();
    // The port a Host passed for is part of what is remembered.
    port = 4001;
    expect(guard(req('127.0.0.1:4000'))).toContain('is not allowed');
    expect(guard(req('localhost:4001'))).toBeUndefined();
  });
});
