/**
 * Keep every command-line value exactly as typed.
 *
 * cac parses with mri, which turns anything that looks like a number into one (`--args 007` → 7,
 * `9007199254740993` loses digits, `""` → 0, `0x10` → 16) and reads `-5` after `--max-restarts` as an
 * option. cac's `type: [String]` only maps String() over the damaged number, so it cannot help.
 * Instead, before cac sees the arguments, such values are swapped for opaque placeholders, and
 * `restore` puts the original strings back afterwards. Numbers are made later, only for options
 * declared as numbers (program.ts), with a clear error for anything else.
 */

/** Flag spelling as typed (`--port`, `-P`) → whether it takes a value. */
export type FlagTable = Map<string, boolean>;

export interface ProtectedArgv {
  argv: string[];
  /** Tokens like `-dash` in option position: not a known flag, and mri would split them into -d -a -s -h. */
  strays: string[];
  /** The same value with every placeholder replaced by the original text (strings, arrays, objects). */
  restore<T>(value: T): T;
}

const NEGATIVE_NUMBER = /^-(\d|\.\d)/;
const PLACEHOLDER = /\u0000(\d+)\u0000/g;

/** mri's own test for "this is a number" (it converts when `+v * 0 === 0`). */
function mriWouldConvert(value: string): boolean {
  const x = +value;
  return x * 0 === 0;
}

export function protectArgv(argv: string[], flags: FlagTable): ProtectedArgv {
  const saved: string[] = [];
  const hide = (value: string) => `\u0000${saved.push(value) - 1}\u0000`;
  const keep = (value: string) => (mriWouldConvert(value) ? hide(value) : value);
  const out: string[] = [];
  const strays: string[] = [];
  let i = 0;
  for (; i < argv.length; i++) {
    const token = argv[i]!;
    if (token === '--') break; // what follows is a command line of its own, passed through untouched
    if (token.startsWith('-') && token.length > 1 && !NEGATIVE_NUMBER.test(token)) {
      const eq = token.indexOf('=');
      if (eq > 0) {
        // `--name=value`: an empty value would make mri take the next argument instead.
        const value = token.slice(eq + 1);
        out.push(`${token.slice(0, eq + 1)}${value === '' || mriWouldConvert(value) || value.startsWith('-') ? hide(value) : value}`);
        continue;
      }
      out.push(token);
      if (!token.startsWith('--') && token.length > 2 && !flags.has(token)) strays.push(token);
      const next = argv[i + 1];
      // A flag that takes a value takes the next argument, even `-5` or `-y` (an argument for the
      // server's own command), unless that is itself one of our flags or the `--` separator.
      if (flags.get(token) === true && next !== undefined && next !== '--' && !flags.has(next)) {
        out.push(next.startsWith('-') ? hide(next) : keep(next));
        i++;
      }
      continue;
    }
    out.push(token.startsWith('-') ? hide(token) : keep(token));
  }
  out.push(...argv.slice(i));
  const restoreText = (text: string) => text.replace(PLACEHOLDER, (_m, n: string) => saved[Number(n)] ?? '');
  const restore = <T>(value: T): T => {
    if (typeof value === 'string') return restoreText(value) as T;
    if (Array.isArray(value)) return value.map(restore) as T;
    if (value && typeof value === 'object') {
      const copy: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) copy[k] = restore(v);
      return copy as T;
    }
    return value;
  };
  return { argv: out, strays, restore };
}
