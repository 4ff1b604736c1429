/** What every command needs from the global options: config paths and a logger. */
import { UsageError } from '../errors.ts';
import { resolveConfigPaths, type ConfigPaths } from '../config/paths.ts';
import { createLogger, isLogLevel, type Logger } from '../log.ts';

export interface CommandContext {
  paths: ConfigPaths;
  log: Logger;
}

export function commandContext(options: Record<string, any>, logOptions: { stderr?: boolean; maxBytes?: number } = {}): CommandContext {
  if (!isLogLevel(options.logLevel)) throw new UsageError(`--log-level must be one of debug, info, warn, error (got "${options.logLevel}")`);
  return {
    paths: resolveConfigPaths({ config: options.config, configDir: options.configDir }),
    log: createLogger({ level: options.logLevel, file: options.logFile, stderr: logOptions.stderr ?? true, maxBytes: logOptions.maxBytes }),
  };
}
