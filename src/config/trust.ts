/**
 * Which serve URLs the user trusts. A `.1mcprc` is project data (often someone else's repository), so
 * its `url` is followed only to a loopback address or to a URL the user approved with `1mcp trust`;
 * and a bearer token travels only to loopback or https. See docs/security.md.
 *
 * Approvals live in `<config dir>/trusted-urls.json`: { "version": 1, "urls": [{ "url", "added" }] },
 * written atomically under the file lock (0600).
 */
import { join } from 'node:path';
import { OneMcpError } from '../errors.ts';
import { parseJsonText, readTextIfExists } from './json-text.ts';
import { updateFile } from './safe-write.ts';

export const TRUST_FILE = 'trusted-urls.json';

export interface TrustedUrl {
  url: string;
  added: string;
}

export function trustFilePath(configDir: string): string {
  return join(configDir, TRUST_FILE);
}

/**
 * The canonical form approvals are compared in: http(s) only, no query, fragment or credentials,
 * `/mcp` appended when missing (as the proxy does). Throws a one-line error for anything else.
 */
export function canonicalServeUrl(input: string): string {
  let u: URL;
  try {
    u = new URL(input);
  } catch {
    throw new OneMcpError(`"${input}" is not a URL; expected something like https://host.example/mcp`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new OneMcpError(`"${input}" is not an http(s) URL`);
  if (u.username || u.password) throw new OneMcpError(`"${input}" carries credentials in the URL; use a token instead (--token / ONE_MCP_TOKEN)`);
  u.search = '';
  u.hash = '';
  if (!/\/mcp\/?$/.test(u.pathname)) u.pathname = `${u.pathname.replace(/\/+$/, '')}/mcp`;
  u.pathname = u.pathname.replace(/\/+$/, '');
  return u.toString();
}

/** 127.0.0.0/8, localhost (and *.localhost), [::1]. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  const v4 = /^(?:::ffff:)?(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(h);
  return !!v4 && Number(v4[1]) === 127 && v4.slice(2).every((n) => Number(n) <= 255);
}

export function isLoopbackUrl(url: string): boolean {
  try {
    return isLoopbackHost(new URL(url).hostname);
  } catch {
    return false;
  }
}

/** Tokens go only where nobody on the way can read them: loopback, or https. */
export function tokenTransportProblem(url: string): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return `${url} is not a URL`;
  }
  if (u.protocol === 'https:' || isLoopbackHost(u.hostname)) return undefined;
  return `${u.origin} is plain http to a non-loopback address, where anyone on the network could read the token; use https:// (or a tunnel to 127.0.0.1)`;
}

function parseTrustFile(text: string | undefined, path: string): TrustedUrl[] {
  if (text === undefined || text.trim() === '') return [];
  let value: unknown;
  try {
    value = parseJsonText(text, { lenient: true });
  } catch (e) {
    throw new OneMcpError(`${path} is not valid JSON (${(e as Error).message}); fix or delete it, then run "1mcp trust <url>" again`);
  }
  const urls = (value as { urls?: unknown })?.urls;
  if (!Array.isArray(urls) || !urls.every((e) => e && typeof e === 'object' && typeof (e as TrustedUrl).url === 'string')) {
    throw new OneMcpError(`${path}: expected { "version": 1, "urls": [{ "url": "https://…/mcp" }] }; fix or delete it`);
  }
  return urls.map((e) => ({ url: (e as TrustedUrl).url, added: String((e as TrustedUrl).added ?? '') }));
}

export function readTrustedUrls(configDir: string): TrustedUrl[] {
  const path = trustFilePath(configDir);
  return parseTrustFile(readTextIfExists(path), path);
}

export function isTrustedUrl(configDir: string, url: string): boolean {
  const wanted = canonicalServeUrl(url);
  return readTrustedUrls(configDir).some((t) => {
    try {
      return canonicalServeUrl(t.url) === wanted;
    } catch {
      return false;
    }
  });
}

function render(urls: TrustedUrl[]): string {
  return `${JSON.stringify({ version: 1, urls }, null, 2)}\n`;
}

/** Approve `url`; false when it was approved already. */
export function addTrustedUrl(configDir: string, backupsDir: string, url: string): boolean {
  const canonical = canonicalServeUrl(url);
  const path = trustFilePath(configDir);
  const { changed } = updateFile(path, backupsDir, (text) => {
    const urls = parseTrustFile(text, path);
    if (urls.some((t) => t.url === canonical)) return undefined;
    return render([...urls, { url: canonical, added: new Date().toISOString() }]);
  });
  return changed;
}

/** Withdraw an approval; false when `url` was not approved. */
export function removeTrustedUrl(configDir: string, backupsDir: string, url: string): boolean {
  const canonical = canonicalServeUrl(url);
  const path = trustFilePath(configDir);
  const { changed } = updateFile(path, backupsDir, (text) => {
    const urls = parseTrustFile(text, path);
    const kept = urls.filter((t) => t.url !== canonical);
    return kept.length === urls.length ? undefined : render(kept);
  });
  return changed;
}
