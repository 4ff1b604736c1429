/**
 * Find the running serve (docs/security.md): --url > .1mcprc url > server.pid (pid alive and identity
 * matching) > probing 127.0.0.1:3050-3052. Works from HOME alone: Codex strips ONE_MCP_* variables.
 *
 * Finding a server is not the same as trusting it with a token (docs/security.md). Each result says
 * whether a bearer token may go there:
 * - a URL the user named (--url / ONE_MCP_URL) or approved (`1mcp trust`, or their serve's own URL
 *   from server.pid): yes, over loopback or https;
 * - anything found by looking (a loopback .1mcprc url, server.pid, a port probe): only when its
 *   identity proves knowledge of the config dir's identity key (see config/identity-secret.ts).
 * A .1mcprc url that is neither loopback nor approved is refused outright.
 */
import { dirname } from 'node:path';
import { checkIdentityProof, newNonce, readIdentitySecret } from '../config/identity-secret.ts';
import { readPidFile } from '../config/pidfile.ts';
import { canonicalServeUrl, isLoopbackUrl, isTrustedUrl, tokenTransportProblem } from '../config/trust.ts';
import { isProcessAlive } from '../runtime/process.ts';

export const PROBE_PORTS = [3050, 3051, 3052];
export const IDENTITY_PATH = '/.well-known/1mcp/runtime-identity';

export interface Discovered {
  /** The /mcp endpoint, without a view query. */
  url: string;
  source: 'flag' | '.1mcprc' | 'server.pid' | 'probe';
  /** Whether a bearer token may be sent to `url`. */
  tokenAllowed: boolean;
  /** Why not, for the message a 401 gets. */
  tokenWithheld?: string;
  /** The user named this URL, or it proved it is the serve of this config dir. */
  verified: boolean;
}

export function normaliseMcpUrl(url: string): string {
  const u = new URL(url);
  if (!/\/mcp\/?$/.test(u.pathname)) u.pathname = `${u.pathname.replace(/\/+$/, '')}/mcp`;
  return u.toString();
}

export interface Identity {
  /** `{ name: "1mcp", pid, configDir }` answered (the shape of a 1mcp serve, proved or not). */
  is1mcp: boolean;
  pid?: number;
  configDir?: string;
  /** It answered the nonce with a valid HMAC of the identity key for this very URL. */
  proved: boolean;
  problem?: string;
}

/**
 * Ask the identity endpoint behind `mcpUrl`; with `configDir`, also challenge it to prove it knows
 * that dir's identity key. The key is read after the answer: a serve started a moment ago creates it.
 */
export async function checkIdentity(mcpUrl: string, timeoutMs: number, configDir?: string): Promise<Identity> {
  const u = new URL(mcpUrl);
  const bound = canonicalServeUrl(mcpUrl);
  u.pathname = IDENTITY_PATH;
  u.search = '';
  const nonce = newNonce();
  if (configDir) {
    u.searchParams.set('nonce', nonce);
    u.searchParams.set('url', bound);
  }
  try {
    const response = await fetch(u, { signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
    if (!response.ok) {
      await response.body?.cancel().catch(() => {});
      return { is1mcp: false, proved: false, problem: `identity answered ${response.status}` };
    }
    const body = (await response.json().catch(() => undefined)) as Record<string, unknown> | null | undefined;
    const is1mcp = !!body && typeof body === 'object' && body.name === '1mcp' && Number.isInteger(body.pid) && typeof body.configDir === 'string';
    if (!is1mcp) return { is1mcp: false, proved: false, problem: 'what answers there is not a 1mcp serve' };
    const key = configDir && body!.proof !== undefined ? readIdentitySecret(configDir) : undefined;
    return { is1mcp, pid: body!.pid as number, configDir: body!.configDir as string, proved: !!key && checkIdentityProof(key, nonce, bound, body!.proof) };
  } catch (error) {
    return { is1mcp: false, proved: false, problem: `no answer (${(error as Error).message})` };
  }
}

/** Whether a 1mcp identity endpoint answers at the server behind `mcpUrl` (shape only, no proof). */
export async function identityAnswers(mcpUrl: string, timeoutMs: number): Promise<boolean> {
  return (await checkIdentity(mcpUrl, timeoutMs)).is1mcp;
}

export interface DiscoveryInput {
  flagUrl?: string;
  rcUrl?: string;
  /** The .1mcprc holding rcUrl, for messages. */
  rcPath?: string;
  pidFile: string;
  /** Where the identity key and approved URLs live; default: the folder of pidFile. */
  configDir?: string;
  timeoutMs?: number;
}

export interface DiscoveryResult {
  found?: Discovered;
  /** Where we looked, for the error message. */
  tried: string[];
  /** A .1mcprc url we will not follow; the message says how to approve it. */
  refused?: string;
}

const NOT_PROVED = (url: string) =>
  `${url} did not prove it is your 1mcp serve (it does not answer the identity challenge of this config dir's identity.secret), so the token was not sent; if you trust it, run "1mcp trust ${url}" or pass --url ${url}`;

/** A URL the user chose: trusted with a token unless the transport would expose it. */
function chosen(url: string, source: Discovered['source']): Discovered {
  const problem = tokenTransportProblem(url);
  return { url, source, verified: true, tokenAllowed: !problem, tokenWithheld: problem && `the token was not sent: ${problem}` };
}

function discovered(url: string, source: Discovered['source'], identity: Identity): Discovered {
  const problem = identity.proved ? tokenTransportProblem(url) : NOT_PROVED(url);
  return { url, source, verified: identity.proved, tokenAllowed: !problem, tokenWithheld: problem };
}

export async function discoverServe(input: DiscoveryInput): Promise<DiscoveryResult> {
  // An explicit URL is trusted as given: no probing elsewhere if it is down.
  if (input.flagUrl) return { found: chosen(normaliseMcpUrl(input.flagUrl), 'flag'), tried: [`--url ${input.flagUrl}`] };
  const configDir = input.configDir ?? dirname(input.pidFile);
  const timeout = input.timeoutMs ?? 500;
  const pid = readPidFile(input.pidFile);
  const pidAlive = !!pid && isProcessAlive(pid.pid);
  if (input.rcUrl) return fromRc(input.rcUrl, input.rcPath ?? '.1mcprc', configDir, pidAlive ? pid!.url : undefined, timeout);

  const tried: string[] = [];
  if (pid && pidAlive) {
    const url = normaliseMcpUrl(pid.url);
    const identity = await checkIdentity(url, timeout, configDir);
    const wantedDir = typeof pid.configDir === 'string' ? pid.configDir : configDir;
    if (identity.is1mcp && identity.pid === pid.pid && identity.configDir === wantedDir) return { found: discovered(url, 'server.pid', identity), tried };
    const why = identity.problem ?? `it is pid ${identity.pid} for ${identity.configDir}, not pid ${pid.pid} for ${wantedDir}`;
    tried.push(`${input.pidFile} (pid ${pid.pid} at ${url}: ${why})`);
  } else tried.push(pid ? `${input.pidFile} (stale: pid ${pid.pid} is not running)` : `${input.pidFile} (not found)`);
  const probes = await Promise.all(
    PROBE_PORTS.map(async (port) => {
      const url = `http://127.0.0.1:${port}/mcp`;
      return { url, identity: await checkIdentity(url, timeout, configDir) };
    }),
  );
  tried.push(`ports ${PROBE_PORTS.join(', ')} on 127.0.0.1`);
  // A serve that proves the key beats one that merely looks like 1mcp (which gets no token).
  const best = probes.find((p) => p.identity.proved) ?? probes.find((p) => p.identity.is1mcp);
  return best ? { found: discovered(best.url, 'probe', best.identity), tried } : { tried };
}

async function fromRc(rcUrl: string, rcPath: string, configDir: string, liveServeUrl: string | undefined, timeout: number): Promise<DiscoveryResult> {
  const tried = [`${rcPath} url ${rcUrl}`];
  let url: string;
  let canonical: string;
  try {
    url = normaliseMcpUrl(rcUrl);
    canonical = canonicalServeUrl(rcUrl);
  } catch (error) {
    return { tried, refused: `${rcPath}: "url" ${(error as Error).message}` };
  }
  let approved = false;
  try {
    approved = isTrustedUrl(configDir, canonical) || (liveServeUrl !== undefined && canonicalServeUrl(liveServeUrl) === canonical);
  } catch (error) {
    return { tried, refused: `${rcPath} sets url ${rcUrl}, but the approved URLs cannot be read: ${(error as Error).message}` };
  }
  if (approved) return { found: chosen(url, '.1mcprc'), tried };
  if (!isLoopbackUrl(url)) {
    return {
      tried,
      refused: `${rcPath} sets url ${canonical}, which is not a loopback address and not approved by you; nothing was sent there. If you trust it, run: 1mcp trust ${canonical}`,
    };
  }
  return { found: discovered(url, '.1mcprc', await checkIdentity(url, timeout, configDir)), tried };
}
