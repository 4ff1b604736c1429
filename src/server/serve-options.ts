/** The options `1mcp serve` runs with (cli/serve.ts fills them from flags; docs/configuration.md). */
import type { DiscoveryMode } from '../catalog/discovery.ts';
import type { HealthLevel } from './http/health.ts';

export interface ServeOptions {
  port: number;
  host: string;
  externalUrl?: string;
  enableConfigReload: boolean;
  configReloadDebounce: number;
  enableEnvSubstitution: boolean;
  healthInfoLevel: HealthLevel;
  instructionsTemplate?: string;
  filter?: string;
  preset?: string;
  pagination: boolean;
  /** How views that choose nothing list their tools (--discovery; default off) and auto's tool count (--discovery-threshold). */
  discovery?: DiscoveryMode;
  discoveryThreshold?: number;
  sessionIdleTimeoutMinutes: number;
  listWait: number;
  enableAuth: boolean;
  /** serve --enable-auth oauth: OAuth clients too, beside the bearer tokens (server/oauth/). */
  oauth?: boolean;
  /** serve --oauth-token-ttl: lifetime of the OAuth access tokens serve issues, in ms (default 1 hour). */
  oauthTokenTtlMs?: number;
  /** False when started with --force beside a running serve: server.pid stays that serve's. */
  ownsPidFile?: boolean;
  /** Browser origins accepted besides our own (--allow-origin). */
  allowOrigins?: string[];
  /** Resource limits of the HTTP edge (docs/security.md); defaults in server/http/limits.ts. */
  maxSessions?: number;
  maxSessionsPerToken?: number;
  bodyTimeoutMs?: number;
  maxLargeBodies?: number;
  /** serve --audit-log (an absolute path), --audit-args, --audit-max-size in bytes (server/audit.ts). */
  auditLog?: string;
  auditArgs?: boolean;
  auditMaxBytes?: number;
}
