/** Where 1mcp keeps its files (docs/configuration.md). */
import { dirname, join, resolve } from 'node:path';
import { home } from '../runtime/home.ts';

export function defaultConfigDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.ONE_MCP_CONFIG_DIR) return resolve(env.ONE_MCP_CONFIG_DIR);
  if (process.platform === 'win32') return join(env.APPDATA ?? join(home(env), 'AppData', 'Roaming'), '1mcp');
  if (env.XDG_CONFIG_HOME) return join(env.XDG_CONFIG_HOME, '1mcp');
  return join(home(env), '.config', '1mcp');
}

export interface ConfigPaths {
  dir: string;
  mcpJson: string;
  presetsJson: string;
  pidFile: string;
  tokensJson: string;
  backups: string;
  logs: string;
}

/** `--config <file>` wins (its folder becomes the config dir), then `--config-dir`, then defaults. */
export function resolveConfigPaths(options: { config?: string; configDir?: string }, env: NodeJS.ProcessEnv = process.env): ConfigPaths {
  const mcpJson = options.config ? resolve(options.config) : undefined;
  const dir = mcpJson ? dirname(mcpJson) : options.configDir ? resolve(options.configDir) : defaultConfigDir(env);
  return {
    dir,
    mcpJson: mcpJson ?? join(dir, 'mcp.json'),
    presetsJson: join(dir, 'presets.json'),
    pidFile: join(dir, 'server.pid'),
    tokensJson: join(dir, 'tokens.json'),
    backups: join(dir, 'backups'),
    logs: join(dir, 'logs'),
  };
}
