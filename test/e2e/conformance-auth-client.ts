/**
 * The "client under test" for the official conformance suite's client auth scenarios
 * (`conformance client --suite auth --command "bun test/e2e/conformance-auth-client.ts"`).
 *
 * The suite starts a protected MCP server and an authorization server per scenario and appends the MCP
 * server's URL. This harness plays the user of 1mcp, nothing more: it adds that URL as a remote server
 * in a fresh config dir, starts `serve`, runs `1mcp mcp auth <name> --no-browser` whenever serve says a
 * login is needed, opens the printed link as a browser would (the suite's authorization server answers
 * at once with a redirect to the CLI's loopback callback), then lists and calls a tool through serve's
 * /mcp with an SDK client. Every OAuth decision (discovery, scopes, registration, PKCE, resource and
 * `iss` checks, step-up) is made by 1mcp's own code. Exit code 0 only when the tool call worked.
 *
 * Scenario context (MCP_CONFORMANCE_CONTEXT) is read the way a user reads their client's settings: a
 * pre-registered client id/secret goes into the server entry's `oauth` field.
 */
import { spawn } from 'node:child_process';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { cliCommand } from '../helpers/cli.ts';
import { waitFor } from '../helpers/processes.ts';
import { startServe, type ServeHandle } from '../helpers/serve.ts';

/** Where 1mcp's client ID metadata document would be published (the suite expects this URL as client_id). */
const CIMD_URL = 'https://conformance-test.local/client-metadata.json';
/** How many logins the "user" is willing to do before giving up (serve must not ask for more). */
const MAX_LOGINS = 4;
const NAME = 'target';

const serverUrl = process.argv.at(-1)!;
const scenario = process.env.MCP_CONFORMANCE_SCENARIO ?? '';
const context = JSON.parse(process.env.MCP_CONFORMANCE_CONTEXT ?? '{}') as Record<string, unknown>;
const log = (line: string) => process.stderr.write(`[harness ${scenario}] ${line}\n`);

interface ServerStatus {
  name: string;
  state: string;
  lastError?: string;
}

async function stateOf(serve: ServeHandle): Promise<ServerStatus | undefined> {
  const body = (await (await fetch(`${serve.origin}/api/status`)).json()) as { servers: ServerStatus[] };
  return body.servers.find((s) => s.name === NAME);
}

/** Wait until the server's first connection attempt is over: connected, awaiting-auth, or failed (restarting). */
function settled(serve: ServeHandle): Promise<ServerStatus> {
  return waitFor(
    async () => {
      const s = await stateOf(serve);
      return s && s.state !== 'starting' ? s : undefined;
    },
    { timeout: 15_000, what: `server "${NAME}" to settle` },
  );
}

/** `1mcp mcp auth target --no-browser`; the browser part: open the link and follow its redirects. */
async function login(serve: ServeHandle): Promise<number> {
  const [cmd, ...pre] = cliCommand();
  const cli = spawn(cmd!, [...pre, 'mcp', 'auth', NAME, '--no-browser', '--timeout', '15', '--config-dir', serve.dir], {
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let opened = false;
  const exited = new Promise<number>((resolve) => cli.on('exit', (code) => resolve(code ?? 1)));
  const onData = (d: Buffer) => {
    out += d;
    const link = /^\s+(https?:\/\/\S+)$/m.exec(out)?.[1];
    if (link && !opened) {
      opened = true;
      // A browser: GET the authorization URL and follow every redirect (to the loopback callback).
      fetch(link)
        .then((r) => r.text())
        .catch((error) => log(`browser: ${(error as Error).message}`));
    }
  };
  cli.stdout!.on('data', onData);
  cli.stderr!.on('data', onData);
  const code = await exited;
  log(`mcp auth exited ${code}:\n${out.trim()}`);
  return code;
}

async function listAndCall(serve: ServeHandle): Promise<void> {
  const client = new Client({ name: 'conformance-harness', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(serve.url)));
  try {
    const { tools } = await client.listTools();
    log(`tools: ${tools.map((t) => t.name).join(', ')}`);
    const tool = tools[0];
    if (!tool) throw new Error('serve lists no tools of the protected server');
    const result = await client.callTool({ name: tool.name, arguments: {} });
    if (result.isError) throw new Error(`tool call failed: ${JSON.stringify(result.content)}`);
    log(`call ok: ${JSON.stringify(result.content)}`);
  } finally {
    await client.close();
  }
}

async function main(): Promise<number> {
  const oauth: Record<string, unknown> = { clientMetadataUrl: CIMD_URL };
  if (typeof context.client_id === 'string') oauth.clientId = context.client_id;
  if (typeof context.client_secret === 'string') oauth.clientSecret = context.client_secret;
  const serve = await startServe({ mcpServers: { [NAME]: { type: 'http', url: serverUrl, prefix: '', oauth } } }, { waitReady: false, args: ['--log-level', 'debug'] });
  let logins = 0;
  try {
    let status = await settled(serve);
    for (;;) {
      log(`state ${status.state}${status.lastError ? `: ${status.lastError}` : ''}`);
      if (status.state === 'awaiting-auth') {
        if (++logins > MAX_LOGINS) throw new Error(`serve asked for more than ${MAX_LOGINS} logins`);
        if ((await login(serve)) !== 0) return 1;
        status = await settled(serve);
        continue;
      }
      if (status.state !== 'connected') return 1;
      try {
        await listAndCall(serve);
        return 0;
      } catch (error) {
        log(`through serve: ${(error as Error).message}`);
        // A call that needs more scope puts the server back in awaiting-auth: log in again (as a user would).
        const after = await stateOf(serve);
        if (after?.state !== 'awaiting-auth') return 1;
        status = after;
      }
    }
  } catch (error) {
    log((error as Error).message);
    return 1;
  } finally {
    if (process.env.HARNESS_DEBUG) log(serve.stderr());
    await serve.stop();
  }
}

process.exit(await main());
