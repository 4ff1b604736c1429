/**
 * Driving a real Codex offline (docs/codex.md): its config pointing at a scripted local model, and one
 * `codex exec --json` run whose JSON events are returned.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './cli.ts';

export const CODEX = join(ROOT, 'node_modules', '.bin', 'codex');

/** The model-provider part of config.toml: a mock model at `baseUrl`, no retries, Codex's default 1 s grace. */
export function providerConfig(baseUrl: string, eol = '\n'): string {
  return [
    'model = "mock-model"',
    'model_provider = "mock"',
    'approval_policy = "never"',
    'sandbox_mode = "read-only"',
    "# Codex's default grace (1 s): the proxy must be ready within it, as for a real user.",
    'mcp_optional_startup_grace_ms = 1000',
    '',
    '[model_providers.mock]',
    'name = "mock"',
    `base_url = "${baseUrl}"`,
    'wire_api = "responses"',
    'request_max_retries = 0',
    'stream_max_retries = 0',
    '',
  ].join(eol);
}

export interface CodexRun {
  code: number;
  events: any[];
  stderr: string;
}

/** `codex exec` with only HOME, CODEX_HOME and PATH (as a user's shell would pass), killed after 60 s. */
export function runCodex(options: { home: string; codexHome: string; cwd: string; prompt: string; env?: Record<string, string> }): Promise<CodexRun> {
  return new Promise((resolve) => {
    const env: Record<string, string> = { HOME: options.home, CODEX_HOME: options.codexHome, PATH: process.env.PATH ?? '/usr/bin:/bin', ...options.env };
    const child = spawn(CODEX, ['exec', '--skip-git-repo-check', '--ephemeral', '--json', options.prompt], { cwd: options.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let stderr = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      const events = out
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .flatMap((l) => {
          try {
            return [JSON.parse(l)];
          } catch {
            return [];
          }
        });
      resolve({ code: code ?? -1, events, stderr });
    });
  });
}

/** The MCP tool calls Codex completed, from its JSON events. */
export function completedToolCalls(events: any[]): any[] {
  return events.filter((e) => e.type === 'item.completed' && e.item?.type === 'mcp_tool_call');
}
