import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, type CliMode } from './cli.ts';

/** End-to-end suites drive the compiled binary when it has been built (CI builds before testing). */
export function e2eMode(): CliMode {
  if (process.env.ONE_MCP_CLI) return process.env.ONE_MCP_CLI as CliMode;
  return existsSync(join(ROOT, 'dist', '1mcp')) ? 'binary' : 'source';
}
