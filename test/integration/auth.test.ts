/** serve --enable-auth with scoped bearer tokens (docs/security.md). */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'smol-toml';
import { runCli } from '../helpers/cli.ts';
import { fixtureEntry } from '../helpers/fixture.ts';
import { connectHttp, textOf } from '../helpers/mcp-client.ts';
import { connectProxy } from '../helpers/proxy.ts';
import { startServe, type ServeHandle } from '../helpers/serve.ts';

const INIT = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } });
const HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

describe('serve --enable-auth', () => {
  let serve: ServeHandle;
  const tokens: Record<string, string> = {};
  const auth = (...args: string[]) => runCli(['auth', 'token', ...args, '--config-dir', serve.dir]);
  const createToken = async (name: string, ...extra: string[]) => {
    const r = await auth('create', '--name', name, ...extra);
    expect(r.code).toBe(0);
    tokens[name] = r.stdout.trim();
    return tokens[name]!;
  };
  const status = async (token?: string, path = '/mcp') =>
    (await fetch(`${serve.origin}${path}`, { method: 'POST', headers: { ...HEADERS, ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: INIT })).status;

  beforeAll(async () => {
    serve = await startServe(
      { mcpServers: { files: fixtureEntry(['--name', 'files'], { tags: ['files'] }), web: fixtureEntry(['--name', 'web'], { tags: ['web'] }) } },
      { args: ['--enable-auth'], presets: { version: '1.0.0', presets: { everything: { name: 'everything', strategy: 'or', tagQuery: { $or: [{ tag: 'files' }, { tag: 'web' }] } } } } },
    );
    await createToken('full');
    await createToken('files-only', '--tags', 'files');
  });
  afterAll(async () => {
    await serve.stop();
  });

  test('no token, wrong token, expired, revoked → 401 with WWW-Authenticate; right token works; health open', async () => {
    const none = await fetch(serve.url, { method: 'POST', headers: HEADERS, body: INIT });
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toContain('Bearer');
    expect(await status('1mcp_not-a-real-token')).toBe(401);
    expect(await status(tokens.full)).toBe(200);
    expect((await fetch(`${serve.origin}/health`)).status).toBe(200);
    expect((await fetch(`${serve.origin}/api/status`)).status).toBe(401);
    expect((await fetch(`${serve.origin}/sse`)).status).toBe(401);

    // Expired: write a token that expired a second ago (creation can't make one in the past).
    const expired = await createToken('short', '--expires', '1s');
    await Bun.sleep(1100);
    expect(await status(expired)).toBe(401);

    // Revoked: works, then is refused by the running serve without a restart.
    const doomed = await createToken('doomed');
    expect(await status(doomed)).toBe(200);
    expect((await auth('revoke', 'doomed')).code).toBe(0);
    expect(await status(doomed)).toBe(401);
  });

  test('the token file never holds a token in clear', async () => {
    const file = readFileSync(join(serve.dir, 'tokens.json'), 'utf8');
    for (const t of Object.values(tokens)) expect(file).not.toContain(t);
    expect(file).toContain('"hash"');
    const list = await auth('list', '--json');
    for (const t of Object.values(tokens)) expect(list.stdout).not.toContain(t);
    expect(JSON.parse(list.stdout).map((t: { name: string }) => t.name)).toContain('files-only');
  });

  test('a --tags files token sees only files servers, even through a wider preset, and cannot call the others', async () => {
    const client = await connectHttp(`${serve.url}?preset=everything`, 'scoped', { authorization: `Bearer ${tokens['files-only']}` });
    try {
      const servers = [...new Set((await client.listTools()).tools.map((t) => t.name.split('_1mcp_')[0]))];
      expect(servers).toEqual(['files']);
      await expect(client.callTool({ name: 'web_1mcp_echo', arguments: { text: 'x' } })).rejects.toThrow(/unknown tool/);
      expect(textOf(await client.callTool({ name: 'files_1mcp_echo', arguments: { text: 'ok' } }))).toBe('ok');
    } finally {
      await client.close();
    }
  });

  test('a session opened with one token cannot be used with another', async () => {
    const init = await fetch(serve.url, { method: 'POST', headers: { ...HEADERS, authorization: `Bearer ${tokens.full}` }, body: INIT });
    const session = init.headers.get('mcp-session-id')!;
    await init.text();
    const other = await fetch(serve.url, {
      method: 'POST',
      headers: { ...HEADERS, authorization: `Bearer ${tokens['files-only']}`, 'mcp-session-id': session },
      body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }),
    });
    expect(other.status).toBe(403);
  });

  test('the proxy sends the token (ONE_MCP_TOKEN, --token, .1mcprc token_env)', async () => {
    const home = serve.dir;
    const viaEnv = await connectProxy({ home, cwd: home, args: ['--url', serve.url], env: { ONE_MCP_TOKEN: tokens.full! } });
    expect((await viaEnv.client.listTools()).tools.length).toBeGreaterThan(0);
    await viaEnv.client.close();
    const viaFlag = await connectProxy({ home, cwd: home, args: ['--url', serve.url, '--token', tokens['files-only']!] });
    expect([...new Set((await viaFlag.client.listTools()).tools.map((t) => t.name.split('_1mcp_')[0]))]).toEqual(['files']);
    await viaFlag.client.close();
    // token_env may only name an ONE_MCP_* variable; the token goes to this loopback url because it is
    // the running serve of the proxy's config dir (server.pid).
    writeFileSync(join(home, '.1mcprc'), JSON.stringify({ url: serve.url, token_env: 'ONE_MCP_TOKEN_WORK' }));
    const viaRc = await connectProxy({ home, cwd: home, env: { ONE_MCP_TOKEN_WORK: tokens.full!, ONE_MCP_CONFIG_DIR: serve.dir } });
    expect((await viaRc.client.listTools()).tools.length).toBeGreaterThan(0);
    await viaRc.client.close();
  });

  test('setup codex --http --token-env writes bearer_token_env_var', async () => {
    const r = await runCli(['setup', 'codex', '--http', '--token-env', 'ONE_MCP_TOKEN', '--config-dir', serve.dir], { env: { CODEX_HOME: serve.dir } });
    expect(r.code).toBe(0);
    const entry = (parse(readFileSync(join(serve.dir, 'config.toml'), 'utf8')) as any).mcp_servers['1mcp'];
    expect(entry).toMatchObject({ url: serve.url, bearer_token_env_var: 'ONE_MCP_TOKEN' });
  });
});
