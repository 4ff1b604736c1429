/**
 * The real `1mcp proxy` process reading event streams as the HTML SSE standard says, against a small
 * Streamable HTTP server written here: lines ended by a lone CR carry messages like any others, and an
 * event cut off before its blank line (the stream ended early) is not taken as the answer.
 */
import { afterEach, expect, test } from 'bun:test';
import { createServer, type Server } from 'node:http';
import { runCli } from '../helpers/cli.ts';
import { makeTempDir, type TempDir } from '../helpers/tmp.ts';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

type Message = { jsonrpc: '2.0'; id?: number | string; method?: string; params?: any; result?: any; error?: { message: string } };

/** Answers every POST with an event stream whose body this function writes, line ends and all. */
async function sseServer(body: (message: Message) => string | undefined): Promise<{ url: string; posts: Message[] }> {
  const posts: Message[] = [];
  const server: Server = createServer((req, res) => {
    let text = '';
    req.on('data', (d) => (text += d));
    req.on('end', () => {
      if (req.method !== 'POST') {
        res.writeHead(req.method === 'DELETE' ? 200 : 405).end();
        return;
      }
      const message = JSON.parse(text) as Message;
      posts.push(message);
      const stream = body(message);
      if (stream === undefined) {
        res.writeHead(202).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream', 'mcp-session-id': 'cr-session' });
      res.end(stream);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/mcp`, posts };
}

function home(): TempDir {
  const dir = makeTempDir('1mcp-proxy-sse-');
  cleanups.push(() => dir.cleanup());
  return dir;
}

const data = (message: object) => `data: ${JSON.stringify(message)}`;

/** `1mcp proxy --url … < lines`: every request read is answered before it exits (bounded by its --timeout). */
async function pipe(url: string, messages: Message[]) {
  const r = await runCli(['proxy', '--url', url, '--timeout', '5000'], {
    input: messages.map((m) => JSON.stringify(m)).join('\n'),
    env: { HOME: home().path, XDG_CONFIG_HOME: undefined, ONE_MCP_CONFIG_DIR: undefined, ONE_MCP_TOKEN: undefined, ONE_MCP_URL: undefined },
  });
  expect(r.code).toBe(0);
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Message);
}

const INIT: Message = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '0' } } };
const initAnswer = (m: Message) => ({ jsonrpc: '2.0', id: m.id, result: { protocolVersion: '2025-06-18', capabilities: { tools: {} }, serverInfo: { name: 'cr-server', version: '1' } } });

test('event streams whose lines end in a lone CR: the session opens and every message comes through', async () => {
  const server = await sseServer((m) => {
    if (m.method === 'initialize') return `event: message\r${data(initAnswer(m))}\r\r`;
    if (m.method === 'tools/list') {
      const log = { jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: 'listing' } };
      return `: a comment\r${data(log)}\r\r${data({ jsonrpc: '2.0', id: m.id, result: { tools: [{ name: 'cr_tool', inputSchema: { type: 'object' } }] } })}\r\r`;
    }
    return undefined;
  });
  const out = await pipe(server.url, [INIT, { jsonrpc: '2.0', id: 2, method: 'tools/list' }]);
  // Not the proxy's own stand-in answer ("no running 1mcp serve was found"): the server's.
  expect(out.find((m) => m.id === 1)?.result?.serverInfo?.name).toBe('cr-server');
  expect(out.find((m) => m.method === 'notifications/message')?.params?.data).toBe('listing');
  expect(out.find((m) => m.id === 2)?.result?.tools?.map((t: { name: string }) => t.name)).toEqual(['cr_tool']);
  expect(server.posts.map((m) => m.method)).toEqual(['initialize', 'tools/list']);
});

test('a stream that ends inside an event (no blank line) gives the client an error for that request, not the cut event', async () => {
  const server = await sseServer((m) => {
    if (m.method === 'initialize') return `${data(initAnswer(m))}\n\n`;
    if (m.method === 'tools/call') return `${data({ jsonrpc: '2.0', id: m.id, result: { content: [{ type: 'text', text: 'cut short' }] } })}\n`;
    // The legitimate path next to it: a complete event.
    if (m.method === 'tools/list') return `${data({ jsonrpc: '2.0', id: m.id, result: { tools: [] } })}\n\n`;
    return undefined;
  });
  const out = await pipe(server.url, [INIT, { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'x', arguments: {} } }, { jsonrpc: '2.0', id: 3, method: 'tools/list' }]);
  const answers = out.filter((m) => m.id === 2);
  expect(answers).toHaveLength(1);
  expect(answers[0]!.result).toBeUndefined();
  expect(answers[0]!.error?.message).toContain('lost during this request');
  expect(out.find((m) => m.id === 3)?.result).toEqual({ tools: [] });
});
