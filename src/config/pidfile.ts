/** `server.pid` (SPEC §2.6): written by `serve` once it listens, so proxies and the CLI can find it. */
import { readFileSync, rmSync } from 'node:fs';
import { z } from 'zod';
import { writeFileAtomic } from './safe-write.ts';

export const pidFileSchema = z.looseObject({
  pid: z.number().int().positive(),
  url: z.string(),
  port: z.number().int().optional(),
  host: z.string().optional(),
  transport: z.string().optional(),
  startedAt: z.string().optional(),
  configDir: z.string().optional(),
  version: z.string().optional(),
});

export type PidFile = z.infer<typeof pidFileSchema>;

export function readPidFile(path: string): PidFile | undefined {
  try {
    const parsed = pidFileSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export function writePidFile(path: string, data: PidFile): void {
  writeFileAtomic(path, `${JSON.stringify(data, null, 2)}\n`);
}

/** Remove the file only if it is still ours (another serve may have replaced it). */
export function removePidFile(path: string, pid = process.pid): void {
  const current = readPidFile(path);
  if (current && current.pid !== pid) return;
  rmSync(path, { force: true });
}
