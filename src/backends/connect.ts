/**
 * Open an MCP client connection to one configured server: stdio child, Streamable HTTP, or SSE
 * (with the http → sse fallback of docs/configuration.md when the type was only inferred), within connectionTimeout.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { ServerConfig } from '../config/mcp-schema.ts';
import { VERSION } from '../version.ts';
import { StoredOAuthProvider } from './auth/provider.ts';
import { refreshOnce } from './auth/refresh-once.ts';
import { childEnv } from './child-env.ts';
import { ANNOUNCED_CLIENT_CAPABILITIES } from './client-capabilities.ts';
import { keepErrorData } from './error-data.ts';
import { LazyJsonSchemaValidator } from './lazy-validator.ts';
import type { ModernClient } from './modern/client.ts';
import { chooseEra } from './modern/era.ts';
import type { StderrRing } from './stderr-ring.ts';
import { ChildStdioTransport } from './stdio-transport.ts';
import { fetchWithTraceHeader, traceHeaders } from './trace-header.ts';

export interface Connection {
  client: Client;
  transport: Transport;
  pid?: number;
}

export { ANNOUNCED_CLIENT_CAPABILITIES } from './client-capabilities.ts';

export function newClient(): Client {
  return new Client({ name: '1mcp', version: VERSION }, { capabilities: ANNOUNCED_CLIENT_CAPABILITIES, jsonSchemaValidator: new LazyJsonSchemaValidator() });
}

function makeTransport(config: ServerConfig, stderr: StderrRing, kind: 'stdio' | 'http' | 'sse'): Transport {
  if (kind === 'stdio') {
    return new ChildStdioTransport({ command: config.command!, args: config.args, env: childEnv(config), cwd: config.cwd, stderr });
  }
  const requestInit: RequestInit = { headers: config.headers };
  const url = new URL(config.url!);
  // With traces on, each request's trace context also goes out as a traceparent header.
  const tracedFetch = traceHeaders.enabled ? fetchWithTraceHeader() : undefined;
  const authProvider = oauthProvider(config);
  // With OAuth, concurrent 401s share one refresh per refresh token (auth/refresh-once.ts), and the
  // server's challenges are kept for the next login (auth/challenge.ts).
  const fetchOption = authProvider ? { fetch: authProvider.watch(refreshOnce(tracedFetch)) } : tracedFetch ? { fetch: tracedFetch } : {};
  if (kind === 'sse') {
    return new SSEClientTransport(url, {
      authProvider,
      requestInit,
      ...fetchOption,
      // The EventSource GET needs the headers too. The SDK hands over a Headers object (with Accept and
      // the OAuth token): add to it — spreading it would drop them all.
      eventSourceInit: {
        fetch: (u, init) => {
          const headers = new Headers(init?.headers);
          for (const [name, value] of Object.entries(config.headers)) headers.set(name, value);
          return (fetchOption.fetch ?? fetch)(u, { ...init, headers });
        },
      },
    });
  }
  return new StreamableHTTPClientTransport(url, { requestInit, authProvider, ...fetchOption });
}

/**
 * OAuth for a remote server (docs/security.md): its stored login, refreshed as needed. Not when the
 * entry sets its own Authorization header — the user manages that credential.
 */
function oauthProvider(config: ServerConfig): StoredOAuthProvider | undefined {
  if (!config.oauthFile || Object.keys(config.headers).some((h) => h.toLowerCase() === 'authorization')) return undefined;
  return new StoredOAuthProvider({ name: config.name, url: config.url!, oauthFile: config.oauthFile, oauth: config.oauth }, { kind: 'serve' });
}

/** Connect with a deadline; `prepare` registers handlers before the handshake starts. */
/**
 * `signal` aborts a connect in progress (serve stopping, the server removed): the half-started child is
 * stopped like any other before this rejects, so nothing outlives serve.
 */
export async function connect(config: ServerConfig, stderr: StderrRing, prepare: (client: Client) => void, signal?: AbortSignal): Promise<Connection> {
  const attempt = async (kind: 'stdio' | 'http' | 'sse'): Promise<Connection> => {
    const client = newClient();
    let transport = makeTransport(config, stderr, kind);
    let modern: ModernClient | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let onAbort: (() => void) | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`did not finish connecting within ${config.connectionTimeout} ms (connectionTimeout)`)), config.connectionTimeout);
      onAbort = () => reject(new Error('stopped while connecting'));
      if (signal?.aborted) onAbort();
      else signal?.addEventListener('abort', onAbort, { once: true });
    });
    try {
      // The era first (modern/era.ts): a backend that answers server/discover gets the modern client.
      const choice = await Promise.race([chooseEra(config, kind, transport, () => makeTransport(config, stderr, kind)), deadline]);
      transport = choice.transport;
      modern = choice.modern;
      const chosen = (modern ?? client) as Client;
      prepare(chosen);
      if (modern) void modern.listen();
      else await Promise.race([client.connect(transport, { timeout: config.connectionTimeout }), deadline]);
      keepErrorData(transport);
      return { client: chosen, transport, pid: transport instanceof ChildStdioTransport ? transport.pid : undefined };
    } catch (error) {
      await (modern ?? client).close().catch(() => {});
      await transport.close().catch(() => {});
      throw error;
    } finally {
      clearTimeout(timer);
      if (onAbort) signal?.removeEventListener('abort', onAbort);
    }
  };
  if (config.type === 'http' && config.typeInferred) {
    try {
      return await attempt('http');
    } catch (error) {
      const code = (error as { code?: number }).code;
      if (typeof code === 'number' && code >= 400 && code < 500 && !signal?.aborted) return attempt('sse');
      throw error;
    }
  }
  return attempt(config.type);
}
