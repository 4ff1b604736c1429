/**
 * Client ID metadata documents (docs/security.md): a client_id that is an https URL names a JSON document
 * describing the client. serve fetches it (short timeout, size cap, no redirects), checks that it names
 * itself, and keeps it a few minutes. http is accepted only for loopback URLs (local tools and tests).
 */
import type { RegisteredClient } from '../../config/oauth-clients.ts';
import { isLoopbackHost, redirectUriProblem, MAX_REDIRECT_URIS } from './redirect-uris.ts';

/** A client as the authorization endpoints see it: a registration's fields (less its date), and where it came from. */
export interface ClientInfo extends Omit<RegisteredClient, 'created'> {
  /** A registration (stored) or a metadata document (fetched). */
  kind: 'registered' | 'metadata-document';
}

const FETCH_TIMEOUT_MS = 5000;
const MAX_DOCUMENT_BYTES = 16 * 1024;
const CACHE_MS = 5 * 60_000;
const MAX_CACHED = 100;

/** Whether this client_id should be treated as a metadata document URL. */
export function isMetadataDocumentId(clientId: string): boolean {
  return /^https?:\/\//i.test(clientId);
}

export class MetadataDocumentError extends Error {}

/**
 * Host names that reach this machine: loopback, but also 0.0.0.0 / [::] (connect to the local host on
 * Linux), IPv4-mapped IPv6 loopback, a trailing-dot "localhost." and *.localhost names.
 */
export function pointsToThisMachine(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  if (isLoopbackHost(host) || host === 'localhost' || host.endsWith('.localhost')) return true;
  if (/^0\.\d+\.\d+\.\d+$/.test(host) || host === '[::]') return true;
  // [::ffff:127.0.0.1] is normalized to [::ffff:7f00:1]; [::ffff:0.0.0.0] to [::ffff:0:0].
  const mapped = /^\[::ffff:([0-9a-f]{1,4}):[0-9a-f]{1,4}\]$/.exec(host);
  return mapped !== null && (parseInt(mapped[1]!, 16) >> 8 === 127 || parseInt(mapped[1]!, 16) === 0);
}

async function readCapped(response: Response): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_DOCUMENT_BYTES) {
      void reader.cancel();
      throw new MetadataDocumentError(`its metadata document is larger than ${MAX_DOCUMENT_BYTES} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * `allowLoopbackHttp`: only when serve itself is reachable from this machine alone; an exposed serve must
 * not let a stranger make it fetch from local ports.
 */
export function metadataDocuments(allowLoopbackHttp: boolean, fetchFn: typeof fetch = fetch) {
  const cache = new Map<string, { at: number; info: ClientInfo }>();

  async function load(clientId: string): Promise<ClientInfo> {
    let url: URL;
    try {
      url = new URL(clientId);
    } catch {
      throw new MetadataDocumentError('the client_id is not a valid URL');
    }
    if (url.protocol !== 'https:' && !(allowLoopbackHttp && url.protocol === 'http:' && isLoopbackHost(url.hostname))) {
      throw new MetadataDocumentError(`a client_id URL must use https${allowLoopbackHttp ? ' (http only on loopback)' : ''}`);
    }
    // Never this machine over https either when serve is exposed (no probing of local services).
    if (!allowLoopbackHttp && pointsToThisMachine(url.hostname)) throw new MetadataDocumentError('a client_id URL must not point to this machine');
    if (url.hash || url.username || url.password) throw new MetadataDocumentError('a client_id URL must not carry a fragment or credentials');
    let response: Response;
    try {
      // No redirects at all: the document must be where its URL says.
      response = await fetchFn(url, { redirect: 'manual', headers: { accept: 'application/json' }, signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
    } catch (error) {
      throw new MetadataDocumentError(`its metadata document could not be fetched (${(error as Error).message})`);
    }
    if (response.status !== 200) {
      void response.body?.cancel();
      throw new MetadataDocumentError(`its metadata document answered HTTP ${response.status}${response.status >= 300 && response.status < 400 ? ' (redirects are not followed)' : ''}`);
    }
    let doc: Record<string, unknown>;
    try {
      doc = JSON.parse(await readCapped(response));
    } catch (error) {
      if (error instanceof MetadataDocumentError) throw error;
      throw new MetadataDocumentError('its metadata document is not JSON');
    }
    if (!doc || typeof doc !== 'object' || doc.client_id !== clientId) throw new MetadataDocumentError('its metadata document does not name the same client_id as its URL');
    const uris = doc.redirect_uris;
    if (!Array.isArray(uris) || uris.length === 0 || uris.length > MAX_REDIRECT_URIS) throw new MetadataDocumentError(`its metadata document needs 1-${MAX_REDIRECT_URIS} redirect_uris`);
    for (const u of uris) {
      const problem = redirectUriProblem(u);
      if (problem) throw new MetadataDocumentError(`its metadata document has a bad redirect URI: ${problem}`);
    }
    const method = doc.token_endpoint_auth_method ?? 'none';
    // A document is public: it cannot carry a shared secret (private_key_jwt is not supported here).
    if (method !== 'none') throw new MetadataDocumentError(`token_endpoint_auth_method "${String(method)}" is not supported for metadata documents; use "none"`);
    return {
      clientId,
      name: typeof doc.client_name === 'string' ? doc.client_name.slice(0, 200) : undefined,
      uri: typeof doc.client_uri === 'string' ? doc.client_uri.slice(0, 500) : undefined,
      redirectUris: uris as string[],
      authMethod: 'none',
      kind: 'metadata-document',
    };
  }

  return {
    async get(clientId: string): Promise<ClientInfo> {
      const hit = cache.get(clientId);
      if (hit && Date.now() - hit.at < CACHE_MS) return hit.info;
      const info = await load(clientId);
      if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value!);
      cache.set(clientId, { at: Date.now(), info });
      return info;
    },
  };
}
