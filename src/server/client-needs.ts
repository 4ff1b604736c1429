/**
 * What a client must have declared at initialize to answer a backend's server-to-client request.
 * Backends are told the full set we can route (see backends/connect.ts), so each request goes only
 * to a session whose client declared the sub-capability that request needs (docs/protocol.md).
 */
import type { ClientCapabilities } from '@modelcontextprotocol/sdk/types.js';
import type { ServerRequestMethod } from '../backends/backend.ts';

export interface Need {
  /** The top-level client capability (sampling, elicitation, roots). */
  capability: 'sampling' | 'elicitation' | 'roots';
  /** The sub-capability it also needs, as the client would declare it (e.g. "elicitation.url"). */
  sub?: 'sampling.tools' | 'elicitation.form' | 'elicitation.url';
}

export function needOf(method: ServerRequestMethod, params: unknown): Need {
  const p = (params ?? {}) as Record<string, unknown>;
  switch (method) {
    case 'sampling/createMessage':
      // includeContext is a hint the client may ignore, so it does not narrow the choice.
      return p.tools !== undefined || p.toolChoice !== undefined ? { capability: 'sampling', sub: 'sampling.tools' } : { capability: 'sampling' };
    case 'elicitation/create':
      return { capability: 'elicitation', sub: p.mode === 'url' ? 'elicitation.url' : 'elicitation.form' };
    case 'roots/list':
      return { capability: 'roots' };
  }
}

/** Whether a client with these capabilities declared the top-level capability of `need`. */
export function hasCapability(caps: ClientCapabilities | undefined, need: Need): boolean {
  return !!caps?.[need.capability];
}

/** Whether a client with these capabilities can answer a request with this need. */
export function satisfies(caps: ClientCapabilities | undefined, need: Need): boolean {
  if (!hasCapability(caps, need)) return false;
  switch (need.sub) {
    case undefined:
      return true;
    case 'sampling.tools':
      return !!caps!.sampling?.tools;
    case 'elicitation.url':
      return !!caps!.elicitation?.url;
    case 'elicitation.form': {
      // An elicitation capability naming neither mode means form (as the protocol says).
      const e = caps!.elicitation as { form?: object; url?: object };
      return e.form !== undefined || e.url === undefined;
    }
  }
}

export function describeNeed(need: Need): string {
  return need.sub ?? need.capability;
}
