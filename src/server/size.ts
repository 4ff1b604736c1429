/** Sizes given on the command line: `10MiB`, `500k`, `1048576` (binary units: k = KiB, M = MiB, G = GiB). */
const SIZE = /^(\d+(?:\.\d+)?)\s*(b|k|kb|kib|m|mb|mib|g|gb|gib)?$/i;
const UNIT: Record<string, number> = { b: 1, k: 1024, kb: 1024, kib: 1024, m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3, gib: 1024 ** 3 };

/** `--audit-max-size`: bytes, or a number with k/M/G (KiB, MiB, GiB). Throws a one-line message. */
export function parseSize(text: string, flag = '--audit-max-size'): number {
  const m = SIZE.exec(String(text).trim());
  const bytes = m ? Math.floor(Number(m[1]) * UNIT[(m[2] ?? 'b').toLowerCase()]!) : NaN;
  if (!(bytes >= 1)) throw new Error(`${flag} must be a size such as 10MiB, 500k or 1048576 (bytes); got ${JSON.stringify(text)}`);
  return bytes;
}
