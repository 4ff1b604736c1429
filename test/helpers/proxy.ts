/** Start `1mcp proxy` the way Codex does: a cleaned environment (HOME and PATH), cwd = the project. */
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { cliCommand, type CliMode } from './cli.ts';
import { newTestClient } from './mcp-client.ts';

export async function connectProxy(options: { home: string; cwd: string; args?: string[]; mode?: CliMode; env?: Record<string, string> }) {
  const [command, ...pre] = cliCommand(options.mode);
  const transport = new StdioClientTransport({
    command: command!,
    args: [...pre, 'proxy', ...(options.args ?? [])],
    cwd: options.cwd,
    env: { HOME: options.home, PATH: process.env.PATH ?? '/usr/bin:/bin', ...options.env },
    stderr: 'pipe',
  });
  const client = newTestClient('proxy-test');
  await client.connect(transport);
  return { client, transport, pid: transport.pid! };
}
