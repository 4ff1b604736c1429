/**
 * `serve --audit-log <file>` (docs/security.md): one JSON line per tools/call, prompts/get and
 * resources/read — when, which session, app, token name, view, server, what was called, the outcome
 * and how long it took. Arguments only with --audit-args, and then with secrets redacted: the value
 * of every key that names a secret, and anything in a string that looks like one (config/redact.ts).
 * The file is 0600 and rotated by size (--audit-max-size, 5 older files kept).
 */
import { MASK, redactSecrets } from '../config/redact.ts';
import { RotatingFile } from '../runtime/rotating-file.ts';

export const AUDIT_KEEP = 5;
export const AUDIT_MAX_BYTES = 10 * 1024 * 1024;

export interface AuditEntry {
  time: string;
  session?: string;
  app?: string;
  tokenName?: string;
  view: string;
  server: string;
  method: string;
  tool?: string;
  prompt?: string;
  uri?: string;
  outcome: string;
  /** The JSON-RPC error code, when the outcome is an error. */
  code?: number;
  error?: string;
  durationMs: number;
  arguments?: unknown;
}

export interface AuditOptions {
  path: string;
  maxBytes?: number;
  withArguments?: boolean;
  onError(error: Error): void;
}

export class AuditLog {
  readonly withArguments: boolean;
  private readonly file: RotatingFile;

  constructor(options: AuditOptions) {
    this.withArguments = !!options.withArguments;
    this.file = new RotatingFile(options.path, options.maxBytes ?? AUDIT_MAX_BYTES, AUDIT_KEEP, options.onError);
  }

  record(entry: AuditEntry): void {
    this.file.write(`${JSON.stringify(entry)}\n`);
  }

  close(): void {
    this.file.close();
  }
}

/** Words in a key that make its value a secret (the key is split at case changes, `_`, `-` and `.`). */
const SECRET_WORDS = new Set(['token', 'secret', 'password', 'passwd', 'pwd', 'passphrase', 'apikey', 'auth', 'authorization', 'credential', 'credentials', 'cookie', 'bearer', 'privatekey', 'signature']);
/** Two words that together name a secret: api_key, private-key, accessKey, session_id, client_secret. */
const SECRET_PAIRS = new Set(['api key', 'private key', 'access key', 'secret key', 'session id']);

export function isSecretKey(key: string): boolean {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  for (let i = 0; i < words.length; i++) {
    if (SECRET_WORDS.has(words[i]!)) return true;
    if (i > 0 && SECRET_PAIRS.has(`${words[i - 1]} ${words[i]}`)) return true;
  }
  return false;
}

const MAX_DEPTH = 20;
const MAX_STRING = 4096;

/** A copy of tool arguments fit for the audit log: secrets masked, long strings cut, depth bounded. */
export function redactArguments(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') {
    const cut = value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}…(${value.length - MAX_STRING} more characters)` : value;
    return redactSecrets(cut);
  }
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return '…';
  if (Array.isArray(value)) return value.map((v) => redactArguments(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = isSecretKey(k) && v !== null && v !== undefined && v !== '' ? MASK : redactArguments(v, depth + 1);
  return out;
}
