/**
 * The shape of `mcp.json` (docs/configuration.md): Claude Desktop's `mcpServers` plus 1MCP's fields.
 * Validation works on the raw object; unknown fields are allowed so they survive a rewrite.
 */
import { z } from 'zod';

export const SERVER_NAME = /^[A-Za-z0-9_-]{1,50}$/;

const stringRecord = z.record(z.string(), z.string());
const positiveMs = z.number().int().positive();

/** Fields shared by a server entry and `serverDefaults`. */
const commonFields = {
  tags: z.array(z.string().min(1)).optional(),
  disabled: z.boolean().optional(),
  timeout: positiveMs.optional(),
  connectionTimeout: positiveMs.optional(),
  requestTimeout: positiveMs.optional(),
  restartOnExit: z.boolean().optional(),
  maxRestarts: z.number().int().min(0).optional(),
  restartDelay: z.number().int().min(0).optional(),
  inheritParentEnv: z.boolean().optional(),
  envFilter: z.array(z.string()).optional(),
  disabledTools: z.array(z.string()).optional(),
  prefix: z.string().regex(/^[A-Za-z0-9_-]{0,40}$/, 'letters, digits, _ or -, at most 40 characters').optional(),
  description: z.string().optional(),
  env: stringRecord.optional(),
  headers: stringRecord.optional(),
  cwd: z.string().optional(),
  /** "session": one instance of the server per client session (roots, sampling and state stay per client). */
  scope: z.enum(['shared', 'session']).optional(),
  /** Upper bound on live per-session instances of one server. */
  maxInstances: z.number().int().positive().optional(),
  /** Which MCP era to speak to the server: "auto" probes server/discover first (docs/configuration.md). */
  protocol: z.enum(['auto', 'modern', 'legacy']).optional(),
};

/** A client registered with the server's authorization server beforehand (instead of dynamic registration). */
export const oauthSettingsSchema = z.strictObject({
  clientId: z.string().min(1).optional(),
  clientSecret: z.string().min(1).optional(),
  scopes: z.array(z.string().min(1)).optional(),
  /** An https URL where 1mcp's client ID metadata document is published, for servers that accept one. */
  clientMetadataUrl: z.url().optional(),
});

export type OAuthSettings = z.infer<typeof oauthSettingsSchema>;

export const serverEntrySchema = z.looseObject({
  type: z.enum(['stdio', 'http', 'sse', 'streamableHttp', 'streamable-http']).optional(),
  command: z.string().min(1).optional(),
  args: z.array(z.string()).optional(),
  url: z.url().optional(),
  oauth: oauthSettingsSchema.optional(),
  ...commonFields,
});

export const serverDefaultsSchema = z.looseObject(commonFields);

export const mcpFileSchema = z.looseObject({
  mcpServers: z.record(z.string(), z.unknown()).optional(),
  serverDefaults: serverDefaultsSchema.optional(),
});

export type ServerEntry = z.infer<typeof serverEntrySchema>;
export type TransportType = 'stdio' | 'http' | 'sse';

/** A server after defaults, inference and substitution: what serve uses. */
export interface ServerConfig {
  name: string;
  type: TransportType;
  /** True when the type was inferred as http: a 4xx on the first POST retries as SSE. */
  typeInferred: boolean;
  command?: string;
  args: string[];
  env: Record<string, string>;
  cwd?: string;
  url?: string;
  headers: Record<string, string>;
  tags: string[];
  disabled: boolean;
  connectionTimeout: number;
  requestTimeout: number;
  restartOnExit: boolean;
  maxRestarts: number;
  restartDelay: number;
  inheritParentEnv: boolean;
  envFilter?: string[];
  disabledTools: string[];
  prefix: string;
  description?: string;
  /** Why this server cannot be started as configured (an unset ${VAR}); it is shown with state "error". */
  configProblem?: string;
  /** "session": every client session gets its own instance (see docs/security.md). */
  scope: 'shared' | 'session';
  maxInstances: number;
  /** "auto" (default): probe server/discover, else initialize; "legacy": initialize only; "modern": discover only. */
  protocol?: 'auto' | 'modern' | 'legacy';
  /** Remote servers: pre-registered OAuth client settings (docs/configuration.md). */
  oauth?: OAuthSettings;
  /** Remote servers: where an OAuth login for this server is kept (`<config>/oauth/<name>.json`). */
  oauthFile?: string;
}

export const DEFAULTS = {
  connectionTimeout: 30_000,
  requestTimeout: 60_000,
  restartOnExit: true,
  maxRestarts: 5,
  restartDelay: 1000,
  inheritParentEnv: true,
  scope: 'shared',
  maxInstances: 20,
} as const;
