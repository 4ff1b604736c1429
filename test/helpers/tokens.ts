/** Bearer tokens for a test's serve, created the way a user does (`1mcp auth token create`). */
import { runCli } from './cli.ts';

/** Name → extra `auth token create` arguments (such as ['--tags', 'web']); resolves to name → token. */
export async function createTokens(configDir: string, specs: Record<string, readonly string[]>): Promise<Record<string, string>> {
  const tokens: Record<string, string> = {};
  for (const [name, extra] of Object.entries(specs)) {
    const r = await runCli(['auth', 'token', 'create', '--name', name, ...extra, '--config-dir', configDir]);
    if (r.code !== 0) throw new Error(`auth token create --name ${name} failed (${r.code}): ${r.stderr}`);
    tokens[name] = r.stdout.trim();
  }
  return tokens;
}
