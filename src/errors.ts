/**
 * An error meant for a person: what failed, where, and what to do about it.
 * The CLI prints `message` on one line (no stack) unless --log-level debug.
 */
export class OneMcpError extends Error {
  override name = 'OneMcpError';
  constructor(
    message: string,
    /** Process exit code when this error ends a CLI command. */
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

export function isOneMcpError(e: unknown): e is OneMcpError {
  return e instanceof OneMcpError;
}
