/**
 * protectArgv + the real cac parser: whatever a person types as a value comes back as exactly that
 * string (numbers, empty strings, negative numbers, things that look like flags), in options,
 * positional arguments and after `--`.
 */
import { describe, expect, test } from 'bun:test';
import { cac } from 'cac';
import { protectArgv, type FlagTable } from '../../src/cli/argv.ts';
import { seededRandom } from '../helpers/random.ts';

const FLAGS: FlagTable = new Map([
  ['--args', true],
  ['--tags', true],
  ['-g', true],
  ['--port', true],
  ['--yes', false],
  ['-y', false],
  ['--json', false],
]);

/** Parse like runGroup does: protect, cac, restore. */
function parse(argv: string[]) {
  const cli = cac('t');
  cli.command('add [...names]').option('--args <a>', '').option('-g, --tags <t>', '').option('--port <n>', '').option('-y, --yes', '').option('--json', '');
  const input = protectArgv(argv, FLAGS);
  const parsed = cli.parse(['node', 't', ...input.argv], { run: false });
  return { strays: input.strays, args: input.restore(parsed.args), options: input.restore(parsed.options) as Record<string, unknown> };
}

const TRICKY = ['007', '1.50', '9007199254740993', '1e3', '0x10', '0b11', '0o7', '', ' ', ' 12 ', '-5', '-.5', '-y1', '+1', 'Infinity', 'NaN', 'true', 'false', '=', 'x=1', '--foo', '-dash', '٣', '1_000', '\t'];

describe('protectArgv', () => {
  test('each tricky value survives as an option value, repeated and with =', () => {
    for (const value of TRICKY) {
      const { options } = parse(['add', '--args', value, `--args=${value}`, '--tags', value]);
      expect(options.args, JSON.stringify(value)).toEqual([value, value]);
      expect(options.tags, JSON.stringify(value)).toBe(value);
      expect(options.g, JSON.stringify(value)).toBe(value);
    }
  });

  test('positional values and everything after -- are kept, also right after a boolean flag', () => {
    const positional = TRICKY.filter((v) => !v.startsWith('-') || /^-[.\d]/.test(v));
    const { args, options } = parse(['add', '--yes', ...positional, '--', ...TRICKY, '--args']);
    expect(args).toEqual(positional); // cac drops the command name itself
    expect(options.yes).toBe(true);
    expect(options['--']).toEqual([...TRICKY, '--args']);
  });

  test('a known flag after a value flag is not swallowed as its value; a one-dash word is reported', () => {
    const { options } = parse(['add', '--tags', '--json']);
    expect(options.tags).toBe(true); // cac then reports "value is missing"
    expect(options.json).toBe(true);
    expect(parse(['add', '-dash', 'x']).strays).toEqual(['-dash']);
    expect(parse(['add', '-y', '-g', 'a']).strays).toEqual([]);
    expect(parse(['add', '-5']).strays).toEqual([]);
  });

  test('generated argument lists round-trip exactly (seeded)', () => {
    for (const seed of [1, 7, 42, 1234, 99991]) {
      const random = seededRandom(seed);
      const pick = <T>(list: T[]) => list[Math.floor(random() * list.length)]!;
      const value = () => (random() < 0.7 ? pick(TRICKY) : String(Math.floor(random() * 1e6)).padStart(Math.floor(random() * 9), '0'));
      const expectedArgs: string[] = [];
      const argv: string[] = ['add'];
      for (let i = 0; i < 20; i++) {
        const v = value();
        if (random() < 0.5) argv.push(`--args=${v}`);
        else argv.push('--args', v);
        expectedArgs.push(v);
      }
      const { options } = parse(argv);
      expect(options.args, `seed ${seed}: ${JSON.stringify(argv)}`).toEqual(expectedArgs);
    }
  });
});
