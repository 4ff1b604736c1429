/**
 * OAuth logins to remote servers, one file per server: `<config>/oauth/<server>.json`, mode 0600
 * (docs/security.md). It holds the client registration and the tokens — never mcp.json, which users
 * share and paste. Written atomically, so serve never reads half a file.
 */
import { existsSync, readFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { OneMcpError } from '../errors.ts';
import { refuseSymlink, writeFileAtomic } from './safe-write.ts';

/** What is kept for one server. `url` binds the login to the server it was made for. */
export interface OAuthRecord {
  url: string;
  /** As the SDK hands it over (client_id, client_secret, redirect_uris, issuer …). */
  client?: Record<string, unknown> & { client_id: string };
  /** As the SDK hands it over (access_token, refresh_token, expires_in, scope, issuer …). */
  tokens?: Record<string, unknown> & { access_token: string; refresh_token?: string };
  /** When `tokens` were saved (ms since epoch). */
  obtainedAt?: number;
  /** When `tokens` stop working (ms since epoch), computed from expires_in when they were saved. */
  expiresAt?: number;
  /** Authorization server found by discovery, so a refresh needs no discovery. */
  discovery?: Record<string, unknown>;
  /** The scope the login asked for (what was granted, when the token answer names none). */
  requestedScope?: string;
  /** What the server asked for when serve found the login missing or too narrow; the next login asks for it. */
  challenge?: { scope?: string; resourceMetadataUrl?: string };
}

export function oauthDir(configDir: string): string {
  return join(configDir, 'oauth');
}

export function oauthFile(configDir: string, server: string): string {
  return join(oauthDir(configDir), `${server}.json`);
}

/** The record, or undefined when there is none (or it is for another URL). A damaged file is an error. */
export function readOAuthRecord(path: string, url?: string): OAuthRecord | undefined {
  if (!existsSync(path)) return undefined;
  let record: OAuthRecord;
  try {
    record = JSON.parse(readFileSync(path, 'utf8')) as OAuthRecord;
  } catch (error) {
    throw new OneMcpError(`${path} is not valid JSON (${(error as Error).message}); delete it and log in again with "1mcp mcp auth <name>"`);
  }
  if (!record || typeof record !== 'object' || typeof record.url !== 'string') {
    throw new OneMcpError(`${path} is not an OAuth login saved by 1mcp; delete it and log in again with "1mcp mcp auth <name>"`);
  }
  if (url !== undefined && record.url !== url) return undefined;
  return record;
}

export function writeOAuthRecord(path: string, record: OAuthRecord): void {
  writeFileAtomic(path, `${JSON.stringify(record, null, 2)}\n`, 0o600);
}

/** Forget the login; true when there was one. */
export function deleteOAuthRecord(path: string): boolean {
  if (!existsSync(path)) return false;
  refuseSymlink(path);
  unlinkSync(path);
  return true;
}
