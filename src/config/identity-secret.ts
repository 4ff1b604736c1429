/**
 * The per-user identity secret: a random key in the config dir (0600) that serve creates at start.
 * Discovery sends a bearer token to a serve it found by itself only when that serve proves it knows
 * this key: the proxy sends a fresh nonce, serve answers HMAC(key, nonce + the URL it was reached at).
 * The key never crosses the wire, and a proof made for one URL is worthless at another, so a fake
 * server cannot relay the challenge to the real serve and replay its answer. See docs/security.md.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { closeSync, constants, fstatSync, fsyncSync, openSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { OneMcpError } from '../errors.ts';
import { ensureDir } from './safe-write.ts';

export const IDENTITY_SECRET_FILE = 'identity.secret';
/** What a nonce must look like; anything else gets no proof (keeps the route cheap and boring). */
export const NONCE_PATTERN = /^[0-9a-f]{32,128}$/;
const KEY_PATTERN = /^[0-9a-f]{64}$/;

export function identitySecretPath(configDir: string): string {
  return join(configDir, IDENTITY_SECRET_FILE);
}

type ReadOutcome = { key: Buffer } | { problem: string; missing?: boolean };

/** Read the key without following a symlink; refuse a file other users could read or replace. */
function readKey(path: string): ReadOutcome {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? { problem: `${path} does not exist`, missing: true } : { problem: `${path} cannot be read (${code})` };
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return { problem: `${path} is not a regular file` };
    if (process.platform !== 'win32') {
      if (typeof process.getuid === 'function' && st.uid !== process.getuid()) return { problem: `${path} belongs to another user` };
      if ((st.mode & 0o077) !== 0) return { problem: `${path} is readable by other users (mode ${(st.mode & 0o777).toString(8)})` };
    }
    const buf = Buffer.alloc(256);
    const n = readSync(fd, buf, 0, buf.length, 0);
    const text = buf.subarray(0, n).toString('utf8').trim();
    if (!KEY_PATTERN.test(text)) return { problem: `${path} does not hold a key` };
    return { key: Buffer.from(text, 'hex') };
  } finally {
    closeSync(fd);
  }
}

/** The proxy's side: never creates the key (only serve does); undefined when absent or unsafe. */
export function readIdentitySecret(configDir: string): Buffer | undefined {
  const outcome = readKey(identitySecretPath(configDir));
  return 'key' in outcome ? outcome.key : undefined;
}

const loaded = new Map<string, Buffer>();

/**
 * Serve's side: the key for `configDir`, created (exclusive create, 0600) when missing and replaced
 * when unsafe (readable by others, wrong content). Cached for the life of the process.
 */
export function ensureIdentitySecret(configDir: string): Buffer {
  const cached = loaded.get(configDir);
  if (cached) return cached;
  const path = identitySecretPath(configDir);
  ensureDir(configDir);
  let problem = '';
  for (let attempt = 0; attempt < 5; attempt++) {
    const outcome = readKey(path);
    if ('key' in outcome) {
      loaded.set(configDir, outcome.key);
      return outcome.key;
    }
    problem = outcome.problem;
    if (!outcome.missing) {
      if (/another user|not a regular file/.test(problem)) break;
      // Perhaps another serve has just created it and not yet written it: look again once.
      if (attempt === 0 && /does not hold a key/.test(problem)) {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
        continue;
      }
      // Unsafe or damaged: a key others may have read proves nothing. Start over with a new one.
      try {
        unlinkSync(path);
      } catch {}
    }
    try {
      const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0), 0o600);
      try {
        writeSync(fd, `${randomBytes(32).toString('hex')}\n`);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    } catch (e) {
      // Another serve created it at the same moment: read theirs on the next round.
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') problem = `${path} cannot be created (${(e as NodeJS.ErrnoException).code})`;
    }
  }
  throw new OneMcpError(`${problem}; serve needs its own identity key there: remove the file and start serve again`);
}

export function newNonce(): string {
  return randomBytes(16).toString('hex');
}

export function identityProof(key: Buffer, nonce: string, url: string): string {
  return createHmac('sha256', key).update(`1mcp-runtime-identity\n${nonce}\n${url}`).digest('hex');
}

export function checkIdentityProof(key: Buffer, nonce: string, url: string, proof: unknown): boolean {
  if (typeof proof !== 'string' || !/^[0-9a-f]{64}$/.test(proof)) return false;
  return timingSafeEqual(Buffer.from(identityProof(key, nonce, url), 'hex'), Buffer.from(proof, 'hex'));
}
