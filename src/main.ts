#!/usr/bin/env node
/**
 * Entry point. Kept tiny: `--version` answers without loading anything, and each command group
 * is imported only when it runs, so `1mcp proxy` never pays for `serve`'s code (start-up matters).
 */
import { VERSION } from './version.ts';

interface CommandGroup {
  /** How the group is written in the help ("mcp <subcommand>"). */
  usage: string;
  /** One line for `1mcp --help`. */
  about: string;
  load(): Promise<{ run(argv: string[]): Promise<number> }>;
}

/** Every command group: dispatch and `1mcp --help` are both built from this table. */
const GROUPS: Record<string, CommandGroup> = {
  serve: { usage: 'serve', about: 'Run the aggregating server on http://127.0.0.1:3050/mcp (default)', load: () => import('./cli/serve.ts') },
  proxy: { usage: 'proxy', about: 'STDIO bridge to a running serve (what Codex launches)', load: () => import('./cli/proxy.ts') },
  mcp: { usage: 'mcp <subcommand>', about: 'Manage servers in mcp.json: add, update, remove, enable, disable, list, tools, status, restart, tokens, auth (OAuth login)', load: () => import('./cli/mcp.ts') },
  preset: { usage: 'preset <sub>', about: 'Manage named views: create, list, show, edit, delete, url, test', load: () => import('./cli/preset.ts') },
  setup: { usage: 'setup <client>', about: 'Connect a client (codex)', load: () => import('./cli/setup.ts') },
  auth: { usage: 'auth <token|approve|clients>', about: 'Bearer tokens for serve --enable-auth (create, list, revoke); OAuth clients: approve, clients list|revoke', load: () => import('./cli/auth.ts') },
  trust: { usage: 'trust <url>', about: 'Approve a serve URL for project .1mcprc files: trust <url>, --list, --remove <url>', load: () => import('./cli/trust.ts') },
  start: { usage: 'start', about: 'Run serve in the background (logs in <config>/logs/serve.log); returns when it answers', load: lifecycle('start') },
  status: { usage: 'status', about: 'Is serve running? URL, pid, uptime, servers ready (exit 3 when not running)', load: lifecycle('status') },
  stop: { usage: 'stop', about: 'Stop the background serve and its backends', load: lifecycle('stop') },
  restart: { usage: 'restart', about: 'Stop and start serve again with the same flags', load: lifecycle('restart') },
  service: { usage: 'service <sub>', about: 'Per-user service that starts serve at login: install, uninstall, status', load: () => import('./cli/service.ts') },
  app: { usage: 'app <sub>', about: 'MCP clients on this machine and their servers: list, discover, consolidate, restore', load: () => import('./cli/app.ts') },
  instructions: { usage: 'instructions', about: "What the running serve offers in a view, per server, compact (for a model's context)", load: agent('instructions') },
  inspect: { usage: 'inspect [server[/tool]]', about: "A view's servers, a server's tools, or a tool's parameters, from the running serve", load: agent('inspect') },
  run: { usage: 'run <server>/<tool>', about: "Call a tool of the running serve: --args '<json>' or JSON on stdin; result on stdout", load: agent('run') },
  wait: { usage: 'wait [server]', about: 'Wait until serve (and the server) is ready; exit 3 on --timeout', load: agent('wait') },
};

function agent(name: 'instructions' | 'inspect' | 'run' | 'wait'): CommandGroup['load'] {
  return async () => (await import('./cli/agent.ts')).command(name);
}

function lifecycle(name: 'start' | 'status' | 'stop' | 'restart'): CommandGroup['load'] {
  return async () => (await import('./cli/lifecycle.ts')).command(name);
}

function help(): string {
  const width = Math.max(...Object.values(GROUPS).map((g) => g.usage.length)) + 3;
  const lines = Object.values(GROUPS).map((g) => `  ${g.usage.padEnd(width)}${g.about}`);
  return `1mcp ${VERSION} — one MCP endpoint for all of your MCP servers

Usage: 1mcp <command> [options]

Commands:
${lines.join('\n')}

Run "1mcp <command> --help" for the options of a command.
`;
}

async function main(argv: string[]): Promise<number> {
  const first = argv[0];
  if (first === '--version' || first === '-v' || first === '-V') {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  if (first === '--help' || first === '-h' || first === 'help') {
    process.stdout.write(help());
    return 0;
  }
  // No command, or options only: `serve` is the default command.
  if (first === undefined || first.startsWith('-')) return (await GROUPS.serve!.load()).run(argv);
  // Own keys only: `1mcp constructor` is an unknown command, not Object's constructor.
  const group = Object.hasOwn(GROUPS, first) ? GROUPS[first] : undefined;
  if (group) return (await group.load()).run(argv.slice(1));
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
