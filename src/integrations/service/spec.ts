/** What a per-user service runs: the same for systemd, launchd and Task Scheduler. */
export interface ServiceSpec {
  /** Absolute path of the executable (the 1mcp binary, or node/bun when run from a script). */
  command: string;
  /** Its arguments: the script (if any), then `serve` and serve's flags. */
  args: string[];
  /** The config dir serve uses (also the service's working directory's neighbour for its files). */
  configDir: string;
  /** Where serve's stdout and stderr go. */
  logPath: string;
  /** The user's home folder: the working directory, so relative paths in mcp.json mean what they do in a shell. */
  home: string;
  /**
   * PATH as the installing shell had it: service managers start with a bare PATH, where backends run
   * as `npx …` or `uvx …` (installed through nvm, Homebrew, pipx) would not be found.
   */
  path?: string;
}

export const SERVICE_DESCRIPTION = '1mcp serve: one MCP endpoint for all of your MCP servers';

/** Control characters cannot be written into any of the three formats faithfully; refuse them. */
export function assertPrintable(spec: ServiceSpec): void {
  for (const value of [spec.command, ...spec.args, spec.configDir, spec.logPath, spec.home, spec.path ?? '']) {
    if (/[\u0000-\u001f\u007f]/.test(value)) throw new Error(`cannot put ${JSON.stringify(value)} into a service definition: it contains a control character (newline, tab …)`);
  }
}
