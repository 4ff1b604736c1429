/**
 * Which requests the proxy's --timeout applies to. serve answers a forwarded request (one a backend
 * answers) only when it has the result — in either era, the response headers come with it unless progress
 * comes first — so a time limit on the headers would cut off every call longer than --timeout, and
 * sending it again would run it twice. Those have no limit at the proxy: the backend's requestTimeout
 * bounds them at serve, and the client cancels when it stops waiting.
 */
const FORWARDED = new Set(['tools/call', 'prompts/get', 'resources/read', 'completion/complete', 'tasks/result']);

export function hasTimeLimit(method: string | undefined): boolean {
  return method === undefined || !FORWARDED.has(method);
}

/** serve took the request but sent no response headers in time: it may be working on it, so it is never sent again. */
export class NoAnswer extends Error {}
