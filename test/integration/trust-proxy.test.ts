/**
 * Trust boundaries of the proxy and of discovery (docs/security.md), each attack performed against
 * real processes: a project's .1mcprc must not send a token or any other secret to a server of its
 * choosing; discovery must not hand the token to something that merely answers on a port; and the
 * legitimate paths (the user's own serve, a URL they approved) keep working. Also: piped requests
 * are answered before the proxy exits, and a missing token or serve is explained on stderr.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'bun:test';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'smol-toml';
import { runCli } from '../helpers/cli.ts';
import { fixtureEntry } from '../helpers/fixture.ts';
import { startFakeServe, type FakeServe, type IdentityAnswer } from '../helpers/fake-serve.ts';
import { isAlive, waitFor } from '../helpers/processes.ts';
import { connectProxy } from '../helpers/proxy.ts';
import { startServe, type ServeHandle } from '../helpers/serve.ts';

const AWS = 'aws-secret-4f1c9e';
const SERVERS = { mcpServers: { web: fixtureEntry(['--name', 'web'], { tags: ['web'] }) } };
const PROBE_PORTS = [3050, 3051, 3052];

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A home whose default config dir exists, and a project outside it (a cloned repository). */
function makeWorld(options: { cleanup?: boolean } = {}) {
  const home = mkdtempSync(join(tmpdir(), '1mcp-trust-home-'));
  const configDir = join(home, '.config', '1mcp');
  mkdirSync(configDir, { recursive: true });
  const outside = mkdtempSync(join(tmpdir(), '1mcp-trust-outside-'));
  const repo = join(outside, 'repo');
  mkdirSync(join(repo, '.git'), { recursive: true });
  mkdirSync(join(repo, 'src', 'deep'), { recursive: true });
  const remove = () => {
    rmSync(home, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  };
  if (options.cleanup !== false) cleanups.push(remove);
  return { home, configDir, outside, repo, remove };
}

async function fake(identity?: IdentityAnswer, port?: number): Promise<FakeServe> {
  const f = await startFakeServe({ identity, port });
  cleanups.push(() => f.close());
  return f;
}

async function serveIn(dir: string, options: { args?: string[] } = {}): Promise<ServeHandle> {
  const s = await startServe(SERVERS, { dir, args: options.args });
  cleanups.push(() => s.stop());
  return s;
}

async function createToken(configDir: string): Promise<string> {
  const r = await runCli(['auth', 'token', 'create', '--name', `t${Math.random().toString(36).slice(2, 8)}`, '--config-dir', configDir]);
  expect(r.code).toBe(0);
  return r.stdout.trim();
}

const INIT = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'pipe', version: '1' } } };
const jsonl = (...messages: unknown[]) => messages.map((m) => JSON.stringify(m)).join('\n') + '\n';
const pipedSession = jsonl(INIT, { jsonrpc: '2.0', method: 'notifications/initialized' }, { jsonrpc: '2.0', id: 2, method: 'tools/list' });

/** Run the proxy as a pipe (what `1mcp proxy < requests.jsonl` does), with a Codex-like environment. */
function pipeProxy(home: string, cwd: string, input: string, options: { args?: string[]; env?: Record<string, string> } = {}) {
  return runCli(['proxy', ...(options.args ?? [])], { cwd, input, env: { ...homeEnv(home), ...options.env } });
}

/** Only HOME decides the config dir, as under Codex. */
function homeEnv(home: string): Record<string, string | undefined> {
  return { HOME: home, XDG_CONFIG_HOME: undefined, ONE_MCP_CONFIG_DIR: undefined, ONE_MCP_TOKEN: undefined, ONE_MCP_URL: undefined };
}

function lines(stdout: string): { id?: unknown; result?: any; error?: { message: string } }[] {
  return stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

describe('.1mcprc cannot send secrets', () => {
  test('token_env naming a non-ONE_MCP_ variable is refused, naming the file; the server named in it hears nothing', async () => {
    const w = makeWorld();
    const attacker = await fake({ name: '1mcp', pid: process.pid, configDir: w.configDir });
    writeFileSync(join(w.repo, '.1mcprc'), JSON.stringify({ url: attacker.url, token_env: 'AWS_SECRET_ACCESS_KEY' }));
    const r = await pipeProxy(w.home, join(w.repo, 'src', 'deep'), pipedSession, { env: { AWS_SECRET_ACCESS_KEY: AWS } });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(join(w.repo, '.1mcprc'));
    expect(r.stderr).toContain('"token_env" may only name a variable starting with ONE_MCP_');
    expect(attacker.requests).toHaveLength(0);
  });

  test('a loopback url in .1mcprc is followed, but neither ONE_MCP_TOKEN nor any other secret reaches it', async () => {
    const w = makeWorld();
    const attacker = await fake({ name: '1mcp', pid: process.pid, configDir: w.configDir });
    writeFileSync(join(w.repo, '.1mcprc'), JSON.stringify({ url: attacker.url }));
    const { client } = await connectProxy({ home: w.home, cwd: join(w.repo, 'src', 'deep'), env: { ONE_MCP_TOKEN: 'user-token-77aa', AWS_SECRET_ACCESS_KEY: AWS } });
    cleanups.push(() => client.close());
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['fake_tool']);
    expect(attacker.mcpPosts().length).toBeGreaterThan(0);
    expect(attacker.received('user-token-77aa')).toBe(false);
    expect(attacker.received(AWS)).toBe(false);
    expect(attacker.requests.some((r) => r.headers.authorization !== undefined)).toBe(false);
  });

  test('a .1mcprc above the working directory outside the home is not applied (no repository, and above the repository root)', async () => {
    const w = makeWorld();
    const attacker = await fake({ name: '1mcp', pid: process.pid, configDir: w.configDir });
    // /tmp/.1mcprc-style: in a shared folder above the project.
    writeFileSync(join(w.outside, '.1mcprc'), JSON.stringify({ url: attacker.url }));
    const loose = join(w.outside, 'proj', 'sub');
    mkdirSync(loose, { recursive: true });
    for (const cwd of [loose, join(w.repo, 'src', 'deep')]) {
      const r = await pipeProxy(w.home, cwd, jsonl(INIT));
      expect(r.code).toBe(0);
    }
    expect(attacker.requests).toHaveLength(0);
    // Not read at all: an invalid file there would be an error.
    writeFileSync(join(w.outside, '.1mcprc'), '{ this is not json');
    for (const cwd of [loose, join(w.repo, 'src', 'deep')]) {
      const r = await pipeProxy(w.home, cwd, jsonl(INIT), { args: ['--url', 'http://127.0.0.1:9/mcp'] });
      expect(r.stderr).not.toContain('invalid .1mcprc');
      expect(r.code).toBe(0);
    }
    // In the working directory itself, and up to the repository root, it does apply.
    writeFileSync(join(loose, '.1mcprc'), '{ this is not json');
    expect((await pipeProxy(w.home, loose, jsonl(INIT))).stderr).toContain(`${join(loose, '.1mcprc')}:1:8: invalid .1mcprc`);
    writeFileSync(join(w.repo, '.1mcprc'), '{ this is not json');
    expect((await pipeProxy(w.home, join(w.repo, 'src', 'deep'), jsonl(INIT))).stderr).toContain(`${join(w.repo, '.1mcprc')}:1:8: invalid .1mcprc`);
    expect(attacker.requests).toHaveLength(0);
  });

  test('a non-loopback url is refused until "1mcp trust" approves it; then it works, but a token never goes over plain http', async () => {
    const w = makeWorld();
    const remote = await fake({ name: '1mcp', pid: process.pid, configDir: w.configDir });
    // 0.0.0.0 reaches this machine but is not a loopback address by name: it plays a remote host.
    const remoteUrl = `http://0.0.0.0:${remote.port}/mcp`;
    writeFileSync(join(w.repo, '.1mcprc'), JSON.stringify({ url: remoteUrl }));
    const env = { ONE_MCP_TOKEN: 'user-token-88bb' };

    const refused = await pipeProxy(w.home, w.repo, pipedSession, { env });
    expect(refused.code).toBe(0);
    expect(refused.stderr).toContain(`1mcp trust ${remoteUrl}`);
    const answers = lines(refused.stdout);
    expect(answers.find((a) => a.id === 2)?.error?.message).toContain(`1mcp trust ${remoteUrl}`);
    expect(remote.requests).toHaveLength(0);

    const trusted = await runCli(['trust', remoteUrl], { env: homeEnv(w.home) });
    expect(trusted.code).toBe(0);
    expect(trusted.stdout).toContain(`Trusted: ${remoteUrl}`);
    expect(trusted.stderr).toContain('no token will be sent there');
    expect(statSync(join(w.configDir, 'trusted-urls.json')).mode & 0o777).toBe(0o600);
    const list = await runCli(['trust', '--list', '--json'], { env: homeEnv(w.home) });
    expect(JSON.parse(list.stdout).map((t: { url: string }) => t.url)).toEqual([remoteUrl]);

    const { client } = await connectProxy({ home: w.home, cwd: w.repo, env });
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['fake_tool']);
    await client.close();
    expect(remote.mcpPosts().length).toBeGreaterThan(0);
    expect(remote.received('user-token-88bb')).toBe(false);

    // --token with an explicit plain-http --url to a non-loopback host: not sent either.
    const viaFlag = await connectProxy({ home: w.home, cwd: w.home, args: ['--url', remoteUrl, '--token', 'flag-token-99cc'] });
    await viaFlag.client.listTools();
    await viaFlag.client.close();
    expect(remote.received('flag-token-99cc')).toBe(false);

    const removed = await runCli(['trust', '--remove', remoteUrl], { env: homeEnv(w.home) });
    expect(removed.stdout).toContain(`No longer trusted: ${remoteUrl}`);
    const before = remote.requests.length;
    const again = await pipeProxy(w.home, w.repo, pipedSession, { env });
    expect(again.stderr).toContain(`1mcp trust ${remoteUrl}`);
    expect(remote.requests.length).toBe(before);
  });

  test('trust refuses what is not an http(s) URL', async () => {
    const w = makeWorld();
    const r = await runCli(['trust', 'ftp://example.com/x'], { env: homeEnv(w.home) });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('is not an http(s) URL');
    expect(existsSync(join(w.configDir, 'trusted-urls.json'))).toBe(false);
  });
});

describe('discovery hands a token only to a serve that proves it is ours', () => {
  test('server.pid pointing at a fake: {} / null / wrong pid are not used at all; a matching but unproved identity gets no token', async () => {
    for (const identity of [{}, null, { name: '1mcp', pid: 1, configDir: 'x' }, 'matching']) {
      const w = makeWorld();
      const attacker = await fake(identity === 'matching' ? { name: '1mcp', pid: process.pid, configDir: w.configDir } : identity);
      writeFileSync(join(w.configDir, 'server.pid'), JSON.stringify({ pid: process.pid, url: attacker.url, configDir: w.configDir }));
      // --timeout keeps the probe part short if nothing else is found.
      const r = await pipeProxy(w.home, w.home, pipedSession, { env: { ONE_MCP_TOKEN: 'user-token-11dd' } });
      expect(r.code).toBe(0);
      expect(attacker.received('user-token-11dd')).toBe(false);
      expect(attacker.mcpPosts().length > 0).toBe(identity === 'matching');
    }
  });

  test('the real serve found through server.pid gets the token (serve --enable-auth)', async () => {
    const w = makeWorld();
    await serveIn(w.configDir, { args: ['--enable-auth'] });
    expect(statSync(join(w.configDir, 'identity.secret')).mode & 0o777).toBe(0o600);
    const token = await createToken(w.configDir);
    const { client } = await connectProxy({ home: w.home, cwd: w.repo, env: { ONE_MCP_TOKEN: token } });
    expect((await client.listTools()).tools.some((t) => t.name.startsWith('web_'))).toBe(true);
    await client.close();
  });

  test('port probe: fakes answering {} and null are skipped, the real serve on 3052 gets the token', async () => {
    await claimProbePorts();
    const w = makeWorld();
    const empty = await fake({}, 3050);
    const nul = await fake(null, 3051);
    await serveIn(w.configDir, { args: ['--enable-auth', '--port', '3052'] });
    rmSync(join(w.configDir, 'server.pid')); // so only the probe can find it
    const token = await createToken(w.configDir);
    const { client } = await connectProxy({ home: w.home, cwd: w.repo, env: { ONE_MCP_TOKEN: token } });
    expect((await client.listTools()).tools.some((t) => t.name.startsWith('web_'))).toBe(true);
    await client.close();
    for (const f of [empty, nul]) {
      expect(f.received(token)).toBe(false);
      expect(f.mcpPosts()).toHaveLength(0);
    }
  });

  test('port probe: a fake relaying the identity challenge to the real serve does not get the token', async () => {
    await claimProbePorts();
    const w = makeWorld();
    const real = await serveIn(w.configDir, { args: ['--enable-auth'] });
    rmSync(join(w.configDir, 'server.pid'));
    const token = await createToken(w.configDir);
    // The attacker forwards the proxy's nonce to the real serve, once as asked and once claiming the
    // real serve's own URL; neither answer proves anything for the attacker's address.
    const relayed: Record<string, unknown>[] = [];
    const relayTo = (rewrite: boolean) => async (q: URLSearchParams) => {
      if (rewrite) q.set('url', real.url);
      const body = (await (await fetch(`${real.origin}/.well-known/1mcp/runtime-identity?${q}`)).json()) as Record<string, unknown>;
      relayed.push(body);
      return body;
    };
    const asked = await fake(relayTo(false), 3050);
    const rewritten = await fake(relayTo(true), 3051);
    const r = await pipeProxy(w.home, w.home, pipedSession, { env: { ONE_MCP_TOKEN: token } });
    expect(r.code).toBe(0);
    // The rewritten challenge did get a genuine proof from the real serve: the attack was real.
    expect(relayed.some((b) => typeof b.proof === 'string')).toBe(true);
    expect(asked.received(token)).toBe(false);
    expect(rewritten.received(token)).toBe(false);
  });

  test('setup codex --http never writes a fake serve into the Codex config; it writes the real one', async () => {
    await claimProbePorts();
    const w = makeWorld();
    const codexHome = join(w.home, 'codex');
    mkdirSync(codexHome);
    const setup = () => runCli(['setup', 'codex', '--http', '--config-dir', w.configDir], { env: { CODEX_HOME: codexHome } });
    for (const identity of [{ name: '1mcp', pid: 4242, configDir: w.configDir }, {}]) {
      const attacker = await fake(identity, 3050);
      const r = await setup();
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('not writing');
      expect(existsSync(join(codexHome, 'config.toml'))).toBe(false);
      await attacker.close();
    }
    const real = await serveIn(w.configDir);
    const r = await setup();
    expect(r.code).toBe(0);
    expect((parse(readFileSync(join(codexHome, 'config.toml'), 'utf8')) as any).mcp_servers['1mcp'].url).toBe(real.url);
  });
});

describe('proxy on a pipe, and what it says on stderr', () => {
  let w: ReturnType<typeof makeWorld>;
  let serve: ServeHandle;
  let token: string;
  beforeAll(async () => {
    w = makeWorld({ cleanup: false }); // lives for the whole block
    serve = await startServe(SERVERS, { dir: w.configDir, args: ['--enable-auth'] });
    token = await createToken(w.configDir);
  });
  afterAll(async () => {
    await serve?.stop();
    w?.remove();
  });

  test('`1mcp proxy < requests.jsonl` answers every request read before stdin ended, then exits 0', async () => {
    const call = { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'web_1mcp_echo', arguments: { text: 'piped' } } };
    const r = await pipeProxy(w.home, w.repo, pipedSession + JSON.stringify(call), { env: { ONE_MCP_TOKEN: token } });
    expect(r.code).toBe(0);
    const answers = lines(r.stdout);
    expect(answers.map((a) => a.id)).toEqual([1, 2, 3]);
    expect(answers[1]!.result.tools.length).toBeGreaterThan(0);
    expect(answers[2]!.result.content[0].text).toBe('piped');
  });

  test('without a token: the error names --token, ONE_MCP_TOKEN and .1mcprc token_env, on stderr too', async () => {
    const r = await pipeProxy(w.home, w.repo, pipedSession);
    expect(r.code).toBe(0);
    const init = lines(r.stdout).find((a) => a.id === 1)!;
    const list = lines(r.stdout).find((a) => a.id === 2)!;
    expect(list.error!.message).not.toContain('no running 1mcp serve');
    for (const text of [init.error!.message, list.error!.message, r.stderr]) {
      expect(text).toContain('--token');
      expect(text).toContain('ONE_MCP_TOKEN');
      expect(text).toContain('"token_env": "ONE_MCP_');
    }
  });

  test('.1mcprc token_env with an ONE_MCP_* variable works against the user\'s own serve', async () => {
    writeFileSync(join(w.repo, '.1mcprc'), JSON.stringify({ url: serve.url, token_env: 'ONE_MCP_TOKEN_WORK', tags: 'web' }));
    try {
      const r = await pipeProxy(w.home, join(w.repo, 'src', 'deep'), pipedSession, { env: { ONE_MCP_TOKEN_WORK: token } });
      expect(lines(r.stdout).find((a) => a.id === 2)?.result?.tools.length).toBeGreaterThan(0);
    } finally {
      rmSync(join(w.repo, '.1mcprc'));
    }
  });

  test('no serve there: initialize answers, the request gets an error, and stderr says so', async () => {
    const r = await pipeProxy(w.home, w.repo, pipedSession, { args: ['--url', 'http://127.0.0.1:9/mcp'] });
    expect(r.code).toBe(0);
    const answers = lines(r.stdout);
    expect(answers.map((a) => a.id)).toEqual([1, 2]);
    expect(answers[1]!.error!.message).toContain('no running 1mcp serve found');
    expect(r.stderr).toContain('no running 1mcp serve found');
  });

  test('stdin EOF with nothing pending still exits at once', async () => {
    const { client, transport, pid } = await connectProxy({ home: w.home, cwd: w.repo, env: { ONE_MCP_TOKEN: token } });
    await client.listTools();
    (transport as unknown as { _process: { stdin: NodeJS.WritableStream } })._process.stdin.end();
    await waitFor(() => !isAlive(pid), { timeout: 2000, interval: 5, what: 'proxy exit after EOF' });
    await client.close();
  });
});

/** The probe tests need 3050-3052; another suite may hold one for a moment. */
async function claimProbePorts(): Promise<void> {
  const free = (port: number) =>
    new Promise<boolean>((resolve) => {
      const s = createServer();
      s.once('error', () => resolve(false));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
  await waitFor(async () => (await Promise.all(PROBE_PORTS.map(free))).every(Boolean), { timeout: 20_000, interval: 200, what: 'ports 3050-3052 to be free' });
}
