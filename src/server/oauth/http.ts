/** Small HTTP pieces of the OAuth endpoints: form bodies, RFC 6749 error answers, no-store JSON. */
import { readBody } from '../http/body.ts';

/** OAuth bodies are small forms or JSON; anything bigger is refused before it is read whole. */
export const MAX_OAUTH_BODY = 64 * 1024;

export const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' };

export function oauthJson(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...NO_STORE, ...headers } });
}

/** An error in the shape of RFC 6749 §5.2 (also used by registration, RFC 7591 §3.2.2). */
export function oauthError(error: string, description: string, status = 400, headers: Record<string, string> = {}): Response {
  return oauthJson({ error, error_description: description }, status, headers);
}

export type FormRead = { form: URLSearchParams } | { response: Response };

/** A POST body as application/x-www-form-urlencoded, size-capped. */
export async function readForm(request: Request): Promise<FormRead> {
  const type = (request.headers.get('content-type') ?? '').toLowerCase();
  if (!type.startsWith('application/x-www-form-urlencoded')) {
    return { response: oauthError('invalid_request', 'the body must be application/x-www-form-urlencoded') };
  }
  const read = await readBody(request, { limit: MAX_OAUTH_BODY, timeoutMs: 10_000 });
  if ('status' in read) return { response: oauthError('invalid_request', read.message, read.status) };
  const form = new URLSearchParams(read.text);
  // A parameter sent twice is ambiguous (RFC 6749 §3.1): refuse rather than pick one.
  const seen = new Set<string>();
  for (const key of form.keys()) {
    if (seen.has(key) && key !== 'tag') return { response: oauthError('invalid_request', `the parameter "${key}" is repeated`) };
    seen.add(key);
  }
  return { form };
}

/** A JSON POST body, size-capped. */
export async function readJson(request: Request): Promise<{ value: unknown } | { response: Response }> {
  const type = (request.headers.get('content-type') ?? '').toLowerCase();
  if (!type.includes('application/json')) return { response: oauthError('invalid_client_metadata', 'the body must be application/json') };
  const read = await readBody(request, { limit: MAX_OAUTH_BODY, timeoutMs: 10_000 });
  if ('status' in read) return { response: oauthError('invalid_client_metadata', read.message, read.status) };
  try {
    return { value: JSON.parse(read.text) };
  } catch {
    return { response: oauthError('invalid_client_metadata', 'the body is not valid JSON') };
  }
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);
}
