/**
 * The two ways an OAuth-protected remote server refuses serve: it wants a login the user has not
 * done (or one that no longer works), or it answered 401 without publishing any OAuth metadata.
 */

/** Serve cannot log in by itself: the user runs "1mcp mcp auth <name>". The backend waits in `awaiting-auth`. */
export class AwaitingAuthError extends Error {
  constructor(readonly server: string, reason: string) {
    super(`${reason}; run: 1mcp mcp auth ${server}`);
    this.name = 'AwaitingAuthError';
  }
}

/** 403 insufficient_scope for a scope the login already grants: another login would ask for the same again. */
export class ScopeRefusedError extends Error {
  constructor(server: string, scope: string | undefined) {
    super(`server "${server}" refuses the request for lack of scope "${scope ?? ''}", which its OAuth login already grants; logging in again would not help (check the scopes the server and its authorization server expect)`);
    this.name = 'ScopeRefusedError';
  }
}

/** 401 from a server that names no authorization server: credentials belong in its "headers". `code` keeps the http → sse fallback. */
export class NotOAuthError extends Error {
  readonly code = 401;
  constructor(server: string) {
    super(`server "${server}" answered 401 Unauthorized and publishes no OAuth metadata; give it its credentials in "headers" (1mcp mcp update ${server} --headers Authorization="Bearer …")`);
    this.name = 'NotOAuthError';
  }
}

/** An AwaitingAuthError, also when the SDK wrapped it (as `cause`) on its way out of a transport. */
export function awaitingAuth(error: unknown): AwaitingAuthError | undefined {
  for (let e = error, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof AwaitingAuthError) return e;
  }
  return undefined;
}
