#!/usr/bin/env node
/**
 * Entry point. Kept tiny: `--version` answers without loading anything, and each command group
 * is imported only when it runs, so `1mcp proxy` never pays for `serve`'s code (start-up matters).
 */
import { VERSION } from './version.ts';

const GROUPS: Record<string, () => Promise<{ run(argv: string[]): Promise<number> }>> = {
  serve: () => import('./cli/serve.ts'),
  proxy: () => import('./cli/proxy.ts'),
  mcp: () => import('./cli/mcp.ts'),
  preset: () => import('./cli/preset.ts'),
  setup: () => import('./cli/setup.ts'),
  auth: () => import('./cli/auth.ts'),
  trust: () => import('./cli/trust.ts'),
  start: async () => (await import('./cli/lifecycle.ts')).command('start'),
  status: async () => (await import('./cli/lifecycle.ts')).command('status'),
  stop: async () => (await import('./cli/lifecycle.ts')).command('stop'),
  restart: async () => (await import('./cli/lifecycle.ts')).command('restart'),
  service: () => import('./cli/service.ts'),
  app: () => import('./cli/app.ts'),
};

const HELP = `1mcp ${VERSION} — one MCP endpoint for all of your MCP servers

Usage: 1mcp <command> [options]

Commands:
  serve              Run the aggregating server on http://127.0.0.1:3050/mcp (default)
  proxy              STDIO bridge to a running serve (what Codex launches)
  mcp <subcommand>   Manage servers in mcp.json: add, update, remove, enable, disable, list, tools, status, restart
  preset <sub>       Manage named views: create, list, show, edit, delete, url, test
  setup <client>     Connect a client (codex)
  auth token <sub>   Bearer tokens for serve --enable-auth: create, list, revoke
  trust <url>        Approve a serve URL for project .1mcprc files: trust <url>, --list, --remove <url>
  start              Run serve in the background (logs in <config>/logs/serve.log); returns when it answers
  status             Is serve running? URL, pid, uptime, servers ready (exit 3 when not running)
  stop               Stop the background serve and its backends
  restart            Stop and start serve again with the same flags
  service <sub>      Per-user service that starts serve at login: install, uninstall, status
  app <sub>          MCP clients on this machine and their servers: list, discover

Run "1mcp <command> --help" for the options of a command.
`;

async function main(argv: string[]): Promise<number> {
  const first = argv[0];
  if (first === '--version' || first === '-v' || first === '-V') {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  if (first === '--help' || first === '-h' || first === 'help') {
    process.stdout.write(HELP);
    return 0;
  }
  // No command, or options only: `serve` is the default command.
  if (first === undefined || first.startsWith('-')) return (await GROUPS.serve!()).run(argv);
  const group = GROUPS[first];
  if (group) return (await group()).run(argv.slice(1));
  const { nearest } = await import('./cli/nearest.ts');
  const hint = nearest(first, Object.keys(GROUPS));
  process.stderr.write(`1mcp: unknown command "${first}"${hint ? `; did you mean "1mcp ${hint}"?` : '; run "1mcp --help"'}\n`);
  return 2;
}

main(process.argv.slice(2)).then(
  // Commands that keep running (serve, proxy) resolve only when they are done; then nothing
  // left open (a client socket, a timer) may keep the process alive.
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`1mcp: ${error?.message ?? error}\n`);
    process.exit(1);
  },
);
