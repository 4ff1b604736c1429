/**
 * The one user-facing error model: an error meant for a person (what failed, where, what to do), carrying
 * how it ends a CLI command (exit code) and how it answers an HTTP request (status). It is turned into
 * output in two places only: `reportError` in src/cli/program.ts (one line on stderr, the stack only
 * with --log-level debug) and `errorResponse` in src/server/http/responses.ts.
 *
 * JSON-RPC errors relayed inside an MCP session (src/server/errors.ts, RpcError) are not user errors:
 * they are protocol values that travel in a 200 response and never end a command.
 */
export interface OneMcpErrorOptions {
  /** Process exit code when this error ends a CLI command (default 1). */
  exitCode?: number;
  /** HTTP status when this error answers a request (default 500: not the client's fault, so its message is not shown). */
  httpStatus?: number;
  cause?: unknown;
}

export class OneMcpError extends Error {
  override name = 'OneMcpError';
  readonly exitCode: number;
  readonly httpStatus: number;

  constructor(message: string, options: OneMcpErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.exitCode = options.exitCode ?? 1;
    this.httpStatus = options.httpStatus ?? 500;
  }

  /** The client asked for something wrong (4xx): its message is safe and useful to show. */
  get isClientError(): boolean {
    return this.httpStatus >= 400 && this.httpStatus < 500;
  }
}

/** The command line (or a request) asked for something that cannot be: exit code 2, HTTP 400. */
export class UsageError extends OneMcpError {
  override name = 'UsageError';
  constructor(message: string, options: Omit<OneMcpErrorOptions, 'exitCode' | 'httpStatus'> = {}) {
    super(message, { ...options, exitCode: 2, httpStatus: 400 });
  }
}

export function isOneMcpError(e: unknown): e is OneMcpError {
  return e instanceof OneMcpError;
}
